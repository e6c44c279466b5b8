// The admin's periodic task form (django-celery-beat): beside the chosen crontab, its reading in
// words. The package does this in an inline script, which the Content-Security-Policy forbids.
(function () {
  "use strict";
  var script = document.currentScript;
  var $ = window.django && window.django.jQuery;
  var data = document.getElementById("readable-crontabs");
  if (!$ || !data || !script) { return; }
  var readable = JSON.parse(data.textContent);
  var originalHelp = script.getAttribute("data-crontab-help") || "";
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var help = $(".field-crontab .help").empty();
    help.append(document.createTextNode(originalHelp), document.createElement("br"),
      document.createTextNode("Translation: " + (readable[$("#id_crontab").val()] || "")));
  });
})();
