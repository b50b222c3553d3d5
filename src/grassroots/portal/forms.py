"""The portal's forms only parse and render: every rule (lengths, phone, place, photos) lives in
``services.report_submit`` so that the page and any other caller get the same Chinese messages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grassroots.cases.models import Channel, Rating, Tier

from .selectors import common_categories
from .services import ADDRESS_MAX, CONTACT_NAME_MAX, DESCRIPTION_MAX, TITLE_MAX

ECHO_MAX = 2 * DESCRIPTION_MAX  # a longer description is not sent back into the page in full
EXTRA_KEYS = {"photos", "location"}  # service errors shown next to a section, not a form field
SERVICE_KEYS = {"body": "description"}  # case_receive's names for the form's fields


def _text(label, *, maximum: int | None = None, widget=None, **attrs) -> forms.CharField:
    widget = widget or forms.TextInput()
    if maximum:
        widget.attrs["maxlength"] = str(maximum)
    widget.attrs.update(attrs)
    return forms.CharField(label=label, required=False, strip=False, widget=widget)


class ReportForm(forms.Form):
    description = _text(_("问题描述"), maximum=DESCRIPTION_MAX,
                        widget=forms.Textarea(attrs={"rows": 5, "required": True}),
                        placeholder=_("请写清楚：什么问题、在哪里、持续多久了。例如：3栋2单元楼道灯坏了一周，晚上看不清。"))
    title = _text(_("标题（可不填）"), maximum=TITLE_MAX, placeholder=_("不填则取描述的第一句"))
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    building = forms.CharField(required=False, widget=forms.HiddenInput)
    address = _text(_("地址"), maximum=ADDRESS_MAX, placeholder=_("如：阳光小区3栋2单元门口"), autocomplete="street-address")
    category = forms.CharField(label=_("问题类别（可不选）"), required=False, widget=forms.Select)
    emergency = forms.BooleanField(label=_("紧急（危及安全）"), required=False)
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    contact_name = _text(_("联系人"), maximum=CONTACT_NAME_MAX, autocomplete="name")
    contact_phone = _text(_("联系电话"), maximum=20, inputmode="tel", autocomplete="tel",
                          placeholder=_("用于回访，只有工作人员可见"))
    intake_key = forms.CharField(required=False, widget=forms.HiddenInput)
    description_cut = False  # the description was too long to echo back in full

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_errors: dict[str, list[str]] = {}
        self.fields["category"].widget.choices = [("", _("不确定 / 其他"))] + [
            (c.code, c.label) for c in common_categories()]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's messages (keyed by field) next to the fields: ``photos`` and ``location``
        next to their sections (``extra_errors``), the rest on top."""
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        for key, messages in errors.items():
            key = SERVICE_KEYS.get(key, key)
            if key in EXTRA_KEYS:
                self.extra_errors.setdefault(key, []).extend(messages)
                continue
            for message in messages:
                self.add_error(key if key in self.fields else None, message)

    def trim_echo(self) -> None:
        """Before the page is sent back: a huge description is echoed only in part."""
        if self.is_bound and len(self.data.get("description", "")) > ECHO_MAX:
            data = self.data.copy()
            data["description"] = data["description"][:DESCRIPTION_MAX]
            self.data = data
            self.description_cut = True

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.extra_errors)

    def submit_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "description": d["description"], "title": d["title"], "lat": d["lat"], "lng": d["lng"],
            "building_code": d["building"], "address": d["address"], "category_code": d["category"],
            "emergency": d["emergency"], "anonymous": d["anonymous"], "contact_name": d["contact_name"],
            "contact_phone": d["contact_phone"], "intake_key": d["intake_key"],
        }


STAFF_CHANNELS = [(Channel.PATROL, _("巡查上报")), (Channel.WALK_IN, _("窗口登记"))]


class StaffReportForm(ReportForm):
    channel = forms.ChoiceField(label=_("来源"), choices=STAFF_CHANNELS, initial=Channel.PATROL,
                                widget=forms.RadioSelect,
                                error_messages={"invalid_choice": _("请选择来源：巡查上报或窗口登记")})
    tier = forms.ChoiceField(label=_("响应层级"), required=False,
                             choices=[("", _("按分级响应规则自动确定"))] + list(Tier.choices),
                             error_messages={"invalid_choice": _("请从列表中选择响应层级")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].label = _("反映人姓名")
        self.fields["contact_phone"].label = _("反映人电话")
        self.fields["contact_phone"].widget.attrs["placeholder"] = _("巡查发现可不填")

    def submit_kwargs(self) -> dict:
        return super().submit_kwargs() | {"channel": self.cleaned_data["channel"],
                                          "tier": self.cleaned_data["tier"]}


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("您对办理结果满意吗？"), choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择：满意、基本满意或不满意"),
                                               "invalid_choice": _("请选择：满意、基本满意或不满意")})
    comment = _text(_("意见或建议（可不填）"), maximum=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_comment(self) -> str:
        comment = (self.cleaned_data.get("comment") or "").strip()
        if len(comment) > DESCRIPTION_MAX:
            raise ValidationError(_("意见不能超过%(max)s个字（现有%(n)s个字）") % {"max": DESCRIPTION_MAX,
                                                                          "n": len(comment)})
        return comment
