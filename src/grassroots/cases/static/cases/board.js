// Dispatch board: "tick all" and the count of ticked cases (the bulk form works without it).
(function () {
  "use strict";
  var all = document.getElementById("tick-all");
  var count = document.getElementById("tick-count");
  var boxes = function () { return document.querySelectorAll("#bulk-form input[name=cases]"); };
  function update() {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) n++; });
    if (count) count.textContent = String(n);
  }
  if (all) all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    update();
  });
  document.addEventListener("change", function (e) { if (e.target.name === "cases") update(); });
  update();
})();
