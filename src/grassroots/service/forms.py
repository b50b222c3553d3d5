"""Forms of the 双报到 pages: they parse; ``services.py`` holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    community = forms.CharField(label=_("居住社区"), required=False, widget=forms.Select)
    posts = forms.MultipleChoiceField(label=_("申请岗位（可多选）"), required=False, choices=(),
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, communities=(), posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].widget.choices = [("", _("请选择"))] + [
            (c.code, f"{c.parent.name} · {c.name}" if c.parent else c.name) for c in communities]
        self.fields["posts"].choices = [(str(p.pk), p.name) for p in posts]


class RecordForm(forms.Form):
    post = forms.CharField(label=_("岗位"), required=False, widget=forms.Select)
    what = forms.CharField(label=_("服务内容"), max_length=400, required=False, widget=forms.Textarea(attrs={
        "rows": 3, "placeholder": _("如：入户宣传医保政策，走访8户")}))
    served_on = forms.DateField(label=_("服务日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": _("请选择服务日期")})
    hours = forms.CharField(label=_("时长（小时）"), required=False, widget=forms.TextInput(attrs={
        "inputmode": "decimal", "placeholder": "1.5"}))
    photo = forms.FileField(label=_("现场照片（可不传）"), required=False, widget=forms.ClearableFileInput(attrs={
        "accept": "image/*", "capture": "environment"}))

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].widget.choices = [("", _("不限岗位"))] + [(str(p.pk), p.name) for p in posts]


class UnitRegisterForm(forms.Form):
    unit = forms.CharField(label=_("单位"), required=False, widget=forms.Select)
    community = forms.CharField(label=_("报到社区"), required=False, widget=forms.Select)
    resources = forms.CharField(label=_("可提供的资源"), required=False, max_length=1200,
                                widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：会议室、车辆、场地")}))
    services = forms.CharField(label=_("可提供的服务"), required=False, max_length=1200,
                               widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：义诊、法律咨询、家电维修")}))
    volunteers = forms.IntegerField(label=_("可派志愿者人数"), required=False, min_value=0, max_value=10000,
                                    error_messages={"invalid": _("请填写整数")})
    venue_hours = forms.CharField(label=_("场地开放时间"), required=False, max_length=200)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)

    def __init__(self, *args, units=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [(str(u.pk), u.name) for u in units]
        self.fields["community"].widget.choices = [("", _("请选择"))] + [
            (c.code, f"{c.parent.name} · {c.name}" if c.parent else c.name) for c in communities]
