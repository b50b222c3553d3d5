// A merge button sends its form once: a double click does not send it twice (the server refuses a
// second merge anyway).
document.addEventListener("submit", function (e) {
  var button = e.target.querySelector("button[data-once]");
  if (!button) return;
  if (button.dataset.sent) { e.preventDefault(); return; }
  button.dataset.sent = "1";
  setTimeout(function () { button.disabled = true; }, 0);
});
