"""Scoped reads of cases. Every list and every object fetch of a case goes through here.

A user sees the cases placed under the areas where they hold ``VIEW_CASES`` (one indexed prefix
match on ``Case.area_code``); a unit's handler sees the cases their unit holds or has a whistle task
on (also after the task is done); a resident sees the cases they reported. The resident's tracking page reads ``case_timeline_public`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core import crypto

from .models import Case, CaseEvent, Rating, WhistleTask
from .permissions import may
from .transitions import CREATE_ACTION, actions_from, offered, status_label


def cases_visible_to(user) -> QuerySet[Case]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    scope = scope_for(user)
    cases = Case.objects.select_related("category", "area", "assigned_unit", "assigned_area")
    if scope.is_superuser:
        return cases.all()  # (an empty Q OR-ed with another is just the other: no shortcut below)
    q = scope.area_q(Capability.VIEW_CASES, "area_code")
    units = scope.unit_ids.get(Capability.HANDLE_CASES)
    if units:
        q |= Q(assigned_unit_id__in=sorted(units))
        q |= Q(pk__in=WhistleTask.objects.filter(unit_id__in=sorted(units)).values("case_id"))
    q |= Q(reporter_user=user)
    return cases.filter(q)


def case_get_for(user, pk: int) -> Case:
    """One case the user may see, or Case.DoesNotExist (views turn it into 404)."""
    return cases_visible_to(user).get(pk=pk)


def case_get_by_tracking_code(tracking_code: str) -> Case:
    """The case a resident follows with its tracking code (dashes and case ignored), or DoesNotExist."""
    code = crypto.normalize(tracking_code)
    if not code:
        raise Case.DoesNotExist
    return Case.objects.get(tracking_code=code)


def case_actions_for(user, case: Case) -> list[str]:
    """The actions the table allows now and ``user`` may perform: the buttons a page shows."""
    return [a for a in actions_from(case.status) if offered(a, case) and may(user, case, a)]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    status: str
    text: str
    note: str


def _fmt(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else ""


def _public_text(event: CaseEvent) -> str:
    """One plain-Chinese line for the resident; it never names the staff member who acted."""
    d = event.data or {}
    name = d.get("to_name", "")
    texts = {
        CREATE_ACTION: "您的诉求已提交",
        "accept": "诉求已受理",
        "reject": "经审核，该诉求不属于本平台受理范围",
        "merge": "该诉求与他人反映的相同问题合并办理",
        "dispatch": f"已派至“{name}”办理" if name else "已派单办理",
        "reassign": f"已转至“{name}”办理" if name else "已转派办理",
        "start": "网格工作人员已开始办理",
        "take": "承办单位已接单，正在办理",
        "return": "承办单位申请退回，正在重新派单",
        "extend": f"办理期限已延长至 {_fmt(d.get('deadline'))}",
        "park": f"已列为长期跟踪事项，计划于 {d.get('until', '')} 复查",
        "unpark": "长期跟踪事项已恢复办理",
        "escalate": f"已提交“{name}”协调办理" if name else "已提交上级协调办理",
        "whistle": f"已“吹哨”召集相关部门，由“{name}”牵头办理" if name else "已召集相关部门联合办理",
        "reply": "承办单位已答复",
        "verify": "办理结果已核实",
        "rate": f"您的评价：{_rating_label(d.get('rating', ''))}，诉求已办结",
        "rate_unsatisfied": "您的评价：不满意，诉求已重新交办",
        "reopen": "诉求已重新交办",
        "close": "诉求已办结",
    }
    return texts.get(event.action, status_label(event.to_status))


def _rating_label(value: str) -> str:
    return str(Rating(value).label) if value in Rating.values else value


def case_timeline_public(case: Case) -> list[TimelineEntry]:
    """The events shown on the resident's tracking page, oldest first."""
    events = CaseEvent.objects.filter(case=case, public=True).order_by("at", "pk")
    return [
        TimelineEntry(at=e.at, action=e.action, status=e.to_status, text=_public_text(e), note=e.note)
        for e in events
    ]


def case_events(case: Case) -> QuerySet[CaseEvent]:
    """Every event of a case, for staff who may see the case (callers check that first)."""
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "pk")
