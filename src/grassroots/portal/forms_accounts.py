"""Forms of the resident's account pages: they only parse; ``accounts.py`` holds every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), required=False, max_length=20, widget=forms.TextInput(attrs={
        "inputmode": "tel", "autocomplete": "tel", "placeholder": _("11位手机号"), "maxlength": "20"}))
    code = forms.CharField(label=_("短信验证码"), required=False, max_length=10, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": _("6位数字"), "maxlength": "10"}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ClaimForm(forms.Form):
    name = forms.CharField(label=_("姓名"), required=False, max_length=60, widget=forms.TextInput(attrs={
        "autocomplete": "name", "placeholder": _("与身份证一致")}))
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=30, widget=forms.TextInput(attrs={
        "autocomplete": "off", "placeholder": _("18位，末位可为X")}))
    household = forms.CharField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("补充说明（可不填）"), required=False, max_length=200, widget=forms.TextInput(attrs={
        "placeholder": _("如：租户、刚搬来、与户主关系")}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("refuse", _("不通过"))],
                                 error_messages={"required": _("请选择确认或不通过"),
                                                 "invalid_choice": _("请选择确认或不通过")})
    reason = forms.CharField(label=_("不通过的原因（居民可见）"), required=False, max_length=200)
