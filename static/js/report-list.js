// The reports list: "select every report on this page" for the bulk actions. Without
// JavaScript the box stays hidden and each report is ticked on its own.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.querySelector("[data-select-all]");
    if (!all) return;
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=items]"));
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = boxes.every(function (b) { return b.checked; });
      });
    });
  });
})();
