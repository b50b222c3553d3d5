// Organisation tree: a ▸ button shows/hides its children; htmx loads them on the first click.
document.addEventListener("click", function (event) {
  var button = event.target.closest(".area-tree .toggle[aria-controls]");
  if (!button) return;
  var list = document.getElementById(button.getAttribute("aria-controls"));
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  button.closest(".node").setAttribute("aria-expanded", String(open));
  if (list) list.hidden = !open;
});
