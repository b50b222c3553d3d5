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

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.orgs.models import Unit, UnitKind
from grassroots.worktime.calendar import CalendarMissing
from grassroots.worktime.selectors import deadline_for

from .errors import TransitionNotAllowed
from .models import Case, CaseEvent, Category, Rating, Tier, WhistleTask, mask_name
from .permissions import control_code, dispatch_root

TEAM_CODE_LENGTHS = (15, 12, 9, 6)
COMMUNITY_CODE_LENGTH = 12  # grid, community, street, district: the teams that own cases
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
    # Writes that need the event row (e.g. whistle tasks point at their whistle): run after it exists.
    after: list[Callable[[CaseEvent], None]] = field(default_factory=list)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.case, name, value)
            self.fields.add(name)

    def take(self, key: str, default: Any = None) -> Any:
        return self.data.pop(key, default)

    def require_note(self, message: str) -> None:
        if not self.note:
            raise ValidationError({"note": message})

    def responded(self) -> None:
        """The first response (受理, 接单 or 就地办理) starts the response clock's answer."""
        if self.case.responded_at is None:
            self.set(responded_at=timezone.now())

    def new_limit(self) -> None:
        """A fresh time limit from now for the case's urgency (reopening, unparking, escalation at
        the deadline). When the calendar cannot tell yet, the case has no deadline and the event says why."""
        now = timezone.now()
        try:
            deadline = deadline_for(start=now, urgency=self.case.urgency)
        except CalendarMissing as exc:
            deadline = None
            self.event_data["deadline_problem"] = str(exc)
        self.set(deadline=deadline, deadline_started_at=now, warned_at=None, overdue_at=None)
        self.event_data["deadline"] = deadline.isoformat() if deadline else None


def tier_for_level(level: str) -> str:
    return LEVEL_TIER.get(level, Tier.STREET)


def parent_team_code(code: str) -> str | None:
    """The code of the team one level up: building/household → grid → community → street → district."""
    return next((code[:n] for n in TEAM_CODE_LENGTHS if n < len(code)), None)


def holder_key(case: Case) -> str:
    if case.assigned_user_id is not None:
        return f"user:{case.assigned_user_id}"
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
    step.responded()


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
    step.after.append(lambda event: _tell_merged_resident(case, target, event))


def _tell_merged_resident(case: Case, target: Case, event: CaseEvent) -> None:
    """The duplicate follows the original: its resident hears so by text message (to the phone they
    left), with their own tracking code — the page shows the original's progress and, once it is
    answered, lets them rate it (``duplicates``). Never the original's code or its reporter."""
    from grassroots.notifications.models import Channel as MessageChannel
    from grassroots.notifications.services import outbox_enqueue

    _name, phone = case.plain_contact()
    if not phone:
        return
    code = "-".join(case.tracking_code[i:i + 4] for i in range(0, len(case.tracking_code), 4))
    text = (f"您反映的“{case.title[:30]}”与其他居民反映的同一问题合并办理（诉求{target.code}），"
            f"请凭查询码 {code} 查看办理进度，办结后可以评价。")
    outbox_enqueue(channel=MessageChannel.SMS, address=phone, text=text[:300],
                   key=f"case:{case.pk}:resident:merge:{event.pk}", district_code=case.district_code)


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


def _cancel_open_tasks(step: Step) -> None:
    """The summoned units' open tasks lapse when the case is moved elsewhere (转派) or closed."""
    n = WhistleTask.objects.filter(case=step.case, status=WhistleTask.Status.OPEN).update(
        status=WhistleTask.Status.CANCELLED)
    if n:
        step.event_data["tasks_cancelled"] = n


def member_may_take(user, case: Case) -> bool:
    """An in-service Party member may take (接单) cases of the community where they serve: their
    TAKE_CASES role is at that community, at one of its grids, or at an area containing the case."""
    place = case.scope_code
    return any(place.startswith(code) or (len(code) >= COMMUNITY_CODE_LENGTH and len(place) >= COMMUNITY_CODE_LENGTH
                                          and code[:COMMUNITY_CODE_LENGTH] == place[:COMMUNITY_CODE_LENGTH])
               for code in scope_for(user).codes(Capability.TAKE_CASES))


