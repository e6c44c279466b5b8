// Live character counters for the plan's long sections. Counts like the server
// (consortia.validators.count_characters): every character except whitespace.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var fmt = window.interpolate || function (s, o) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return o[k]; }); };
  function count(text) { return text.replace(/\s+/g, "").length; }
  document.querySelectorAll("textarea[data-guide]").forEach(function (area) {
    var guide = parseInt(area.dataset.guide, 10), max = parseInt(area.dataset.max, 10);
    var out = document.createElement("span");
    out.className = "counter";
    out.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", out);
    function update() {
      var n = count(area.value);
      out.textContent = fmt(gettext("%(n)s characters (guide: about %(guide)s, at most %(max)s)"), {n: n, guide: guide, max: max}, true);
      out.classList.toggle("over", n > max);
    }
    area.addEventListener("input", update);
    update();
  });
})();
