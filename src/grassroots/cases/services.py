"""Writes about cases. Every change of a case goes through ``case_transition`` (one transaction,
the row locked, the table and the actor's permission checked, exactly one CaseEvent written);
``case_create`` is the single way in for every intake channel.

The per-action functions (``case_accept``, ``case_dispatch`` …) are thin, typed wrappers that name
their inputs; views and API handlers call them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.geo import GridLocateError, check_coordinates, grid_locate
from grassroots.areas.models import Area, outlines_unread
from grassroots.core import crypto, deferred
from grassroots.core.services import audit_record, export_audit
from grassroots.orgs.models import Unit
from grassroots.worktime.calendar import CalendarMissing
from grassroots.worktime.models import Urgency
from grassroots.worktime.selectors import deadline_for

from . import hooks, notify
from .effects import EFFECTS, Step
from .errors import CaseError, TransitionNotAllowed
from .exports import EXPORT_HEADERS, cases_xlsx
from .models import Case, CaseEvent, Category, Channel, Tier, WhistleTask
from .permissions import who_is
from .selectors import can_reveal_contact
from .tiers import route_for
from .transitions import ACTIONS, CREATE_ACTION, TABLE, Who, resolve_action, status_label, target_of

__all__ = [
    "CaseError", "TransitionNotAllowed", "case_transition", "case_receive", "case_create", "case_accept", "case_reject",
    "case_merge", "case_dispatch", "case_start", "case_take", "case_return", "case_reassign",
    "case_extend", "case_park", "case_unpark", "case_escalate", "case_whistle", "case_reply",
    "case_verify", "case_rate", "case_reopen", "case_close", "case_supervise", "case_unsupervise",
    "case_comment", "case_request_extension", "case_deny_extension", "whistle_task_reply", "case_likes_update",
    "anonymise_personal_data",
]

TITLE_MAX = 200
BODY_MAX = 5000
ADDRESS_MAX = 200
NOTE_MAX = 5000
CONTACT_NAME_MAX = 50
# Crockford's base32 without I, L, O, U: easy to read out on the phone, no look-alikes.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_CODE_LENGTH = 12  # 60 random bits
CODE_ATTEMPTS = 3
STAFF_CHANNELS = {Channel.PATROL, Channel.WALK_IN}
RESIDENT_CHANNELS = {Channel.RESIDENT_WEB, Channel.WOODPECKER}

WHO_TEXT = {
    Who.DISPATCHER: "该诉求所在社区、街道的受理派单人员",
    Who.LOCAL_HANDLER: "负责该诉求的网格、社区的工作人员",
    Who.PLACE_STAFF: "该诉求所在网格、社区的工作人员",
    Who.HOLDER: "承办该诉求的单位、网格或接单党员",
    Who.TASK_UNIT: "被吹哨召集的协办单位",
    Who.REPORTER: "反映人本人",
    Who.SYSTEM: "系统自动处理",
}


# --- the one transition service ---------------------------------------------------------------------


def _not_allowed_message(case: Case, action: str) -> str:
    label = TABLE[action].label
    return (f"诉求“{case.code}”当前状态为“{status_label(case.status)}”，不能{label}"
            "（可能已被他人处理，请刷新后查看最新状态）")


def _denied_message(action: str) -> str:
    transition = TABLE[action]
    who = "或".join(WHO_TEXT[w] for w in Who if w in transition.who and w is not Who.SYSTEM)
    return f"您无权对该诉求执行“{transition.label}”：只有{who}可以操作"


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"说明不能超过{NOTE_MAX}个字（现有{len(note)}个字）"})
    return note


def case_transition(*, case: Case, action: str, actor, note: str = "", public: bool | None = None,
                    tracking_code: str = "", **data: Any) -> CaseEvent:
    """Apply ``action`` to ``case`` as ``actor`` (None: the system) and return the one event written.

    Raises TransitionNotAllowed (the case's current state does not allow it), PermissionDenied
    (not this actor, or not here) or ValidationError (missing or wrong input); then nothing is
    written. ``public`` None takes the action's default (internal steps such as a return are not
    shown on the resident's page). ``case`` is updated in place on success.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown case action: {action!r}")
    note = _clean_note(note)
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).select_related("assigned_area").get(pk=case.pk)
        effective = resolve_action(action, rating=data.get("rating", ""), previous_rating=locked.rating)
        transition = TABLE[effective]
        if locked.status not in transition.sources:
            raise TransitionNotAllowed(_not_allowed_message(locked, effective))
        if not transition.who & who_is(actor, locked, tracking_code=tracking_code, needed=transition.who):
            raise PermissionDenied(_denied_message(effective))
        # a case whose receive left its figures to the worker is counted there as it is then: not here
        before = None if locked.writers_pending else hooks.snapshot(locked)
        step = Step(case=locked, actor=actor, action=effective, note=note, data=dict(data))
        EFFECTS[effective](step)
        if step.data:
            raise TypeError(f"unexpected arguments for {action}: {sorted(step.data)}")
        from_status = locked.status
        step.set(status=target_of(effective, from_status))
        event = _event(case=locked, action=effective, actor=actor, from_status=from_status, note=note,
                       public=transition.public if public is None else public, data=step.event_data)
        for write in step.after:
            write(event)
        locked.save(update_fields=sorted(step.fields | {"updated_at"}))
        if before is not None:
            hooks.run_case_written(before, locked)
        notify.case_event_written(event, locked)
        if hooks.has_listeners():
            transaction.on_commit(lambda: hooks.run_after_event(event, locked))
    for name in step.fields | {"updated_at"}:
        setattr(case, name, getattr(locked, name))
    return event


