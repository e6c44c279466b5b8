// Behaviour every page may use, without inline script (the Content-Security-Policy forbids it):
// a <select data-autosubmit> sends its form as soon as another option is chosen. Without
// JavaScript the form's own button (in <noscript>) does it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.form && field.hasAttribute && field.hasAttribute("data-autosubmit")) {
      field.form.submit();
    }
  });
})();
