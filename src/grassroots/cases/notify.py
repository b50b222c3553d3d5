"""Who hears about a case event, and what they are told.

``case_transition`` and ``case_receive`` call ``case_event_written(event, case)`` inside their
transaction, after the event row exists: the inbox rows and the outbox messages are written in the
same transaction as the event (a transactional outbox). So a change that rolls back notifies nobody,
and a change that commits has its notifications — nothing is lost to a crash between the two, which
``transaction.on_commit`` could not promise. Every notification carries a key built from the case
and the event (docs/notifications.md), so a retried sweep notifies nobody twice.

A failure here must not undo the resident's case: it runs in a savepoint and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grassroots.accounts.models import ROLE_CAPABILITIES, Capability, RoleAssignment
from grassroots.notifications.models import Channel, Kind
from grassroots.notifications.services import notify, outbox_enqueue

from .models import Case, CaseEvent, WhistleTask
from .permissions import control_code

log = logging.getLogger(__name__)
GRID_CODE_LENGTH = 15


def case_link(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else "未定"


# --- recipients ------------------------------------------------------------------------------------


def _ancestors(code: str) -> list[str]:
    return [code[:n] for n in (22, 18, 15, 12, 9, 6) if n <= len(code)]


class Around:
    """The staff around a case — every role at its place's and its owner's areas and at the units
    concerned — read in one query, then sorted into the groups a notification goes to."""

    def __init__(self, case: Case, units: Iterable[int] = ()):
        self.case = case
        self.control = control_code(case)
        unit_ids = {u for u in (case.assigned_unit_id, *units) if u}
        codes = set(_ancestors(case.area_code)) | set(_ancestors(self.control))
        q = Q(area__code__in=sorted(codes))
        if unit_ids:
            q |= Q(unit_id__in=sorted(unit_ids))
        self.rows = [(ra.user, ra.role, ra.area.code if ra.area_id else None, ra.unit_id) for ra in
                     RoleAssignment.objects.filter(q, user__is_active=True).select_related("user", "area")
                     .only("role", "unit_id", "area__code", "user__id", "user__is_active", "user__username")]

    def _with(self, capability: str, *, code: str | None = None, unit: int | None = None) -> list:
        return [user for user, role, at, unit_id in self.rows
                if capability in ROLE_CAPABILITIES.get(role, ()) and
                ((code is not None and at == code) or (unit is not None and unit_id == unit))]

    def grid_staff(self) -> list:
        """The grid team of the place (they hear of everything in their grid: 需求收集在网格)."""
        code = self.case.area_code
        return self._with(Capability.HANDLE_CASES, code=code[:GRID_CODE_LENGTH]) if len(code) >= GRID_CODE_LENGTH else []

    def dispatchers(self) -> list:
        """The nearest dispatchers at or above the team that owns the case."""
        for code in _ancestors(self.control):
            found = self._with(Capability.DISPATCH_CASES, code=code)
            if found:
                return found
        return []

    def holders(self) -> list:
        """The Party member or the unit's handlers holding the case, else the owning team's own staff."""
        case = self.case
        if case.assigned_user_id is not None:  # a Party member, personally
            return [case.assigned_user] if case.assigned_user.is_active else []
        if case.assigned_unit_id is not None:
            return self._with(Capability.HANDLE_CASES, unit=case.assigned_unit_id)
        if case.assigned_area_id is not None:
            return self._with(Capability.HANDLE_CASES, code=self.control)
        return []

    def unit_handlers(self, unit_id: int) -> list:
        return self._with(Capability.HANDLE_CASES, unit=unit_id)


def _people(*groups: Iterable, without=None) -> list:
    seen, out = set(), []
    for group in groups:
        for user in group:
            if user.pk not in seen and (without is None or user.pk != without):
                seen.add(user.pk)
                out.append(user)
    return out


# --- messages --------------------------------------------------------------------------------------


def _staff(event: CaseEvent, case: Case, recipients: list, kind: str, title: str, key: str,
           body: str = "", sms: bool = False) -> None:
    notify(recipients=recipients, kind=kind, title=f"{title}：{case.title}"[:200],
           body=body or f"{case.code} · 时限 {_when(case.deadline)}", link=case_link(case), key=key,
           obj=case, sms=sms, audit=False)  # the event row is the record of why


def _resident(case: Case, event: CaseEvent, text: str) -> None:
    """A text message to the contact phone the resident left (anonymous or not: it is the call-back)."""
    _name, phone = case.plain_contact()
    if phone:
        outbox_enqueue(channel=Channel.SMS, address=phone, text=text[:300],
                       key=f"case:{case.pk}:resident:{event.action}:{event.pk}", district_code=case.district_code)


def _grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _deliver(event: CaseEvent, case: Case) -> None:
    a, pk, actor = event.action, case.pk, event.actor_id
    d = event.data or {}
    if a in ("verify", "reject"):
        text = (f"您反映的“{case.title[:30]}”已办理并核实，请凭查询码 {_grouped(case.tracking_code)} 查看答复并评价。"
                if a == "verify" else f"您反映的“{case.title[:30]}”经审核不属于本平台受理范围：{event.note[:150]}")
        _resident(case, event, text)
        return
    if a not in STAFF_EVENTS:
        return
    tasks = list(WhistleTask.objects.filter(event=event).select_related("unit")) if a == "whistle" else []
    near = Around(case, units=[t.unit_id for t in tasks])
    if a == "report":
        _staff(event, case, _people(near.grid_staff(), near.dispatchers(), near.holders(), without=actor),
               Kind.NEW_CASE, "新诉求", f"case:{pk}:new",
               body=f"{case.code} · {case.get_tier_display()} · 时限 {_when(case.deadline)}")
    elif a in ("dispatch", "reassign"):
        _staff(event, case, _people(near.holders(), without=actor), Kind.NEW_CASE,
               "派单" if a == "dispatch" else "转派", f"case:{pk}:assigned:{event.pk}")
    elif a == "escalate":
        passed = d.get("deadline_passed", False)
        _staff(event, case, _people(near.dispatchers(), near.holders(), without=actor), Kind.ESCALATION,
               "超时上提" if passed else "上提", f"case:{pk}:escalated:{d.get('area', '')}:{event.pk}",
               body=f"{case.code} 已上提至{d.get('to_name', '上级')}，新时限 {_when(case.deadline)}", sms=passed)
    elif a == "whistle":
        for task in tasks:
            _staff(event, case, near.unit_handlers(task.unit_id), Kind.WHISTLE,
                   "吹哨报到（牵头）" if task.role == WhistleTask.Role.LEAD else "吹哨报到（协办）",
                   f"case:{pk}:whistle:{task.unit_id}:{event.pk}",
                   body=f"{case.code} · 任务：{task.task[:80]} · 时限 {_when(task.deadline)}", sms=True)
    elif a == "return":
        _staff(event, case, _people(near.dispatchers(), without=actor), Kind.RETURNED, "退单",
               f"case:{pk}:returned:{event.pk}", body=f"{case.code} · 理由：{event.note[:100]}")
    elif a == "reply":
        _staff(event, case, _people(near.grid_staff(), near.dispatchers(), without=actor), Kind.SYSTEM,
               "已答复待核实", f"case:{pk}:replied:{event.pk}")
    elif a in ("rate", "rate_unsatisfied"):
        label = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}.get(d.get("rating", ""), "")
        _staff(event, case, _people(near.holders(), near.dispatchers(), without=actor), Kind.RATED,
               f"群众评价：{label}", f"case:{pk}:rated:{event.pk}",
               body=f"{case.code} · {label}" + ("，已退回重办" if a == "rate_unsatisfied" else ""))
    elif a == "reopen":
        _staff(event, case, _people(near.holders(), without=actor), Kind.SYSTEM, "重办",
               f"case:{pk}:reopened:{event.pk}", body=f"{case.code} · 理由：{event.note[:100]}")
    elif a == "supervise":
        _staff(event, case, _people(near.holders(), near.dispatchers(), without=actor), Kind.SYSTEM, "督办",
               f"case:{pk}:supervise:{event.pk}", body=f"{case.code} · 督办意见：{event.note[:100]}", sms=True)
    elif a == "request_extension":
        _staff(event, case, _people(near.dispatchers(), without=actor), Kind.SYSTEM, "延期申请待审批",
               f"case:{pk}:extension:{event.pk}", body=f"{case.code} · 申请延期至 {d.get('until', '')[:16]}")
    elif a in ("extend", "deny_extension"):
        _staff(event, case, _people(near.holders(), without=actor), Kind.SYSTEM,
               "延期已批准" if a == "extend" else "延期未获批准", f"case:{pk}:{a}:{event.pk}")
    elif a == "task_reply":
        _staff(event, case, near.holders(), Kind.SYSTEM, "协办单位已回复", f"case:{pk}:task_reply:{event.pk}",
               body=f"{d.get('unit_name', '')}：{event.note[:100]}")
    elif a == "overdue":
        _staff(event, case, _people(near.holders(), near.dispatchers()), Kind.ESCALATION, "超时督办",
               f"case:{pk}:overdue:{d.get('deadline', '')}",
               body=f"{case.code} 已超过办理时限（{_when(case.deadline)}），已列入督办", sms=True)
    elif a == "warn":
        _staff(event, case, _people(near.holders(), near.dispatchers()), Kind.WARNING, "临期预警",
               f"case:{pk}:warning75:{d.get('deadline', '')}",
               body=f"{case.code} 已用去办理时限的75%，请在 {_when(case.deadline)} 前办结", sms=True)


STAFF_EVENTS = {"report", "dispatch", "reassign", "escalate", "whistle", "return", "reply", "rate",
                "rate_unsatisfied", "reopen", "supervise", "request_extension", "extend", "deny_extension",
                "task_reply", "overdue", "warn"}


def case_event_written(event: CaseEvent, case: Case) -> None:
    """Notify whoever the event concerns. Runs inside the caller's transaction; never raises."""
    try:
        with transaction.atomic():
            _deliver(event, case)
    except Exception:  # a notification bug must not lose the resident's case
        log.exception("notifications for case event %s failed", event.pk)
