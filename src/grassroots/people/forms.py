"""Filter forms for the people pages. Choices come from the user's scope, so a form never offers
an area, or a care tag, the user may not see."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Capability
from grassroots.areas.models import LEVEL_ORDER
from grassroots.areas.selectors import areas_visible_to

from .selectors import care_tag_choices_for

PICKER_LEVELS = ("district", "street", "community", "grid")


def area_choices_for(user, capability: str) -> list[tuple[str, str]]:
    """District → grid areas under the user's roots, indented by level, for a subtree picker."""
    areas = list(
        areas_visible_to(user, capability).filter(level__in=PICKER_LEVELS).order_by("code")
        .values_list("code", "name", "level")
    )
    if not areas:
        return []
    top = min(LEVEL_ORDER.index(level) for _code, _name, level in areas)
    return [("", _("全部"))] + [
        (code, "\u3000" * (LEVEL_ORDER.index(level) - top) + name) for code, name, level in areas
    ]


class ResidentFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("区域"), required=False)
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    care_tag = forms.ChoiceField(label=_("关爱标签"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = area_choices_for(user, Capability.VIEW_RESIDENTS)
        if areas:
            self.fields["area"].choices = areas
        else:
            del self.fields["area"]
        tags = care_tag_choices_for(user)
        if tags:
            self.fields["care_tag"].choices = [("", _("全部"))] + tags
        else:
            del self.fields["care_tag"]

    def filters(self) -> dict[str, str]:
        """Keyword arguments for ``selectors.residents_filter`` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"area_code": data.get("area", ""), "name": data.get("name", ""),
                "care_tag": data.get("care_tag", "")}


class NumberSearchForm(forms.Form):
    """Exact search by ID number or phone. Sent by POST so the number never lands in a URL or log."""

    number = forms.CharField(label=_("身份证号或手机号"), max_length=32,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_number(self) -> str:
        value = "".join(self.cleaned_data["number"].split())
        if len(value) < 7:
            raise forms.ValidationError(_("请输入完整的身份证号或手机号"))
        return value


class NameFilterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)

    def name_value(self) -> str:
        return self.cleaned_data.get("name", "") if self.is_valid() else ""


class PartyMemberFilterForm(NameFilterForm):
    in_service = forms.ChoiceField(label=_("在职党员"), required=False,
                                   choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))])

    def in_service_value(self) -> bool | None:
        if not self.is_valid() or self.cleaned_data.get("in_service", "") == "":
            return None
        return self.cleaned_data["in_service"] == "1"
