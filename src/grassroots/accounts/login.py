"""Password sign-in that a guesser cannot hammer: after ``PER_ACCOUNT`` failed attempts on one account,
or ``PER_ADDRESS`` from one address, within the window, sign-in there is refused — without even
checking the password — and the page says, in Chinese, when to try again. Counters are in the cache
every server process shares (``core.throttle``), so four gunicorn workers allow no more than one.

Used by the staff login page and the admin's. (Residents sign in with a text-message code: its own
limits are in ``portal/accounts.py``.)
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from grassroots.core.throttle import Limit, hit, peek, wait_text

PER_ACCOUNT = Limit("login.account", 5, 900)
PER_ADDRESS = Limit("login.address", 30, 900)


class ThrottledLoginMixin:
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": _("用户名或密码不正确，请重新输入。")}

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request is not None else ""
        checks = [(PER_ACCOUNT, username)] + ([(PER_ADDRESS, address)] if address else [])
        for limit, key in checks:
            verdict = peek(limit, key)
            if not verdict.allowed:
                raise forms.ValidationError(_("登录失败次数过多，请%(when)s再试") % {"when": wait_text(verdict.retry_after)},
                                            code="throttled")
        try:
            return super().clean()
        except forms.ValidationError as exc:
            if getattr(exc, "code", "") != "inactive":
                verdicts = [hit(limit, key) for limit, key in checks]
                left = PER_ACCOUNT.count - verdicts[0].used
                if 0 < left <= 3:
                    raise forms.ValidationError([*exc.messages, _("再输错 %(n)s 次，该账号将暂停登录15分钟") % {"n": left}],
                                                code="invalid_login") from None
            raise


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
