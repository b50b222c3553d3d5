/* 积分 pages: a form marked data-once sends once (a double tap must not ask twice; the server is
   idempotent on the request key anyway, this only spares the second round trip). */
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form.hasAttribute("data-once")) return;
  var button = e.submitter || form.querySelector("button");
  if (form.dataset.sent) { e.preventDefault(); return; }
  form.dataset.sent = "1";
  if (button) window.setTimeout(function () { button.disabled = true; }, 0);
});
