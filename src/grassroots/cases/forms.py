"""Forms of the staff pages: the list's and the board's filters, and the board's bulk actions.

Choices come from the user's scope, so a form never offers an area or a unit the user may not
see. The per-action forms of the detail page are in ``forms_actions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Capability
from grassroots.core.memo import memoized
from grassroots.core.params import BoundedDateField
from grassroots.orgs.models import UnitKind
from grassroots.people.forms import area_choices_for
from grassroots.worktime.models import Urgency

from . import selectors
from . import services as svc
from .errors import TransitionNotAllowed
from .models import Case, CaseEvent, Category, Channel, Tier

if TYPE_CHECKING:
    from grassroots.areas.models import Area
    from grassroots.orgs.models import Unit

NOTE_MAX = svc.NOTE_MAX
SEARCH_MAX = 50


def _all(choices) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


def text_field(label, *, required: bool = False, rows: int = 2, help_text: str = "") -> forms.CharField:
    """A note, reason or reply: at most NOTE_MAX characters (a 5 MB paste gets a message, not a 500)."""
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": format_lazy(_("请填写{label}"), label=label),
                        "max_length": format_lazy(_("{label}不能超过{max}个字"), label=label, max=NOTE_MAX)})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- the list's filters ---------------------------------------------------------------------------------


def category_choices() -> list[tuple[str, str]]:
    """First- and second-level categories (a filter includes the whole subtree); kept in memory for a
    few seconds like the other small tables (``core.memo``), read on every list and board page."""
    return memoized(CATEGORY_CHOICES_KEY, _category_choices)


CATEGORY_CHOICES_KEY = "cases.category_choices"


def _category_choices() -> list[tuple[str, str]]:
    return [(code, ("\u3000" if level == 2 else "") + name)
            for code, name, level in Category.objects.filter(level__lte=2).values_list("code", "name", "level")]


def _place_choices(form: forms.Form, user, capability: str) -> None:
    """The category picker, and the area picker over the user's areas (none: no area field)."""
    form.fields["category"].choices = _all(category_choices())
    areas = area_choices_for(user, capability)
    if areas:
        form.fields["area"].choices = areas
    else:
        del form.fields["area"]


class CaseFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("分类"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_all(Case.Status.choices))
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False, choices=_all(Urgency.choices))
    channel = forms.ChoiceField(label=_("来源渠道"), required=False, choices=_all(Channel.choices))
    tier = forms.ChoiceField(label=_("响应层级"), required=False, choices=_all(Tier.choices))
    category = forms.ChoiceField(label=_("类别"), required=False)
    area = forms.ChoiceField(label=_("区域"), required=False)
    unit = forms.ChoiceField(label=_("承办单位"), required=False)
    created_from = BoundedDateField(label=_("上报日期从"), required=False, widget=DateInput())
    created_to = BoundedDateField(label=_("至"), required=False, widget=DateInput())
    q = forms.CharField(label=_("编号/标题"), required=False, max_length=SEARCH_MAX,
                        error_messages={"max_length": format_lazy(_("搜索词不能超过{n}个字"), n=SEARCH_MAX)})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = _all((g.key, g.label) for g in selectors.STATUS_GROUPS)
        _place_choices(self, user, Capability.VIEW_CASES)
        units = selectors.units_for_filter(user).values_list("pk", "name")
        self.fields["unit"].choices = _all((str(pk), name) for pk, name in units)

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("结束日期不能早于开始日期"))
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.cases_filter`` (none when the form is invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"group": d["group"], "status": d["status"], "urgency": d["urgency"], "channel": d["channel"],
                "tier": d["tier"], "category_code": d["category"], "area_code": d.get("area", ""),
                "unit_id": int(d["unit"]) if d["unit"] else None, "created_from": d["created_from"],
                "created_to": d["created_to"], "text": d["q"].strip()}


class BoardFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("待办类型"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False, choices=_all(Urgency.choices))
    category = forms.ChoiceField(label=_("类别"), required=False)
    area = forms.ChoiceField(label=_("区域"), required=False)
    q = CaseFilterForm.base_fields["q"]
    include_lower = forms.BooleanField(label=_("含下级待办"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _all((k.key, k.label) for k in selectors.BOARD_KINDS)
        _place_choices(self, user, Capability.DISPATCH_CASES)

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"kind": "", "include_lower": False, "filters": {}}
        d = self.cleaned_data
        return {"kind": d["kind"], "include_lower": d["include_lower"],
                "filters": {"urgency": d["urgency"], "category_code": d["category"],
                            "area_code": d.get("area", ""), "text": d["q"].strip()}}


UNIT_KINDS = dict(UnitKind.choices)  # lazy names: in the language of the request when formatted


def unit_choice(unit, suggested: set[int]) -> tuple[str, str]:
    """A unit in a select: its name and kind, starred when the duty catalogue suggests it. (The kind's
    name from one dict, not ``get_kind_display()``, which rebuilds the choices for every unit: a third
    of the dispatch board's time with 140 units.)"""
    return _unit_option(unit.pk, unit.name, unit.kind, starred=unit.pk in suggested)


def _unit_option(pk: int, name: str, kind: str, *, starred: bool = False) -> tuple[str, str]:
    label = f"{name}（{UNIT_KINDS.get(kind, kind)}）"
    return str(pk), f"★ {label}" if starred else label


# --- bulk actions on the dispatch board ------------------------------------------------------------------


class CaseIdsField(forms.MultipleChoiceField):
    """Ticked case ids; whether each is visible to the user is checked when acting (never a list of
    every visible id as choices)."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) < 19

    def clean(self, value):
        return sorted({int(v) for v in super().clean(value)})


class BulkForm(forms.Form):
    """Accept, or dispatch, several cases at once: all of them, or — if one cannot — none."""

    ACTIONS = {"accept": _("受理"), "dispatch": _("派单")}
    action = forms.ChoiceField(choices=list(ACTIONS.items()), error_messages={
        "required": _("请选择批量受理或批量派单"), "invalid_choice": _("只能批量受理或批量派单")})
    cases = CaseIdsField(label=_("诉求"), error_messages={"required": _("请先勾选诉求")})
    to_unit = forms.ChoiceField(label=_("派给承办单位"), required=False,
                                error_messages={"invalid_choice": _("请从列表中选择承办单位")})
    to_area = forms.ChoiceField(label=_("或派给网格/社区/街道"), required=False,
                                error_messages={"invalid_choice": _("请从列表中选择网格/社区/街道")})
    note = text_field(_("说明（选填）"), rows=1)

    def __init__(self, data=None, *, user, cases=None, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        units, teams = selectors.bulk_dispatch_choices(user)
        self.fields["to_unit"].choices = [("", "—")] + [_unit_option(*unit) for unit in units]
        self.fields["to_area"].choices = [("", "—"), *teams]
        self.to_unit: Unit | None = None  # the picked unit or team, read in clean()
        self.to_area: Area | None = None
        self.visible = selectors.staff_cases_for(user) if cases is None else cases
        self.failures: list[tuple[Case | None, str]] = []
        self.done: list[Case] = []

    def clean(self):
        data = super().clean()
        if data.get("action") == "dispatch" and bool(data.get("to_unit")) == bool(data.get("to_area")):
            raise forms.ValidationError(_("批量派单请选择承办单位或责任网格/社区/街道（二选一）"))
        units, teams = selectors.bulk_dispatch_targets(self.user)
        if data.get("to_unit"):
            self.to_unit = units.filter(pk=data["to_unit"]).first()
        if data.get("to_area"):
            self.to_area = teams.filter(code=data["to_area"]).first()
        return data

    def submit(self) -> bool:
        """True when every ticked case was done; otherwise nothing was written and ``failures``
        names each case that could not be done, and why."""
        if not self.is_valid():
            return False
        data = self.cleaned_data
        cases = list(self.visible.filter(pk__in=data["cases"]).order_by("pk"))
        for pk in sorted(set(data["cases"]) - {c.pk for c in cases}):
            self.failures.append((None, _("编号为 %(pk)s 的诉求不存在或您无权查看") % {"pk": pk}))
        try:
            with transaction.atomic():
                for case in cases:
                    try:
                        self._one(case, data)
                    except (TransitionNotAllowed, PermissionDenied, ValidationError) as exc:
                        self.failures.append((case, _message(exc)))
                    else:
                        self.done.append(case)
                if self.failures:
                    raise _RollBack
        except _RollBack:
            self.done = []
            return False
        return True

    def _one(self, case: Case, data) -> CaseEvent:
        if data["action"] == "accept":
            return svc.case_accept(case=case, actor=self.user, note=data["note"])
        return svc.case_dispatch(case=case, actor=self.user, note=data["note"],
                                 to_unit=self.to_unit, to_area=self.to_area)


class _RollBack(Exception):
    pass


def _message(exc: Exception) -> str:
    if isinstance(exc, TransitionNotAllowed):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)