def _check_member(step: Step, user) -> None:
    if not user.is_active or not member_may_take(user, step.case):
        raise ValidationError({"to_user": f"“{user}”不是在本社区报到接单的党员，不能派给他/她"})


def dispatch(step: Step) -> None:
    """派单 to a unit, a grid/community/street team, or one Party member personally (党员接单)."""
    unit = _as_instance(Unit, step.take("to_unit"), "to_unit")
    area = _as_instance(Area, step.take("to_area"), "to_area")
    user = _as_instance(get_user_model(), step.take("to_user"), "to_user")
    if sum(x is not None for x in (unit, area, user)) != 1:
        raise ValidationError({"to_unit": "请选择承办单位、责任网格/社区或接单党员（三选一）"})
    if unit is not None:
        _check_unit(step, unit)
        tier = Tier.DEPARTMENT if unit.kind in (UnitKind.DEPARTMENT, UnitKind.UTILITY) else \
            tier_for_level(unit.area.level)
        step.set(assigned_unit=unit, assigned_user=None, handler=None, tier=tier)
        step.event_data.update(unit=unit.pk, to_name=unit.name)
    elif area is not None:
        _check_team(step, area)
        step.set(assigned_area=area, assigned_unit=None, assigned_user=None, handler=None,
                 tier=tier_for_level(area.level))
        step.event_data.update(area=area.code, to_name=area.name)
    else:
        _check_member(step, user)
        step.set(assigned_user=user, assigned_unit=None, handler=None)
        # The resident's timeline names the member only masked (张*明), as every page does.
        step.event_data.update(user=user.pk, to_name=f"党员{mask_name(str(user))}")
    _cancel_open_tasks(step)


def start(step: Step) -> None:
    """就地办理: the local team takes the case itself, without a dispatch."""
    root = dispatch_root(step.actor, step.case.scope_code, Capability.HANDLE_CASES)
    team = Area.objects.filter(code=root).first() if root else None
    if team is not None:
        step.set(assigned_area=team, tier=tier_for_level(team.level))
        step.event_data.update(area=team.code, to_name=team.name)
    step.set(assigned_unit=None, assigned_user=None, handler=step.actor)
    step.responded()


def take(step: Step) -> None:
    step.set(handler=step.actor)
    step.responded()
    step.event_data["holder"] = holder_key(step.case)


def return_(step: Step) -> None:
    """退单: once per holder, with a reason; the case goes back to the team above the holder."""
    step.require_note("请填写退单理由")
    case = step.case
    key = holder_key(case)
    if CaseEvent.objects.filter(case=case, action="return", data__holder=key).exists():
        raise TransitionNotAllowed("同一承办单位只能退单一次；本单位已退过一次，请办理或联系派单人转派")
    step.event_data["holder"] = key
    if case.assigned_user_id is not None:  # a Party member hands it back to the team that dispatched it
        step.event_data["user"] = case.assigned_user_id
        step.set(assigned_user=None)
    elif case.assigned_unit_id is not None:
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


def _later_deadline(step: Step, value: Any) -> datetime:
    until = _future_datetime(value, "until")
    old = step.case.deadline
    if old is not None and until <= old:
        raise ValidationError({"until": "新的办理时限应晚于原时限"})
    return until


def extend(step: Step) -> None:
    """延期: the dispatcher grants more time (approving the holder's request, or on their own);
    without ``until`` the requested time is granted. The note says why."""
    step.require_note("请填写延期理由")
    requested = step.case.extension_requested_until
    until = _later_deadline(step, step.take("until") or requested)
    old = step.case.deadline
    step.set(deadline=until, warned_at=None, overdue_at=None, extension_requested_until=None)
    step.event_data.update(old_deadline=old.isoformat() if old else None, deadline=until.isoformat(),
                           approved_request=requested is not None)


