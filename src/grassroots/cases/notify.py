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
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.selectors import nearest_users_above, users_at_areas, users_of_units
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


def grid_staff(case: Case) -> list:
    """The grid team of the place (they hear of everything in their grid: 需求收集在网格)."""
    if len(case.area_code) < GRID_CODE_LENGTH:
        return []
    return list(users_at_areas(Capability.HANDLE_CASES, [case.area_code[:GRID_CODE_LENGTH]]))


def dispatchers(case: Case) -> list:
    """The nearest dispatchers at or above the team that owns the case."""
    return nearest_users_above(Capability.DISPATCH_CASES, control_code(case))


def holders(case: Case) -> list:
    """The unit's handlers when a unit holds the case, else the owning team's own staff."""
    if case.assigned_unit_id is not None:
        return list(users_of_units(Capability.HANDLE_CASES, [case.assigned_unit_id]))
    if case.assigned_area_id is not None:
        return list(users_at_areas(Capability.HANDLE_CASES, [case.assigned_area.code]))
    return []


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
           obj=case, sms=sms)


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
    if a == "report":
        _staff(event, case, _people(grid_staff(case), dispatchers(case), holders(case), without=actor),
               Kind.NEW_CASE, "新诉求", f"case:{pk}:new",
               body=f"{case.code} · {case.get_tier_display()} · 时限 {_when(case.deadline)}")
    elif a in ("dispatch", "reassign"):
        _staff(event, case, _people(holders(case), without=actor), Kind.NEW_CASE,
               "派单" if a == "dispatch" else "转派", f"case:{pk}:assigned:{event.pk}")
    elif a == "escalate":
        passed = d.get("deadline_passed", False)
        _staff(event, case, _people(dispatchers(case), holders(case), without=actor), Kind.ESCALATION,
               "超时上提" if passed else "上提", f"case:{pk}:escalated:{d.get('area', '')}:{event.pk}",
               body=f"{case.code} 已上提至{d.get('to_name', '上级')}，新时限 {_when(case.deadline)}", sms=passed)
    elif a == "whistle":
        tasks = WhistleTask.objects.filter(event=event).select_related("unit")
        for task in tasks:
            _staff(event, case, list(users_of_units(Capability.HANDLE_CASES, [task.unit_id])), Kind.WHISTLE,
                   "吹哨报到（牵头）" if task.role == WhistleTask.Role.LEAD else "吹哨报到（协办）",
                   f"case:{pk}:whistle:{task.unit_id}:{event.pk}",
                   body=f"{case.code} · 任务：{task.task[:80]} · 时限 {_when(task.deadline)}", sms=True)
    elif a == "return":
        _staff(event, case, _people(dispatchers(case), without=actor), Kind.RETURNED, "退单",
               f"case:{pk}:returned:{event.pk}", body=f"{case.code} · 理由：{event.note[:100]}")
    elif a == "reply":
        _staff(event, case, _people(grid_staff(case), dispatchers(case), without=actor), Kind.SYSTEM,
               "已答复待核实", f"case:{pk}:replied:{event.pk}")
    elif a == "verify":
        _resident(case, event, f"您反映的“{case.title[:30]}”已办理并核实，请凭查询码 {_grouped(case.tracking_code)} "
                               "查看答复并评价。")
    elif a in ("rate", "rate_unsatisfied"):
        label = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}.get(d.get("rating", ""), "")
        _staff(event, case, _people(holders(case), dispatchers(case), without=actor), Kind.RATED,
               f"群众评价：{label}", f"case:{pk}:rated:{event.pk}",
               body=f"{case.code} · {label}" + ("，已退回重办" if a == "rate_unsatisfied" else ""))
    elif a == "reopen":
        _staff(event, case, _people(holders(case), without=actor), Kind.SYSTEM, "重办",
               f"case:{pk}:reopened:{event.pk}", body=f"{case.code} · 理由：{event.note[:100]}")
    elif a == "reject":
        _resident(case, event, f"您反映的“{case.title[:30]}”经审核不属于本平台受理范围：{event.note[:150]}")
    elif a == "supervise":
        _staff(event, case, _people(holders(case), dispatchers(case), without=actor), Kind.SYSTEM, "督办",
               f"case:{pk}:supervise:{event.pk}", body=f"{case.code} · 督办意见：{event.note[:100]}", sms=True)
    elif a == "request_extension":
        _staff(event, case, _people(dispatchers(case), without=actor), Kind.SYSTEM, "延期申请待审批",
               f"case:{pk}:extension:{event.pk}", body=f"{case.code} · 申请延期至 {d.get('until', '')[:16]}")
    elif a in ("extend", "deny_extension"):
        _staff(event, case, _people(holders(case), without=actor), Kind.SYSTEM,
               "延期已批准" if a == "extend" else "延期未获批准", f"case:{pk}:{a}:{event.pk}")
    elif a == "task_reply":
        _staff(event, case, list(users_of_units(Capability.HANDLE_CASES, [case.assigned_unit_id] if
                                                case.assigned_unit_id else [])),
               Kind.SYSTEM, "协办单位已回复", f"case:{pk}:task_reply:{event.pk}",
               body=f"{d.get('unit_name', '')}：{event.note[:100]}")
    elif a == "overdue":
        _staff(event, case, _people(holders(case), dispatchers(case)), Kind.ESCALATION, "超时督办",
               f"case:{pk}:overdue:{d.get('deadline', '')}",
               body=f"{case.code} 已超过办理时限（{_when(case.deadline)}），已列入督办", sms=True)
    elif a == "warn":
        _staff(event, case, _people(holders(case), dispatchers(case)), Kind.WARNING, "临期预警",
               f"case:{pk}:warning75:{d.get('deadline', '')}",
               body=f"{case.code} 已用去办理时限的75%，请在 {_when(case.deadline)} 前办结", sms=True)


def case_event_written(event: CaseEvent, case: Case) -> None:
    """Notify whoever the event concerns. Runs inside the caller's transaction; never raises."""
    try:
        with transaction.atomic():
            _deliver(event, case)
    except Exception:  # a notification bug must not lose the resident's case
        log.exception("notifications for case event %s failed", event.pk)
