// Claim form: picking a building loads its households; picking a household fills the hidden field.
(function () {
  var form = document.getElementById("claim-form");
  if (!form) return;
  var results = document.getElementById("household-results");
  var hidden = form.querySelector("input[name=household]");
  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name === "building" && t.value && window.htmx) {
      htmx.ajax("GET", results.dataset.url + "?building=" + encodeURIComponent(t.value), {target: results});
    } else if (t.name === "household_pick") {
      hidden.value = t.value;
    }
  });
  form.addEventListener("submit", function (e) {
    var b = form.querySelector("[data-once]");
    if (b.dataset.busy) { e.preventDefault(); return; }
    b.dataset.busy = "1";
  });
})();
