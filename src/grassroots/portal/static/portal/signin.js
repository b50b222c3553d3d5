// The sign-in page: one request per click on "获取验证码", then a 60-second countdown before the next.
(function () {
  var form = document.getElementById("signin-form");
  var button = document.getElementById("send-code");
  if (!form || !button) return;
  form.addEventListener("submit", function (e) {
    if (e.submitter !== button) return;
    if (button.dataset.busy) { e.preventDefault(); return; }
    button.dataset.busy = "1";
  });
  if (!form.hasAttribute("data-sent")) return;
  var left = 60, label = button.textContent;
  button.disabled = true;
  button.textContent = left + " " + button.dataset.wait;
  var tick = setInterval(function () {
    left -= 1;
    button.textContent = left + " " + button.dataset.wait;
    if (left <= 0) { clearInterval(tick); button.disabled = false; button.textContent = label; }
  }, 1000);
  var code = document.getElementById("id_code");
  if (code) code.focus();
})();
