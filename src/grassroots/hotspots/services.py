"""Writes of 每月一题. Each service is one transaction that writes the row, one
``MonthlyProblemUpdate`` and one audit row; bad input raises ``ValidationError`` with Chinese
messages keyed by field and writes nothing.

The state table (``TRANSITIONS``)::

    action     from                    to
    promote    —                       planned
    start      planned                 in_progress
    progress   planned, in_progress    (unchanged: a progress report)
    finish     in_progress             done

Overdue is not a state: a problem past its deadline and not done is shown as 已逾期.
Who: staff who dispatch cases (受理/派单) at the street or above promote and change; everyone who
sees cases in the street reads (``selectors.py``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.cases.models import Case, Category
from grassroots.core.params import bounded_date
from grassroots.core.services import audit_record
from grassroots.orgs.models import Unit

from .models import MonthlyProblem, MonthlyProblemUpdate

S = MonthlyProblem.Status
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "start": (frozenset({S.PLANNED}), S.IN_PROGRESS),
    "progress": (frozenset({S.PLANNED, S.IN_PROGRESS}), None),
    "finish": (frozenset({S.IN_PROGRESS}), S.DONE),
}
ACTION_LABELS = {"promote": _("立项"), "start": _("开始推进"), "progress": _("报告进展"), "finish": _("完成")}
TITLE_MAX, PLAN_MAX, NOTE_MAX, CASES_MAX = 120, 3000, 2000, 500


def may_manage(user, street: Area) -> bool:
    """Street staff (受理/派单 at the street or above) promote and change the street's problems."""
    return scope_for(user).can_at(Capability.DISPATCH_CASES, street.code)


def _text(value, *, key: str, label: str, maximum: int, errors: dict) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        errors[key] = [f"请填写{label}"]
    elif len(value) > maximum:
        errors[key] = [f"{label}最多{maximum}字（现有{len(value)}字），请删减"]
    return value


def _deadline(value, errors: dict) -> date | None:
    try:
        value = bounded_date(value, label="完成时限")
    except ValidationError as exc:
        errors["deadline"] = exc.messages
        return None
    if value is None:
        errors.setdefault("deadline", ["请填写完成时限"])
        return None
    if value < timezone.localdate():
        errors["deadline"] = [f"完成时限 {value:%Y-%m-%d} 已经过去，请选择今天或以后的日期"]
    return value


def _lead(value, street: Area, errors: dict) -> Unit | None:
    if isinstance(value, Unit):
        unit = value
    else:
        try:
            unit = Unit.objects.filter(pk=int(value)).first() if value not in (None, "") else None
        except (TypeError, ValueError):
            unit = None
        if unit is None:
            errors["lead_unit"] = ["请选择牵头单位（负责牵头解决这个问题的部门或单位）"]
            return None
    if unit.district_code != street.code[:6]:
        errors["lead_unit"] = ["牵头单位须是本区县的部门或单位，请重新选择"]
        return None
    return unit


@transaction.atomic
def monthly_problem_promote(*, actor, street: Area, title: str, lead_unit, plan: str, deadline,
                            source: str, source_key: str, source_data: dict | None = None,
                            category: Category | None = None, cases: list[Case] | None = None,
                            residents: int = 0) -> tuple[MonthlyProblem, bool]:
    """Promote a hot problem to the street's problem of the month: (problem, True), or the problem
    promoted earlier from the same hot problem (a double-clicked button) and False."""
    if street.level != Level.STREET:
        raise ValidationError({"street": ["只能在街道立项每月一题"]})
    if not may_manage(actor, street):
        raise PermissionDenied("只有本街道受理/派单的工作人员可以立项每月一题")
    existing = MonthlyProblem.objects.filter(street=street, source_key=source_key).first()
    if existing is not None:
        return existing, False
    errors: dict[str, list[str]] = {}
    title = _text(title, key="title", label="题目", maximum=TITLE_MAX, errors=errors)
    plan = _text(plan, key="plan", label="工作方案", maximum=PLAN_MAX, errors=errors)
    unit = _lead(lead_unit, street, errors)
    day = _deadline(deadline, errors)
    if source not in MonthlyProblem.Source.values or not source_key or len(source_key) > 80:
        errors["source"] = ["请从上升问题或多发问题列表中立项"]
    cases = list(cases or [])[:CASES_MAX]
    if any(not c.area_code.startswith(street.code) for c in cases):
        errors["cases"] = ["关联诉求须在本街道范围内"]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    problem = MonthlyProblem(
        street=street, title=title, source=source, source_key=source_key, source_data=source_data or {},
        category=category, lead_unit=unit, plan=plan, deadline=day, month=f"{today:%Y-%m}",
        residents=max(0, int(residents)), created_by=actor, district_code=street.code[:6])
    try:
        with transaction.atomic():
            problem.save(force_insert=True)
    except IntegrityError:  # the same button, twice at the same moment: the first one wins
        return MonthlyProblem.objects.get(street=street, source_key=source_key), False
    problem.cases.set(cases, through_defaults={"district_code": problem.district_code})
    _update(problem, actor=actor, action="promote", from_status="", note=plan[:NOTE_MAX])
    return problem, True


@transaction.atomic
def monthly_problem_act(*, problem: MonthlyProblem, action: str, actor, note: str = "") -> MonthlyProblem:
    """start / progress / finish under the table, with the actor's progress note (required for a
    progress report and for finishing: what was done)."""
    problem = MonthlyProblem.objects.select_for_update().select_related("street").get(pk=problem.pk)
    if not may_manage(actor, problem.street):
        raise PermissionDenied("只有本街道受理/派单的工作人员可以更新每月一题")
    if action not in TRANSITIONS:
        raise ValidationError({"action": [f"未知的操作“{action[:20]}”"]})
    allowed, to_status = TRANSITIONS[action]
    if problem.status not in allowed:
        raise ValidationError({"action": [
            f"“{problem.get_status_display()}”的每月一题不能{ACTION_LABELS[action]}"]})
    errors: dict[str, list[str]] = {}
    note = (note or "").strip() if isinstance(note, str) else ""
    if action in ("progress", "finish") and not note:
        errors["note"] = ["请填写进展说明（做了什么、结果如何）"]
    elif len(note) > NOTE_MAX:
        errors["note"] = [f"进展说明最多{NOTE_MAX}字（现有{len(note)}字），请删减"]
    if errors:
        raise ValidationError(errors)
    from_status = problem.status
    fields = ["updated_at"]
    now = timezone.now()
    if to_status:
        problem.status = to_status
        fields.append("status")
        if to_status == S.IN_PROGRESS:
            problem.started_at = now
            fields.append("started_at")
        if to_status == S.DONE:
            problem.done_at = now
            fields.append("done_at")
    problem.save(update_fields=fields)
    _update(problem, actor=actor, action=action, from_status=from_status, note=note)
    return problem


def _update(problem: MonthlyProblem, *, actor, action: str, from_status: str, note: str) -> None:
    MonthlyProblemUpdate.objects.create(problem=problem, actor=actor, action=action, from_status=from_status,
                                        to_status=problem.status, note=note, district_code=problem.district_code)
    audit_record(actor=actor, action=f"hotspots.monthly_{action}", obj=problem,
                 detail={"from": from_status, "to": problem.status, "street": problem.street.code,
                         "source_key": problem.source_key})