def request_extension(step: Step) -> None:
    """申请延期: the holder asks the dispatcher for more time, with a reason."""
    step.require_note("请填写申请延期的理由")
    if step.case.extension_requested_until is not None:
        raise TransitionNotAllowed("已有一份待审批的延期申请，请等待派单人审批")
    until = _later_deadline(step, step.take("until"))
    step.set(extension_requested_until=until)
    step.event_data["until"] = until.isoformat()


def deny_extension(step: Step) -> None:
    step.require_note("请填写不同意延期的理由")
    requested = step.case.extension_requested_until
    if requested is None:
        raise TransitionNotAllowed("该诉求没有待审批的延期申请")
    step.set(extension_requested_until=None)
    step.event_data["until"] = requested.isoformat()


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
    step.new_limit()


def escalate(step: Step) -> None:
    """上提: one tier up — the team above the current owner takes over and dispatches again.

    The sweep escalates at the deadline (``deadline_passed``, system only): the case is marked
    overdue and the team above gets a fresh time limit; a person's escalation keeps the deadline.
    """
    passed = bool(step.take("deadline_passed", False))
    if passed and step.actor is not None:
        raise PermissionDenied("只有系统在超过办理时限时自动上提")
    if passed and (step.case.deadline is None or step.case.deadline > timezone.now()):
        raise TransitionNotAllowed("该诉求尚未超过办理时限")
    parent = parent_team_code(control_code(step.case))
    team = Area.objects.filter(code=parent).first() if parent else None
    if team is None:
        raise TransitionNotAllowed("该诉求已在区级，无法再上提，请吹哨或派单给职能部门")
    step.set(assigned_area=team, assigned_unit=None, assigned_user=None, handler=None,
             tier=tier_for_level(team.level))
    step.event_data.update(area=team.code, to_name=team.name)
    if passed:
        step.set(overdue=True)
        step.event_data["deadline_passed"] = True
        step.new_limit()


def whistle(step: Step) -> None:
    """吹哨报到: one lead unit and any assisting units, each with its own task and deadline; the lead
    holds the case and its reply answers the resident."""
    lead = _as_instance(Unit, step.take("lead"), "lead")
    if lead is None:
        raise ValidationError({"lead": "请选择牵头单位"})
    assisting = [_as_instance(Unit, u, "assisting") for u in step.take("assisting", ()) or ()]
    if any(u.pk == lead.pk for u in assisting):
        raise ValidationError({"assisting": "牵头单位不能同时是协办单位"})
    if len({u.pk for u in assisting}) != len(assisting):
        raise ValidationError({"assisting": "协办单位重复"})
    for unit in (lead, *assisting):
        if unit.district_code != step.case.district_code:
            raise ValidationError({"assisting": f"“{unit.name}”不在本区县，不能吹哨召集"})
    texts = {int(k): (v or "").strip() for k, v in (step.take("tasks") or {}).items()}
    for text in texts.values():
        if len(text) > 2000:
            raise ValidationError({"tasks": "每项任务不能超过2000个字"})
    deadline = step.take("deadline")
    deadline = _future_datetime(deadline, "deadline") if deadline else step.case.deadline
    step.set(assigned_unit=lead, assigned_user=None, handler=None, tier=Tier.DEPARTMENT)
    step.event_data.update(unit=lead.pk, to_name=lead.name, assisting=[u.pk for u in assisting],
                           assisting_names=[u.name for u in assisting],
                           task_deadline=deadline.isoformat() if deadline else None)
    case, default = step.case, step.note

    def create_tasks(event: CaseEvent) -> None:
        WhistleTask.objects.bulk_create([
            WhistleTask(case=case, event=event, unit=unit, role=role, deadline=deadline,
                        task=texts.get(unit.pk) or default or ("牵头办理并答复群众" if role == "lead" else "协助牵头单位办理"),
                        district_code=case.district_code)
            for unit, role in [(lead, WhistleTask.Role.LEAD), *((u, WhistleTask.Role.ASSIST) for u in assisting)]
        ])

    step.after.append(create_tasks)