def _event(*, case: Case, action: str, actor, from_status: str, note: str, public: bool,
           data: dict) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, action=action, actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status, to_status=case.status, note=note, public=public, data=data,
        district_code=case.district_code,
    )


# --- one wrapper per action ---------------------------------------------------------------------------


def case_accept(*, case: Case, actor, note: str = "") -> CaseEvent:
    """受理: the dispatcher acknowledges a public matter the platform will handle."""
    return case_transition(case=case, action="accept", actor=actor, note=note)


def case_reject(*, case: Case, reason: str, actor) -> CaseEvent:
    """不予受理: not a public matter; the reason names the channel it belongs to."""
    return case_transition(case=case, action="reject", actor=actor, note=reason)


def case_merge(*, case: Case, into: Case | int, actor, note: str = "") -> CaseEvent:
    """合并: a duplicate of ``into``, which is handled instead."""
    return case_transition(case=case, action="merge", actor=actor, note=note, into=into)


def case_dispatch(*, case: Case, to_unit: Unit | None = None, to_area: Area | None = None, to_user=None,
                  actor, note: str = "") -> CaseEvent:
    """派单 to a unit, a grid/community/street team, or a Party member personally (exactly one)."""
    return case_transition(case=case, action="dispatch", actor=actor, note=note, to_unit=to_unit,
                           to_area=to_area, to_user=to_user)


def case_reassign(*, case: Case, to_unit: Unit | None = None, to_area: Area | None = None, to_user=None,
                  actor, note: str = "") -> CaseEvent:
    """转派: move a dispatched case to another unit, team or Party member."""
    return case_transition(case=case, action="reassign", actor=actor, note=note, to_unit=to_unit,
                           to_area=to_area, to_user=to_user)


def case_start(*, case: Case, actor, note: str = "") -> CaseEvent:
    """就地办理: the grid (or community) handles an accepted case itself."""
    return case_transition(case=case, action="start", actor=actor, note=note)


def case_take(*, case: Case, actor, note: str = "") -> CaseEvent:
    """接单: the unit or team the case is dispatched to (or reopened for) takes it."""
    return case_transition(case=case, action="take", actor=actor, note=note)


def case_return(*, case: Case, reason: str, actor) -> CaseEvent:
    """退单: the holder sends back a wrong assignment, once, with a reason; the dispatcher decides."""
    return case_transition(case=case, action="return", actor=actor, note=reason)


def case_extend(*, case: Case, until: datetime | None = None, actor, reason: str) -> CaseEvent:
    """延期: the dispatcher grants more time, up to ``until`` (None: what the holder asked for)."""
    return case_transition(case=case, action="extend", actor=actor, note=reason, until=until)


def case_park(*, case: Case, until: date, actor, reason: str) -> CaseEvent:
    """挂账: a long-term matter, to be reviewed on ``until``."""
    return case_transition(case=case, action="park", actor=actor, note=reason, until=until)


