/* Dashboards: while the figures are being computed, ask the status API every few seconds and
   reload the page once the run is done. Without JavaScript the status shows on reload. */
(function () {
  "use strict";
  var el = document.querySelector("[data-poll-url]");
  if (!el || !window.fetch) { return; }
  var url = el.getAttribute("data-poll-url");
  var tries = 0;
  function poll() {
    tries += 1;
    if (tries > 120) { return; } /* give up after about ten minutes */
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && !data.active) { window.location.reload(); return; }
        window.setTimeout(poll, 5000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 3000);
})();
