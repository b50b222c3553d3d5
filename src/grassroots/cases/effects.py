"""What each action does to the case besides changing its status, and the checks it needs.

``case_transition`` calls ``EFFECTS[action](step)`` under the row lock, after the table and the
permission have been checked. An effect validates its inputs (raising ValidationError, or
TransitionNotAllowed for a rule of the process such as "return once"), changes fields through
``step.set`` (so that exactly those fields are saved) and puts what the timeline needs in
``step.event_data``. It never writes an event itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.orgs.models import Unit, UnitKind

from .errors import TransitionNotAllowed
from .models import Case, CaseEvent, Rating, Tier
from .permissions import control_code, dispatch_root

TEAM_CODE_LENGTHS = (15, 12, 9, 6)  # grid, community, street, district: the teams that own cases
LEVEL_TIER = {
    Level.HOUSEHOLD: Tier.GRID, Level.BUILDING: Tier.GRID, Level.GRID: Tier.GRID,
    Level.COMMUNITY: Tier.COMMUNITY, Level.STREET: Tier.STREET, Level.DISTRICT: Tier.DEPARTMENT,
}
DISPATCH_LEVELS = (Level.GRID, Level.COMMUNITY, Level.STREET)


@dataclass
class Step:
    """One transition being applied: the locked case, who acts, and the inputs."""

    case: Case
    actor: Any
    action: str
    note: str
    data: dict[str, Any]
    event_data: dict[str, Any] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.case, name, value)
            self.fields.add(name)

    def take(self, key: str, default: Any = None) -> Any:
        return self.data.pop(key, default)

    def require_note(self, message: str) -> None:
        if not self.note:
            raise ValidationError({"note": message})


def tier_for_level(level: str) -> str:
    return LEVEL_TIER.get(level, Tier.STREET)


def parent_team_code(code: str) -> str | None:
    """The code of the team one level up: building/household → grid → community → street → district."""
    return next((code[:n] for n in TEAM_CODE_LENGTHS if n < len(code)), None)


def holder_key(case: Case) -> str:
    if case.assigned_unit_id is not None:
        return f"unit:{case.assigned_unit_id}"
    if case.assigned_area_id is not None:
        return f"area:{case.assigned_area.code}"
    return ""


def _as_instance(model, value, label: str):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError):
        raise ValidationError({label: f"找不到编号为 {value} 的{model._meta.verbose_name}"}) from None


# --- receiving -------------------------------------------------------------------------------------


def accept(step: Step) -> None:
    step.set(accepted_by=step.actor)


def reject(step: Step) -> None:
    step.require_note("请说明不予受理的原因，以及应向哪个渠道反映")


def merge(step: Step) -> None:
    target = _as_instance(Case, step.take("into"), "into")
    case = step.case
    if target is None:
        raise ValidationError({"into": "请选择要合并到的诉求"})
    if target.pk == case.pk:
        raise ValidationError({"into": "不能把诉求合并到它自己"})
    if target.status in (Case.Status.MERGED, Case.Status.REJECTED):
        raise ValidationError({"into": f"诉求“{target.code}”已{target.get_status_display()}，不能作为合并目标"})
    if target.district_code != case.district_code or not scope_for(step.actor).can_at(
            Capability.DISPATCH_CASES, target.scope_code):
        raise PermissionDenied(f"您无权把诉求合并到“{target.code}”")
    step.set(merged_into=target)
    step.event_data.update(into=target.pk, into_code=target.code)


# --- dispatching -----------------------------------------------------------------------------------


def _check_unit(step: Step, unit: Unit) -> None:
    case = step.case
    if unit.district_code != case.district_code or not case.scope_code.startswith(unit.area.code):
        raise ValidationError({"to_unit": f"“{unit.name}”的服务区域不包括该诉求所在地，不能派给它"})


def _check_team(step: Step, area: Area) -> None:
    case = step.case
    if area.level not in DISPATCH_LEVELS:
        raise ValidationError({"to_area": "只能派给网格、社区或街道"})
    if not case.scope_code.startswith(area.code):
        raise ValidationError({"to_area": f"诉求不在“{area.name}”范围内，不能派给它"})
    if step.actor is not None and not scope_for(step.actor).can_at(Capability.DISPATCH_CASES, area.code):
        raise PermissionDenied(f"您不能派单给“{area.name}”；需要上级处理时请使用“上提”")


def dispatch(step: Step) -> None:
    unit = _as_instance(Unit, step.take("to_unit"), "to_unit")
    area = _as_instance(Area, step.take("to_area"), "to_area")
    if (unit is None) == (area is None):
        raise ValidationError({"to_unit": "请选择承办单位或责任网格/社区（二选一）"})
    if unit is not None:
        _check_unit(step, unit)
        tier = Tier.DEPARTMENT if unit.kind in (UnitKind.DEPARTMENT, UnitKind.UTILITY) else \
            tier_for_level(unit.area.level)
        step.set(assigned_unit=unit, handler=None, tier=tier)
        step.event_data.update(unit=unit.pk, to_name=unit.name)
    else:
        _check_team(step, area)
        step.set(assigned_area=area, assigned_unit=None, handler=None, tier=tier_for_level(area.level))
        step.event_data.update(area=area.code, to_name=area.name)


def start(step: Step) -> None:
    """就地办理: the local team takes the case itself, without a dispatch."""
    root = dispatch_root(step.actor, step.case.scope_code, Capability.HANDLE_CASES)
    team = Area.objects.filter(code=root).first() if root else None
    if team is not None:
        step.set(assigned_area=team, tier=tier_for_level(team.level))
        step.event_data.update(area=team.code, to_name=team.name)
    step.set(assigned_unit=None, handler=step.actor)


def take(step: Step) -> None:
    step.set(handler=step.actor)
    step.event_data["holder"] = holder_key(step.case)


def return_(step: Step) -> None:
    """退单: once per holder, with a reason; the case goes back to the team above the holder."""
    step.require_note("请填写退单理由")
    case = step.case
    key = holder_key(case)
    if CaseEvent.objects.filter(case=case, action="return", data__holder=key).exists():
        raise TransitionNotAllowed("同一承办单位只能退单一次；本单位已退过一次，请办理或联系派单人转派")
    step.event_data["holder"] = key
    if case.assigned_unit_id is not None:
        step.event_data["unit"] = case.assigned_unit_id
        step.set(assigned_unit=None)
    elif case.assigned_area_id is not None:
        parent = parent_team_code(case.assigned_area.code)
        step.set(assigned_area=Area.objects.filter(code=parent).first() if parent else None)
    step.set(handler=None, return_count=case.return_count + 1)


def _future_datetime(value: Any, label: str) -> datetime:
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ValidationError({label: "请填写具体的日期和时间"})
    if not isinstance(value, datetime):
        raise ValidationError({label: "请填写新的办理时限"})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise ValidationError({label: "新的办理时限应晚于现在"})
    return value


def extend(step: Step) -> None:
    """延期: the dispatcher approves more time; the note says why."""
    step.require_note("请填写延期理由")
    until = _future_datetime(step.take("until"), "until")
    old = step.case.deadline
    if old is not None and until <= old:
        raise ValidationError({"until": "新的办理时限应晚于原时限"})
    step.set(deadline=until)
    step.event_data.update(old_deadline=old.isoformat() if old else None, deadline=until.isoformat())


def park(step: Step) -> None:
    """挂账: a long-term matter, reviewed again on ``until``."""
    step.require_note("请说明挂账原因")
    until = step.take("until")
    if isinstance(until, datetime):
        until = timezone.localdate(until) if timezone.is_aware(until) else until.date()
    if not isinstance(until, date):
        raise ValidationError({"until": "请填写复查日期"})
    if until <= timezone.localdate():
        raise ValidationError({"until": "复查日期应晚于今天"})
    step.set(parked_until=until)
    step.event_data["until"] = until.isoformat()


def unpark(step: Step) -> None:
    step.set(parked_until=None)


def escalate(step: Step) -> None:
    """上提: one tier up — the team above the current owner takes over and dispatches again."""
    parent = parent_team_code(control_code(step.case))
    team = Area.objects.filter(code=parent).first() if parent else None
    if team is None:
        raise TransitionNotAllowed("该诉求已在区级，无法再上提，请吹哨或派单给职能部门")
    step.set(assigned_area=team, assigned_unit=None, handler=None, tier=tier_for_level(team.level))
    step.event_data.update(area=team.code, to_name=team.name)


def whistle(step: Step) -> None:
    """吹哨报到: one lead unit and any assisting units; the lead holds the case and replies."""
    lead = _as_instance(Unit, step.take("lead"), "lead")
    if lead is None:
        raise ValidationError({"lead": "请选择牵头单位"})
    assisting = [_as_instance(Unit, u, "assisting") for u in step.take("assisting", ()) or ()]
    if any(u.pk == lead.pk for u in assisting):
        raise ValidationError({"assisting": "牵头单位不能同时是协办单位"})
    for unit in (lead, *assisting):
        if unit.district_code != step.case.district_code:
            raise ValidationError({"assisting": f"“{unit.name}”不在本区县，不能吹哨召集"})
    step.set(assigned_unit=lead, handler=None, tier=Tier.DEPARTMENT)
    step.event_data.update(unit=lead.pk, to_name=lead.name, assisting=[u.pk for u in assisting],
                           assisting_names=[u.name for u in assisting])


# --- closing ---------------------------------------------------------------------------------------


def reply(step: Step) -> None:
    step.require_note("请填写答复内容")
    step.set(replied_at=timezone.now())
    step.event_data["holder"] = holder_key(step.case)


def verify(step: Step) -> None:
    last_reply = CaseEvent.objects.filter(case=step.case, action="reply").order_by("-at", "-pk").first()
    if step.actor is not None and last_reply is not None and last_reply.actor_id == step.actor.pk:
        raise PermissionDenied("不能核实自己答复的诉求，请由网格员或社区核实")


def _rating(step: Step) -> str:
    rating = step.take("rating", "")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择：满意、基本满意或不满意"})
    step.event_data["rating"] = rating
    return rating


def rate(step: Step) -> None:
    step.set(rating=_rating(step), closed_at=timezone.now())


def rate_unsatisfied(step: Step) -> None:
    """The first 不满意: back to the same holder, who takes it again (重办)."""
    step.set(rating=_rating(step), reopen_count=step.case.reopen_count + 1, closed_at=None)


def reopen(step: Step) -> None:
    step.require_note("请填写重办理由")
    step.set(reopen_count=step.case.reopen_count + 1, closed_at=None)


def close(step: Step) -> None:
    """办结 without a rating (the sweep closes unrated cases after the configured days)."""
    step.set(closed_at=timezone.now())
    step.event_data["unrated"] = not step.case.rating


EFFECTS: dict[str, Callable[[Step], None]] = {
    "accept": accept, "reject": reject, "merge": merge, "dispatch": dispatch, "start": start,
    "take": take, "return": return_, "reassign": dispatch, "extend": extend, "park": park,
    "unpark": unpark, "escalate": escalate, "whistle": whistle, "reply": reply, "verify": verify,
    "rate": rate, "rate_unsatisfied": rate_unsatisfied, "reopen": reopen, "close": close,
}