def case_unpark(*, case: Case, actor, note: str = "") -> CaseEvent:
    """解除挂账: back to the dispatcher's queue."""
    return case_transition(case=case, action="unpark", actor=actor, note=note)


def case_escalate(*, case: Case, actor, note: str = "") -> CaseEvent:
    """上提: one tier up (grid → community → street → district); ``actor`` None for the deadline sweep."""
    return case_transition(case=case, action="escalate", actor=actor, note=note)


def case_whistle(*, case: Case, lead: Unit, assisting: Iterable[Unit] = (), actor, note: str = "",
                 tasks: dict[int, str] | None = None, deadline: datetime | None = None) -> CaseEvent:
    """吹哨: summon units; ``lead`` holds the case and replies, ``assisting`` help. Each gets a
    ``WhistleTask``: its text from ``tasks`` (by unit id; default the note) and ``deadline``
    (default the case's)."""
    return case_transition(case=case, action="whistle", actor=actor, note=note, lead=lead,
                           assisting=list(assisting), tasks=tasks or {}, deadline=deadline)


def case_supervise(*, case: Case, actor, note: str) -> CaseEvent:
    """督办: list the case for supervision; ``note`` is the supervisor's instruction."""
    return case_transition(case=case, action="supervise", actor=actor, note=note)


def case_unsupervise(*, case: Case, actor, note: str = "") -> CaseEvent:
    return case_transition(case=case, action="unsupervise", actor=actor, note=note)


def case_comment(*, case: Case, actor, note: str) -> CaseEvent:
    """备注: an internal note on the timeline by anyone working on the case."""
    return case_transition(case=case, action="comment", actor=actor, note=note)


def case_request_extension(*, case: Case, until: datetime, reason: str, actor) -> CaseEvent:
    """申请延期: the holder asks for more time; the dispatcher approves (``case_extend``) or not."""
    return case_transition(case=case, action="request_extension", actor=actor, note=reason, until=until)


def case_deny_extension(*, case: Case, reason: str, actor) -> CaseEvent:
    return case_transition(case=case, action="deny_extension", actor=actor, note=reason)


def whistle_task_reply(*, task: WhistleTask, reply: str, actor) -> CaseEvent:
    """协办回复: an assisting unit answers its task of a whistled case."""
    return case_transition(case=task.case, action="task_reply", actor=actor, note=reply, task=task)


def case_reply(*, case: Case, reply: str, actor, public: bool = True) -> CaseEvent:
    """答复: the holder's answer to the resident."""
    return case_transition(case=case, action="reply", actor=actor, note=reply, public=public)


def case_verify(*, case: Case, actor, note: str = "") -> CaseEvent:
    """核实: a grid worker or the community checks the result (not the one who replied)."""
    return case_transition(case=case, action="verify", actor=actor, note=note)


def case_rate(*, case: Case, rating: str, actor, comment: str = "", tracking_code: str = "") -> CaseEvent:
    """评价 by the resident (their account, or the tracking code) or a dispatcher's call-back (回访).

    满意/基本满意 close the case; the first 不满意 reopens it to the same holder, a second closes it.
    """
    return case_transition(case=case, action="rate", actor=actor, note=comment, rating=rating,
                           tracking_code=tracking_code)


def case_reopen(*, case: Case, reason: str, actor) -> CaseEvent:
    """重办: the dispatcher sends a replied, verified or closed case back to its holder."""
    return case_transition(case=case, action="reopen", actor=actor, note=reason)


def case_close(*, case: Case, actor, note: str = "") -> CaseEvent:
    """办结 without a rating (``actor`` None: the sweep closing unrated cases)."""
    return case_transition(case=case, action="close", actor=actor, note=note)


# --- intake -------------------------------------------------------------------------------------------


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _clean_text(value: str, *, label: str, key: str, maximum: int) -> str:
    """Stripped text of at most ``maximum`` characters. HTML is kept as typed (pages escape it)."""
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise ValidationError({key: f"{label}不能为空"})
    if len(value) > maximum:
        raise ValidationError({key: f"{label}不能超过{maximum}个字（现有{len(value)}个字）"})
    return value


