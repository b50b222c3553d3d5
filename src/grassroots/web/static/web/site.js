/* What every page does with script, kept out of the HTML so the content security policy can forbid
   inline script (docs/deploy.md). Pages ask for a behaviour by attribute:

   data-autosubmit            a <select> that submits its form when changed
   data-navigate="name"       a <select> that reloads the page with ?name=<value>
   data-confirm="question"    a button or link that asks before it goes on
   data-disable-on-submit     a form whose submit button is disabled once sent (no double submit)
   data-copy="element id"     a button (hidden until it can work) that copies that element's text,
                              then shows its data-done text
   data-swap-forbidden        anywhere on a page: htmx shows a 403 answer (its Chinese reason)
                              instead of ignoring it
*/
(function () {
  "use strict";

  // One menu of the top bar open at a time; a click elsewhere closes it.
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!(el instanceof HTMLSelectElement)) return;
    if (el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    } else if (el.dataset.navigate) {
      location.search = "?" + encodeURIComponent(el.dataset.navigate) + "=" + encodeURIComponent(el.value);
    }
  });

  document.addEventListener("click", function (e) {
    var el = e.target instanceof Element ? e.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.dataset.confirm)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-disable-on-submit")) return;
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) setTimeout(function () { button.disabled = true; }, 0);
  });

  function ready() {
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      var source = document.getElementById(btn.dataset.copy);
      if (!source || !navigator.clipboard) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          if (btn.dataset.done) btn.textContent = btn.dataset.done;
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 403 && document.querySelector("[data-swap-forbidden]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