def task_reply(step: Step) -> None:
    """协办回复: an assisting unit answers its own task (the lead answers with ``reply``)."""
    step.require_note("请填写回复内容")
    task = _as_instance(WhistleTask, step.take("task"), "task")
    if task is None or task.case_id != step.case.pk or task.role != WhistleTask.Role.ASSIST:
        raise ValidationError({"task": "请选择本诉求的协办任务"})
    if task.status != WhistleTask.Status.OPEN:
        raise TransitionNotAllowed(f"“{task.unit.name}”的协办任务已{task.get_status_display()}，不能再回复")
    scope = scope_for(step.actor)
    if not scope.is_superuser and task.unit_id not in scope.unit_ids.get(Capability.HANDLE_CASES, frozenset()):
        raise PermissionDenied(f"只有“{task.unit.name}”的经办人可以回复该协办任务")
    WhistleTask.objects.filter(pk=task.pk).update(status=WhistleTask.Status.REPLIED, reply=step.note,
                                                  replied_at=timezone.now(), replied_by=step.actor)
    step.event_data.update(task=task.pk, unit=task.unit_id, unit_name=task.unit.name)


# --- closing ---------------------------------------------------------------------------------------


def reply(step: Step) -> None:
    """答复: the holder's answer; for a whistled case, the lead unit's (its task is then replied)."""
    step.require_note("请填写答复内容")
    case, now = step.case, timezone.now()
    step.set(replied_at=now)
    if case.deadline is not None and now > case.deadline and not case.overdue:
        step.set(overdue=True)
    step.event_data["holder"] = holder_key(case)
    if case.status == Case.Status.WHISTLED:
        WhistleTask.objects.filter(case=case, role=WhistleTask.Role.LEAD, unit=case.assigned_unit_id,
                                   status=WhistleTask.Status.OPEN).update(
            status=WhistleTask.Status.REPLIED, reply=step.note, replied_at=now, replied_by=step.actor)


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
    now = timezone.now()
    step.set(rating=_rating(step), rated_at=now, closed_at=now)
    _cancel_open_tasks(step)


def rate_unsatisfied(step: Step) -> None:
    """The first 不满意: back to the same holder, who takes it again (重办) with a fresh time limit."""
    step.set(rating=_rating(step), rated_at=timezone.now(), reopen_count=step.case.reopen_count + 1,
             closed_at=None)
    step.new_limit()


def reopen(step: Step) -> None:
    step.require_note("请填写重办理由")
    step.set(reopen_count=step.case.reopen_count + 1, closed_at=None)
    step.new_limit()


def close(step: Step) -> None:
    """办结 without a rating (the sweep closes unrated cases after the configured days)."""
    step.set(closed_at=timezone.now())
    step.event_data["unrated"] = not step.case.rating
    _cancel_open_tasks(step)


# --- notes (no change of status) --------------------------------------------------------------------


def supervise(step: Step) -> None:
    """督办: the case is followed up by a supervisor; the note is the instruction."""
    step.require_note("请填写督办意见")
    if step.case.supervised_at is not None:
        raise TransitionNotAllowed("该诉求已在督办中；补充意见请使用“备注”")
    step.set(supervised_at=timezone.now())


def unsupervise(step: Step) -> None:
    if step.case.supervised_at is None:
        raise TransitionNotAllowed("该诉求未列入督办")
    step.set(supervised_at=None)


def comment(step: Step) -> None:
    step.require_note("请填写备注内容")


def warn(step: Step) -> None:
    """临期预警 (the sweep, at 75 % of the limit): once per time limit."""
    if step.case.deadline is None or step.case.warned_at is not None:
        raise TransitionNotAllowed("该诉求当前时限已预警过")
    step.set(warned_at=timezone.now())
    fraction = step.take("fraction")
    step.event_data.update(deadline=step.case.deadline.isoformat(),
                           **({"fraction": round(float(fraction), 3)} if fraction is not None else {}))