def _choice(value: str, choices, *, key: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({key: f"未知的{label}：{value}"})
    return value


def _place(*, area: Area | None, lat, lng, district_code: str) -> tuple[Area | None, float | None,
                                                                         float | None, str]:
    """(area, lat, lng, district code): the grid containing the point when only a point is given."""
    lat_f = lng_f = None
    if lat is not None or lng is not None:
        try:
            lat_f, lng_f = check_coordinates(lat, lng)
            if area is None:
                area = grid_locate(lat_f, lng_f)
        except GridLocateError as exc:
            raise ValidationError({"location": str(exc)}) from None
    if area is not None:
        return area, lat_f, lng_f, area.code[:6]
    if len(district_code or "") != 6:
        raise ValidationError({"location": "请在地图上选点，或选择诉求所在的网格、楼栋"})
    return None, lat_f, lng_f, district_code


def _check_contact(name: str, phone: str) -> tuple[str, str]:
    name = (name or "").strip()
    if len(name) > CONTACT_NAME_MAX:
        raise ValidationError({"contact_name": f"联系人姓名不能超过{CONTACT_NAME_MAX}个字"})
    if phone and (problem := crypto.phone_problem(phone)):
        raise ValidationError({"contact_phone": problem})
    return name, phone


def _check_channel_actor(channel: str, actor, code: str) -> None:
    """Patrol and walk-in cases are entered by staff of the place; the rest by anyone (the caller
    authenticates API and hotline systems)."""
    if channel not in STAFF_CHANNELS:
        return
    scope = scope_for(actor)
    if not (scope.can_at(Capability.HANDLE_CASES, code) or scope.can_at(Capability.DISPATCH_CASES, code)):
        raise PermissionDenied("只有该网格、社区的工作人员可以录入巡查或窗口诉求")


def _deadline(start: datetime, urgency: str) -> tuple[datetime | None, str]:
    """The deadline by the working calendar, or (None, why) when the calendar cannot tell yet."""
    try:
        return deadline_for(start=start, urgency=urgency), ""
    except (CalendarMissing, ValueError) as exc:
        return None, str(exc)


def _aware(value, key: str, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError({key: f"{label}应为日期和时间"})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _received(value, now: datetime) -> datetime:
    """When the request was first received (by the hotline, say): not in the future."""
    if value is None:
        return now
    value = _aware(value, "received_at", "受理时间")
    if value > now + timedelta(minutes=5):
        raise ValidationError({"received_at": "受理时间不能晚于现在"})
    return min(value, now)


def _given_deadline(value, start: datetime) -> datetime:
    value = _aware(value, "deadline", "办理时限")
    if value <= start:
        raise ValidationError({"deadline": "办理时限应晚于受理时间"})
    return value


def _reporter_user(actor, channel: str, reporter):
    if channel in RESIDENT_CHANNELS and getattr(actor, "is_authenticated", False):
        return actor
    return reporter.user if reporter is not None and reporter.user_id else None


def _clean_key(value: str, *, key: str, label: str, maximum: int) -> str:
    value = (value or "").strip()
    if len(value) > maximum:
        raise ValidationError({key: f"{label}不能超过{maximum}个字符"})
    return value


def _already_received(*, district: str, intake_key: str, external_source: str,
                      external_id: str) -> Case | None:
    """The case an earlier submit with the same idempotency key, or the same hotline id, created."""
    # The conditions repeat the partial unique indexes' own, so that SQLite's planner uses them, and
    # no ordering (the model's -created_at would make it walk that index instead). Most submits are
    # new: ask for the id only, and load the case when there is one.
    found = None
    if intake_key:
        found = Case.objects.filter(intake_key=intake_key).exclude(intake_key="").order_by().values_list(
            "pk", flat=True).first()
    if found is None and external_id:
        found = Case.objects.filter(district_code=district, external_source=external_source,
                                    external_id=external_id).exclude(external_id="").order_by().values_list(
            "pk", flat=True).first()
    return Case.objects.get(pk=found) if found is not None else None


AFTER_RECEIVE = "cases.after_receive"


def after_receive_reads(case_id: int) -> dict | None:
    """The steps' reads for a new case (``hooks.prepare_after_receive``), which the worker does before
    it opens the write transaction of ``after_receive``."""
    case = outlines_unread(Case.objects.select_related("area")).filter(pk=case_id).first()
    return None if case is None else hooks.prepare_after_receive(case)


COUNT_NEW = "cases.count_new"


def count_new(case_id: int) -> bool:
    """The writers a receive left to the worker (``writers_pending``), for the row as it is now; False
    when it was counted already. A task of its own, which ``after_receive`` asks for and the worker runs
    last in its transaction (``deferred.register(…, last=True)``): the rollups' district lock is then held
    for these few statements, not for the follow-up's duplicate finder and routing, which several
    workers run side by side. Under the row's lock, in the caller's transaction."""
    case = outlines_unread(Case.objects.select_for_update(of=("self",))).filter(
        pk=case_id, writers_pending=True).first()
    if case is None:
        return False
    hooks.run_case_written(None, case)  # the row as it is now, after any step taken since the receive
    Case.objects.filter(pk=case.pk).update(writers_pending=False)
    return True


def count_left_behind(case_id: int) -> bool:
    """Count a new case whose follow-up did not (it failed for good, or a worker still on the code
    before ``writers_pending`` did it): the sweep's repair. False when it was counted meanwhile."""
    with transaction.atomic():
        return count_new(case_id)


def after_receive(case_id: int, prepared: dict | None = None) -> None:
    """What follows a new case, in the worker (core/deferred.py; ``case_receive`` asked for it in the
    case's own transaction): the notifications of its ``report`` event, then the steps other apps
    registered (the duplicate finder, routing and automatic dispatch), with what ``after_receive_reads``
    read for them, and the task that counts the case (``count_new``). Runs once per case: the worker
    deletes its row in this same transaction. A case someone already took up meanwhile gets no "new
    case" notifications; the steps decide for themselves (routing dispatches only a case still waiting)."""
    # the owning team's area with it: the notifications' recipients are found from its code (control_code),
    # which was one more query per case; the lock is the case row's alone
    case = (outlines_unread(Case.objects.select_for_update(of=("self",)).select_related("assigned_area"))
            .filter(pk=case_id).first())
    if case is None:  # deleted with its district (a demo flush)
        return
    if case.writers_pending:  # the figures the receive left to the worker: a task of their own
        deferred.enqueue(COUNT_NEW, case.pk, district_code=case.district_code)
    if case.status == Case.Status.REPORTED:
        event = case.events.filter(action=CREATE_ACTION).order_by("pk").first()
        if event is not None:
            notify.case_event_written(event, case)
    hooks.run_after_receive(case, prepared)


def case_receive(*, title: str, body: str, channel: str, actor=None, area: Area | None = None,
                 lat=None, lng=None, district_code: str = "", address: str = "",
                 category: Category | None = None, urgency: str = Urgency.GENERAL, tier: str = "",
                 reporter=None, anonymous: bool = False, contact_name: str = "", contact_phone: str = "",
                 intake_key: str = "", external_source: str = "", external_id: str = "",
                 received_at: datetime | None = None, deadline: datetime | None = None,
                 likes: int | None = None, dislikes: int | None = None,
                 also: Callable[[Case], Any] | None = None) -> tuple[Case, bool]:
    """Every channel's way in: (the case, True) for a new case in ``reported``, or (the earlier case,
    False) when ``intake_key`` or (``external_source``, ``external_id``) was received before — a
    double-clicked button or a hotline file imported twice creates nothing new.

    The place is ``area`` (a grid, building, …), or the grid containing ``lat``/``lng``, or — for a
    hotline call without a place — just the district. The tier comes from the 分级响应 rules unless
    given, and the team at that tier owns the case (see ``tiers.py``). The deadline comes from the
    working calendar — counted from ``received_at`` when another system received the request
    earlier (a hotline's call time), or given as ``deadline`` when that system set its own limit.
    ``likes``/``dislikes``: other residents' votes on the request's channel (a message board); a
    channel that reports newer counts later calls ``case_likes_update``.
    ``also(case)``: the caller's own rows for a new case (a receipt, photos, an audit entry), written in
    the transaction that stores the case, so they commit or roll back with it. Callers pass it instead
    of wrapping this call in their own transaction: the checks above then run before the write lock is
    taken (on SQLite, one writer at a time holds it).
    Messages are Chinese, keyed by field.
    """
    title = _clean_text(title, label="标题", key="title", maximum=TITLE_MAX)
    body = _clean_text(body, label="内容", key="body", maximum=BODY_MAX)
    address = _clean_key(address, key="address", label="地址", maximum=ADDRESS_MAX)
    intake_key = _clean_key(intake_key, key="intake_key", label="提交编号", maximum=64)
    external_source = _clean_key(external_source, key="external_source", label="外部系统名称", maximum=32)
    external_id = _clean_key(external_id, key="external_id", label="外部编号", maximum=64)
    _choice(channel, Channel, key="channel", label="来源渠道")
    _choice(urgency, Urgency, key="urgency", label="紧急程度")
    if tier:
        _choice(tier, Tier, key="tier", label="响应层级")
    area, lat_f, lng_f, district = _place(area=area, lat=lat, lng=lng, district_code=district_code)
    # An idempotency key seen before is found by the unique constraints at the insert below (most
    # submits are new, so there is no look-up first).
    contact_name, contact_phone = _check_contact(contact_name, contact_phone)
    counts = _clean_counts(likes, dislikes)
    _check_channel_actor(channel, actor, area.code if area else district)
    route = route_for(area=area, category=category, urgency=urgency, tier=tier)
    now = timezone.now()
    start = _received(received_at, now)
    if deadline is None:
        deadline, deadline_problem = _deadline(start, urgency)
    else:
        deadline, deadline_problem = _given_deadline(deadline, start), ""
    case = Case(
        title=title, body=body, channel=channel, urgency=urgency, tier=route.tier, category=category,
        area=area, area_code=area.code if area else district, lat=lat_f, lng=lng_f, address=address,
        district_code=district, reporter=reporter, reporter_user=_reporter_user(actor, channel, reporter),
        anonymous=anonymous, deadline=deadline, first_deadline=deadline, deadline_started_at=start,
        status=Case.Status.REPORTED,
        assigned_area=route.team, intake_key=intake_key, external_source=external_source,
        external_id=external_id, **counts,
    )
    case.set_contact(name=contact_name, phone=contact_phone)
    data = {"channel": channel, "tier": route.tier, "rule": route.rule,
            **({"area": route.team.code, "to_name": route.team.name} if route.team else {}),
            **({"deadline_problem": deadline_problem} if deadline_problem else {}),
            **({"received_at": start.isoformat()} if start != now else {})}
    later = deferred.deferring()  # the notifications, the steps and the writers: in the worker, or here
    # The writers (the KPI rollups: on PostgreSQL a district lock and two upserts, a quarter of a submit)
    # follow in the worker too; the flag tells a step or the worker that they have not run yet.
    case.writers_pending = later and hooks.has_writers()
    for attempt in range(CODE_ATTEMPTS):
        _draw_codes(case, now)
        try:
            with transaction.atomic():
                case.save(force_insert=True)
                event = _event(case=case, action=CREATE_ACTION, actor=actor, from_status="", note="",
                               public=True, data=data)
                if hooks.has_writers() and not later:
                    hooks.run_case_written(None, case)
                if later:
                    deferred.enqueue(AFTER_RECEIVE, case.pk, district_code=district)
                else:
                    notify.case_event_written(event, case)
                if also is not None:
                    also(case)
            if not later and hooks.run_after_receive(case).get("changed"):
                case.refresh_from_db()  # a step dispatched or re-categorised it
            return case, True
        except IntegrityError:
            # The same submit again (a double click, a retried push, a hotline file imported twice:
            # answer with the first case), or — very rarely — a case number drawn twice: draw again.
            earlier = _already_received(district=district, intake_key=intake_key,
                                        external_source=external_source, external_id=external_id)
            if earlier is not None:
                return earlier, False
            if attempt == CODE_ATTEMPTS - 1:
                raise
            case.pk = None
    raise AssertionError("unreachable")


def case_create(**kwargs: Any) -> Case:
    """``case_receive`` for callers that only need the case (new, or the one received before)."""
    case, _created = case_receive(**kwargs)
    return case


def _clean_counts(likes: int | None, dislikes: int | None) -> dict[str, int]:
    """The given vote counts (None: not reported), each a whole number ≥ 0."""
    values = {k: v for k, v in (("likes", likes), ("dislikes", dislikes)) if v is not None}
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in values.values()):
        raise ValidationError({k: ["点赞数、点踩数应为不小于0的整数"] for k in values})
    return values


def case_likes_update(*, case: Case, likes: int | None, dislikes: int | None = None, actor=None) -> Case:
    """The likes (and dislikes) a case has on its channel, as the channel reports them now (a hotline
    file imported again, a push repeated with a newer count): the latest count wins. A change of an
    existing count is audited; ``None`` leaves a count as it is."""
    changed = {k: v for k, v in _clean_counts(likes, dislikes).items() if getattr(case, k) != v}
    if not changed:
        return case
    with transaction.atomic():
        before = dict(Case.objects.filter(pk=case.pk).values(*changed).first() or {})
        Case.objects.filter(pk=case.pk).update(**changed)
        for k, v in changed.items():
            setattr(case, k, v)
        if any(before.get(k) for k in changed):
            audit_record(actor=actor, action="case.likes", obj=case, detail={"before": before, "after": changed})
    return case


def _draw_codes(case: Case, now: datetime) -> None:
    """A fresh case number (district, date, 8 random characters) and tracking code."""
    case.code = f"{case.district_code}-{timezone.localtime(now):%y%m%d}-{random_code(8)}"
    case.tracking_code = random_code(TRACKING_CODE_LENGTH)


# --- personal data -------------------------------------------------------------------------------------

# What identifies the reporter on a case, and its value once removed: the contact name and phone (ciphertext,
# blind index, masked copy), the free-text address, the links to the reporter's person and account.
PERSONAL_DATA_CLEARED: dict[str, Any] = {
    "contact_name_enc": "", "contact_name_masked": "", "contact_phone_enc": "", "contact_phone_index": "",
    "contact_phone_masked": "", "address": "", "reporter": None, "reporter_user": None,
}


def anonymise_personal_data(case: Case, *, actor, reason: str) -> bool:
    """Remove the reporter's personal data from ``case`` (a resident's approved deletion request, the
    retention period): the fields of ``PERSONAL_DATA_CLEARED``. The case itself — title, text, category,
    place, times, rating, its events — stays: an administrative record of public work.

    Written as a queryset update: no CaseEvent and no ``updated_at`` change, the case hooks do not run, so
    the KPI rollups (which count statuses and times, never these fields) do not move. Audited as
    ``case.anonymise`` with the ``reason`` (never the values) in the caller's transaction. The caller has
    authorised the removal (the privacy app: the community's decision or the retention task).

    Idempotent: a case with no personal data left is neither written nor audited again. Returns whether
    anything was removed."""
    with transaction.atomic():
        removed = Case.objects.filter(pk=case.pk).exclude(**PERSONAL_DATA_CLEARED).update(**PERSONAL_DATA_CLEARED)
        if not removed:
            return False
        audit_record(actor=actor, action="case.anonymise", obj=case, detail={"code": case.code, "reason": reason})
    for name, value in PERSONAL_DATA_CLEARED.items():
        setattr(case, name, value)
    return True


# --- audited reads ------------------------------------------------------------------------------------


def case_contact_reveal(*, case: Case, actor) -> tuple[str, str]:
    """The reporter's plain name and phone, for the call-back; needs REVEAL_PERSONAL at the case's
    place, and every reveal is audited (never with the values themselves), like person_reveal."""
    if not can_reveal_contact(actor, case):
        raise PermissionDenied("您没有查看完整联系方式的权限")
    with transaction.atomic():
        audit_record(actor=actor, action="case.contact_reveal", obj=case,
                     detail={"code": case.code, "via_area": case.scope_code, "anonymous": case.anonymous})
        return case.plain_contact()


def cases_export(*, user, cases, filters: dict) -> tuple[bytes, int]:
    """The (already scoped and filtered) list as .xlsx, audited with its size and filters."""
    content, rows, cut = cases_xlsx(cases)
    export_audit(actor=user, kind="case", object_type="cases.case", rows=rows, fields=EXPORT_HEADERS,
                 filters=filters, unmasked=[], cut=cut)  # the reporter's name and phone are masked
    return content, rows