def overdue(step: Step) -> None:
    """超时督办 (the sweep): the deadline passed and escalating cannot help (the case is whistled,
    reopened, already escalated or at the district): it is marked overdue and put under supervision."""
    case = step.case
    if case.deadline is None or case.deadline > timezone.now():
        raise TransitionNotAllowed("该诉求尚未超过办理时限")
    if case.overdue_at is not None:
        raise TransitionNotAllowed("该诉求的超时已记录")
    now = timezone.now()
    step.set(overdue=True, overdue_at=now, **({"supervised_at": now} if case.supervised_at is None else {}))
    step.event_data["deadline"] = case.deadline.isoformat()


def schedule(step: Step) -> None:
    """计算时限 (the sweep): a case received while its year's calendar was missing gets its deadline,
    counted from when its limit started, once an administrator has entered that year."""
    case = step.case
    if case.deadline is not None:
        raise TransitionNotAllowed("该诉求已有办理时限")
    start = case.deadline_started_at or case.created_at
    try:
        deadline = deadline_for(start=start, urgency=case.urgency)
    except CalendarMissing as exc:
        raise TransitionNotAllowed(str(exc)) from None
    step.set(deadline=deadline, warned_at=None, overdue_at=None,
             **({"first_deadline": deadline} if case.first_deadline is None else {}))
    step.event_data["deadline"] = deadline.isoformat()


def categorize(step: Step) -> None:
    """分类: the case's category — a dispatcher's choice or correction, or routing's automatic
    classification (with its ``confidence`` and ``model_version`` for the timeline). When the system
    classifies a case still ``reported``, the tier rules route it again (its tier and owning team
    follow the category); a person's choice keeps the owner, who goes on to dispatch it."""
    from .tiers import route_for

    category = _as_instance(Category, step.take("category"), "category")
    confidence = step.take("confidence")
    version = str(step.take("model_version", "") or "")[:40]
    if category is None:
        raise ValidationError({"category": "请选择事项类别"})
    case = step.case
    if case.category_id == category.pk:
        raise TransitionNotAllowed(f"该诉求的类别已是“{category.name}”，无需更改")
    old = case.category
    step.set(category=category)
    step.event_data.update(category=category.pk, category_code=category.code,
                           category_name=" / ".join(category.path_names()),
                           old_category=old.pk if old else None, old_category_name=old.name if old else "")
    if confidence is not None:
        if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
            raise ValidationError({"confidence": "置信度应为 0 到 1 之间的数"})
        step.event_data["confidence"] = round(float(confidence), 4)
    if version:
        step.event_data["model_version"] = version
    if (step.actor is None and case.status == Case.Status.REPORTED and case.assigned_unit_id is None
            and case.assigned_user_id is None):
        route = route_for(area=case.area, category=category, urgency=case.urgency)
        step.set(tier=route.tier, assigned_area=route.team)
        step.event_data.update(tier=route.tier, rule=route.rule,
                               **({"area": route.team.code, "to_name": route.team.name} if route.team else {}))


EFFECTS: dict[str, Callable[[Step], None]] = {
    "accept": accept, "reject": reject, "merge": merge, "dispatch": dispatch, "start": start,
    "take": take, "return": return_, "reassign": dispatch, "extend": extend, "park": park,
    "unpark": unpark, "escalate": escalate, "whistle": whistle, "reply": reply, "verify": verify,
    "rate": rate, "rate_unsatisfied": rate_unsatisfied, "reopen": reopen, "close": close,
    "supervise": supervise, "unsupervise": unsupervise, "comment": comment,
    "request_extension": request_extension, "deny_extension": deny_extension, "task_reply": task_reply,
    "warn": warn, "overdue": overdue, "schedule": schedule, "categorize": categorize,
}
