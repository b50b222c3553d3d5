"""Scoped reads of cases. Every list and every object fetch of a case goes through here.

A user sees the cases placed under the areas where they hold ``VIEW_CASES`` (one indexed prefix
match on ``Case.area_code``); a unit's handler sees the cases their unit holds or has a whistle task
on (also after the task is done); a resident sees the cases they reported. The resident's tracking page reads ``case_timeline_public`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Length
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Capability, Role, RoleAssignment
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.core import crypto
from grassroots.core.memo import memoized
from grassroots.orgs.models import Duty, Unit
from grassroots.worktime import calendar as worktime_calendar
from grassroots.worktime.calendar import CalendarMissing
from grassroots.worktime.selectors import limits_current, overrides_current

from .effects import member_may_take
from .models import BOARD_STATUSES, Case, CaseAttachment, CaseEvent, Category, Rating, WhistleTask
from .permissions import may
from .transitions import CREATE_ACTION, RUNNING, action_label, actions_from, offered, status_label


def _categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.all()}


def category_by_code(code: str) -> Category | None:
    """A category of the taxonomy by its code, from a copy kept in memory for a few seconds
    (core/memo.py; the taxonomy changes a few times a year, and intake asks on every case)."""
    return memoized("cases.categories", _categories).get(code)


def cases_visible_to(user, *, for_count: bool = False) -> QuerySet[Case]:
    """The cases ``user`` may see. ``for_count``: the same rows, filtered so that a count reads the
    places' part of the area index (``Scope.area_q(ranges=True)``), not the whole history."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    scope = scope_for(user)
    cases = Case.objects.select_related("category", "area", "assigned_unit", "assigned_area")
    if scope.is_superuser:
        return cases.all()  # (an empty Q OR-ed with another is just the other: no shortcut below)
    q = scope.area_q(Capability.VIEW_CASES, "area_code", ranges=for_count)
    units = scope.unit_ids.get(Capability.HANDLE_CASES)
    if units:
        q |= Q(assigned_unit_id__in=sorted(units))
        q |= Q(pk__in=WhistleTask.objects.filter(unit_id__in=sorted(units)).values("case_id"))
    q |= Q(reporter_user=user) | Q(assigned_user=user)
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


PUBLIC_TEXTS = {
    CREATE_ACTION: "您的诉求已提交",
    "accept": "诉求已受理",
    "reject": "经审核，该诉求不属于本平台受理范围",
    "merge": "该诉求与他人反映的相同问题合并办理",
    "start": "网格工作人员已开始办理",
    "take": "承办单位已接单，正在办理",
    "return": "承办单位申请退回，正在重新派单",
    "unpark": "长期跟踪事项已恢复办理",
    "reply": "承办单位已答复",
    "verify": "办理结果已核实",
    "rate_unsatisfied": "您的评价：不满意，诉求已重新交办",
    "reopen": "诉求已重新交办",
    "close": "诉求已办结",
}
NAMED_TEXTS = {  # (with the team's name, without)
    "dispatch": ("已派至“{name}”办理", "已派单办理"),
    "reassign": ("已转至“{name}”办理", "已转派办理"),
    "escalate": ("已提交“{name}”协调办理", "已提交上级协调办理"),
    "whistle": ("已“吹哨”召集相关部门，由“{name}”牵头办理", "已召集相关部门联合办理"),
}


def public_text(event: CaseEvent) -> str:
    """One plain-Chinese line for the resident; it never names the staff member who acted. Only the
    line asked for is worded (a page of 50 Open311 requests words 50)."""
    action = event.action
    if action in PUBLIC_TEXTS:
        return PUBLIC_TEXTS[action]
    d = event.data or {}
    if action in NAMED_TEXTS:  # the team it went to, when the event names it
        named, unnamed = NAMED_TEXTS[action]
        return named.format(name=d["to_name"]) if d.get("to_name") else unnamed
    if action == "extend":
        return f"办理期限已延长至 {_fmt(d.get('deadline'))}"
    if action == "park":
        return f"已列为长期跟踪事项，计划于 {d.get('until', '')} 复查"
    if action == "rate":
        return f"您的评价：{_rating_label(d.get('rating', ''))}，诉求已办结"
    return status_label(event.to_status)


def _rating_label(value: str) -> str:
    return str(Rating(value).label) if value in Rating.values else value


def case_timeline_public(case: Case) -> list[TimelineEntry]:
    """The events shown on the resident's tracking page, oldest first."""
    events = CaseEvent.objects.filter(case=case, public=True).order_by("at", "pk")
    return [
        TimelineEntry(at=e.at, action=e.action, status=e.to_status, text=public_text(e), note=e.note)
        for e in events
    ]


def case_events(case: Case) -> QuerySet[CaseEvent]:
    """Every event of a case, for staff who may see the case (callers check that first)."""
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "pk")


# --- staff pages: the case list, the dispatch board, the detail page ---------------------------------
# (the ``cases`` pages and ``/api/cases``; every function starts from ``staff_cases_for``)

S = Case.Status
OPEN_STATUSES = sorted(RUNNING)  # the statuses whose clock runs: a deadline can pass
ACTIVE_STATUSES = sorted(RUNNING - {S.REPORTED})
# Every action's label, marked for translation (the table's labels are plain Chinese); the engine's
# non-status actions are here too until their labels are in the table.
ACTION_LABELS = {
    "report": _("上报"), "accept": _("受理"), "reject": _("不予受理"), "merge": _("合并"), "dispatch": _("派单"),
    "start": _("就地办理"), "take": _("接单"), "return": _("退单"), "reassign": _("转派"), "extend": _("延期"),
    "park": _("挂账"), "unpark": _("解除挂账"), "escalate": _("上提"), "whistle": _("吹哨"), "reply": _("答复"),
    "verify": _("核实"), "rate": _("评价"), "rate_unsatisfied": _("评价"), "reopen": _("重办"), "close": _("办结"),
    "supervise": _("督办"), "unsupervise": _("取消督办"), "comment": _("备注"), "request_extension": _("申请延期"),
    "deny_extension": _("不同意延期"), "task_reply": _("协办回复"), "warn": _("临期预警"),
    "overdue": _("超时督办"), "categorize": _("调整分类"),
}


@dataclass(frozen=True)
class StatusGroup:
    key: str
    label: Any


STATUS_GROUPS = [
    StatusGroup("pending", _("待受理")), StatusGroup("active", _("办理中")), StatusGroup("to_verify", _("待核实")),
    StatusGroup("to_rate", _("待回访")), StatusGroup("closed", _("已办结")), StatusGroup("overdue", _("超时")),
    StatusGroup("near", _("临期")), StatusGroup("supervised", _("督办")), StatusGroup("parked", _("挂账")),
    StatusGroup("ended", _("不予受理/合并")),
]


def _group_q(group: str, now: datetime) -> Q:
    open_ = Q(status__in=OPEN_STATUSES)
    return {
        "pending": Q(status=S.REPORTED),
        "active": Q(status__in=ACTIVE_STATUSES),
        "to_verify": Q(status=S.REPLIED),
        "to_rate": Q(status=S.VERIFIED),
        "closed": Q(status=S.CLOSED),
        "overdue": open_ & (Q(deadline__lt=now) | Q(overdue=True)),
        "near": open_ & Q(deadline__gte=now, warned_at__isnull=False, overdue=False),
        "supervised": Q(supervised_at__isnull=False) & ~Q(status__in=[S.CLOSED, S.REJECTED, S.MERGED]),  # 督办中
        "parked": Q(status=S.PARKED),
        "ended": Q(status__in=[S.REJECTED, S.MERGED]),
    }.get(group, Q())


def is_case_staff(user) -> bool:
    """Whether the user works on cases (views or handles them somewhere): the staff pages are theirs."""
    scope = scope_for(user)
    return any(scope.can(c) for c in (Capability.VIEW_CASES, Capability.HANDLE_CASES, Capability.TAKE_CASES))


def is_dispatcher_somewhere(user) -> bool:
    return scope_for(user).can(Capability.DISPATCH_CASES)


# A row of a list or of the board never draws its grid's outline: the areas' GeoJSON stays in the
# database (a board page decoded about 200 grid polygons it did not show).
ROW_DEFER = ("area__boundary", "assigned_area__boundary")


def for_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The cases of ``qs`` as a list shows them (see ROW_DEFER)."""
    return qs.defer(*ROW_DEFER)


def staff_cases_for(user, *, for_count: bool = False) -> QuerySet[Case]:
    """``cases_visible_to`` for staff; nothing for a resident, who follows cases on the portal."""
    return cases_visible_to(user, for_count=for_count) if is_case_staff(user) else Case.objects.none()


def staff_case_list(user, filters: dict) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The staff list's cases with ``filters`` (``cases_filter``'s arguments): the rows as a list shows
    them, and the same cases in the form a count reads from the area index (``for_count``)."""
    rows = for_rows(cases_filter(staff_cases_for(user), **filters))
    return rows, cases_filter(staff_cases_for(user, for_count=True), **filters)


def cases_filter(qs: QuerySet[Case], *, group: str = "", status: str = "", urgency: str = "",
                 channel: str = "", tier: str = "", category_code: str = "", area_code: str = "",
                 unit_id: int | None = None, created_from: date | None = None, created_to: date | None = None,
                 text: str = "", now: datetime | None = None) -> QuerySet[Case]:
    """The list's filters; the category and the area include their whole subtree."""
    if group:
        qs = qs.filter(_group_q(group, now or timezone.now()))
    for name, value in (("status", status), ("urgency", urgency), ("channel", channel), ("tier", tier)):
        if value:
            qs = qs.filter(**{name: value})
    if category_code:
        qs = qs.filter(category__code__startswith=category_code)
    if area_code:
        qs = qs.filter(area_code__startswith=area_code)
    if unit_id:
        qs = qs.filter(assigned_unit_id=unit_id)
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(title__icontains=text) | Q(address__icontains=text))
    return qs


# --- time left ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineInfo:
    state: str  # overdue | near | ok | stopped (replied, closed…: the clock stopped) | none (no deadline)
    text: str


class Clock:
    """The working calendar and the time limits, loaded once for a page of cases."""

    def __init__(self, now: datetime | None = None):
        self.now = now or timezone.now()
        self.overrides = overrides_current()  # small tables, kept a few seconds (core.memo)
        self.limits = limits_current()

    def _unit(self, urgency: str) -> str:
        limit = self.limits.get(urgency)
        return limit.unit if limit else worktime_calendar.WORKING_DAYS

    def info(self, case: Case) -> DeadlineInfo:
        if case.status not in OPEN_STATUSES:
            return DeadlineInfo("stopped", gettext("曾超时") if case.overdue else "")
        if case.deadline is None:
            return DeadlineInfo("none", gettext("未设时限"))
        if self.now >= case.deadline:
            return DeadlineInfo("overdue", gettext("已超时%(t)s") % {"t": _span(self.now - case.deadline)})
        unit = self._unit(case.urgency)
        try:
            if unit == worktime_calendar.HOURS:
                text = gettext("剩余%(t)s") % {"t": _span(case.deadline - self.now)}
            else:
                seconds = worktime_calendar.working_seconds(self.now, case.deadline, self.overrides)
                text = gettext("剩余%(t)s（工作时间）") % {"t": _working_span(seconds)} if seconds >= 3600 \
                    else gettext("剩余%(t)s") % {"t": _span(case.deadline - self.now)}
            start = case.deadline_started_at or case.created_at
            used = worktime_calendar.fraction_elapsed(start, case.deadline, self.now, unit=unit,
                                                      overrides=self.overrides)
        except CalendarMissing:
            text, used = gettext("剩余%(t)s") % {"t": _span(case.deadline - self.now)}, 0.0
        near = case.overdue or case.warned_at is not None or used >= 0.75
        return DeadlineInfo("near" if near else "ok", text)


def _span(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and hours:
        return gettext("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if days:
        return gettext("%(d)s天") % {"d": days}
    if hours and minutes:
        return gettext("%(h)s小时%(m)s分") % {"h": hours, "m": minutes}
    if hours:
        return gettext("%(h)s小时") % {"h": hours}
    return gettext("%(m)s分钟") % {"m": minutes}


def _working_span(seconds: float) -> str:
    per_day = sum((datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()
                  for a, b in worktime_calendar.WORKING_PERIODS)
    days, rest = divmod(int(seconds), int(per_day))
    hours = rest // 3600
    if days and hours:
        return gettext("%(d)s个工作日%(h)s小时") % {"d": days, "h": hours}
    if days:
        return gettext("%(d)s个工作日") % {"d": days}
    return gettext("%(h)s小时") % {"h": hours}


@dataclass(frozen=True)
class CaseRow:
    """What a staff list shows of a case: the case, its time left, its masked contact."""

    case: Case
    deadline: DeadlineInfo

    @property
    def contact_name(self) -> str:
        return gettext("匿名") if self.case.anonymous else self.case.contact_name_masked

    @property
    def contact_phone(self) -> str:
        return self.case.contact_phone_masked


def case_rows(cases, *, clock: Clock | None = None) -> list[CaseRow]:
    clock = clock or Clock()
    return [CaseRow(case=c, deadline=clock.info(c)) for c in cases]


# --- the dispatch board ------------------------------------------------------------------------------

BOARD_KINDS = [
    StatusGroup("new", _("待受理/待派单")), StatusGroup("returned", _("退单")),
    StatusGroup("escalated", _("上提")), StatusGroup("extension", _("延期申请")),
]
DISPATCH_CODE_LENGTHS = (12, 9, 6)  # community, street, district: where dispatchers sit


def _kind_q(kind: str) -> Q:
    return {
        "new": Q(status__in=[S.REPORTED, S.ACCEPTED]),
        "returned": Q(status=S.RETURNED),
        "escalated": Q(status=S.ESCALATED),
        "extension": Q(extension_requested_until__isnull=False),
    }.get(kind, Q())  # every tab: ON_BOARD_SQL, which board_cases_for always adds


def _at_level_q(root: str) -> Q:
    """Cases whose owner is handled by the dispatchers at ``root``: its own team, and for a community
    its grids too (grids have no dispatcher); a street's board leaves the communities' cases to them."""
    inside = Q(control__startswith=root)
    longer = [n for n in DISPATCH_CODE_LENGTHS if n > len(root)]
    return inside & Q(control_length__lt=min(longer)) if longer else inside


def board_cases_for(user, *, kind: str = "", include_lower: bool = False) -> QuerySet[Case]:
    """The cases waiting for a dispatcher: new or accepted cases their team owns, returned cases,
    cases escalated to their level, pending extension requests. Oldest deadline first."""
    scope = scope_for(user)
    if not scope.can(Capability.DISPATCH_CASES):
        return Case.objects.none()
    qs = staff_cases_for(user).annotate(
        control=Coalesce("assigned_area__code", "area_code"), control_length=Length("control"))
    if scope.is_superuser:
        where = Q()
    else:
        where = Q(pk__in=[])
        for root in scope.codes(Capability.DISPATCH_CASES):
            where |= Q(control__startswith=root) if include_lower else _at_level_q(root)
    return for_rows(qs.filter(where & _kind_q(kind)).extra(where=[ON_BOARD_SQL])  # noqa: S610 — constants, no input
                    .order_by(F("deadline").asc(nulls_last=True), "created_at"))


# The index case_on_board's condition, word for word and with its values written in the SQL, whatever the
# tab: SQLite uses a partial index only when the query's WHERE holds the index's own terms, and a value
# passed as a parameter does not count (a street's board read 100,000 cases of history by deadline).
_BOARD_VALUES = ", ".join(f"'{status}'" for status in BOARD_STATUSES)
ON_BOARD_SQL = f'("cases_case"."status" IN ({_BOARD_VALUES}) OR "cases_case"."extension_requested_until" IS NOT NULL)'  # noqa: S608


@dataclass(frozen=True)
class BoardRow:
    case: Case
    deadline: DeadlineInfo
    reason: str  # why it is on the board: the return reason, the escalation note, the extension request
    suggestions: list[Unit]


def _last_notes(cases: list[Case], actions: tuple[str, ...]) -> dict[int, CaseEvent]:
    last: dict[int, CaseEvent] = {}
    for event in CaseEvent.objects.filter(case__in=cases, action__in=actions).order_by("at", "pk"):
        last[event.case_id] = event
    return last


def board_rows(cases, *, clock: Clock | None = None) -> list[BoardRow]:
    cases = list(cases)
    clock = clock or Clock()
    events = _last_notes(cases, ("return", "escalate", "request_extension"))
    suggestions = duty_suggestions(cases)
    rows = []
    for case in cases:
        event = events.get(case.pk)
        reason = ""
        if case.extension_requested_until is not None:
            asked = timezone.localtime(case.extension_requested_until).strftime("%Y-%m-%d %H:%M")
            reason = gettext("申请延期至 %(t)s") % {"t": asked}
            if event is not None and event.action == "request_extension" and event.note:
                reason += f"：{event.note}"
        elif event is not None and event.action == CASE_STATUS_ACTION.get(case.status):
            reason = f"{action_text(event.action)}：{event.note}" if event.note else action_text(event.action)
        rows.append(BoardRow(case=case, deadline=clock.info(case), reason=reason,
                             suggestions=suggestions.get(case.pk, [])))
    return rows


CASE_STATUS_ACTION = {S.RETURNED: "return", S.ESCALATED: "escalate"}


def duty_suggestions(cases) -> dict[int, list[Unit]]:
    """Units whose duty catalogue covers each case (its category or an ancestor, an area containing
    the case's place), the most specific first."""
    by_category = duties_by_category()
    out: dict[int, list[Unit]] = {}
    for case in cases:
        if not case.category_id:
            continue
        code = case.category.code
        matches = [d for n in range(2, len(code) + 1, 2) for d in by_category.get(code[:n], ())
                   if case.scope_code.startswith(d.area_code) and d.district_code == case.district_code]
        matches.sort(key=lambda d: (-len(d.category_code), -len(d.area_code), d.unit.name))
        seen: dict[int, Unit] = {}
        for duty in matches:
            seen.setdefault(duty.unit.pk, duty.unit)
        out[case.pk] = list(seen.values())
    return out


@dataclass(frozen=True)
class DutyEntry:
    category_code: str
    area_code: str
    district_code: str  # the unit's
    unit: Unit


DUTIES_KEY = "cases.duties"


def duties_by_category() -> dict[str, list[DutyEntry]]:
    """The duty catalogue (职责清单) by category code, kept in memory for a few seconds like the other
    small tables (``core.memo``; dropped when a duty, unit, area or category is saved here): the
    board reads it for every row."""
    return memoized(DUTIES_KEY, _duties_by_category)


def _duties_by_category() -> dict[str, list[DutyEntry]]:
    out: dict[str, list[DutyEntry]] = {}
    for d in Duty.objects.select_related("unit", "area", "category").defer("area__boundary"):
        out.setdefault(d.category.code, []).append(
            DutyEntry(d.category.code, d.area.code, d.unit.district_code, d.unit))
    return out


# --- choices for the action forms ----------------------------------------------------------------------


def dispatch_units_for(case: Case) -> list[Unit]:
    """Units a case may be dispatched to: of its district, serving an area containing its place."""
    units = Unit.objects.filter(district_code=case.district_code).select_related("area").order_by("kind", "name")
    return [u for u in units if case.scope_code.startswith(u.area.code)]


def dispatch_teams_for(user, case: Case) -> list[Area]:
    """The grid, community and street teams containing the case that ``user`` may dispatch to."""
    scope = scope_for(user)
    codes = [case.scope_code[:n] for n in (9, 12, 15) if len(case.scope_code) >= n]
    return [a for a in Area.objects.filter(code__in=codes).order_by("code")
            if scope.can_at(Capability.DISPATCH_CASES, a.code)]


def dispatch_members_for(case: Case) -> list:
    """The Party members who may take the case personally (党员接单): users whose TAKE_CASES role is
    at the case's community, one of its grids, or an area containing it."""
    place = case.scope_code
    candidates = {ra.user for ra in RoleAssignment.objects.filter(
        role=Role.PARTY_MEMBER, user__is_active=True, area__code__startswith=place[:6]).select_related("user")}
    return sorted((u for u in candidates if member_may_take(u, case)), key=lambda u: (str(u), u.pk))


def whistle_units_for(case: Case) -> list[Unit]:
    """Units that may be summoned (吹哨) on a case: every unit of its district."""
    return list(Unit.objects.filter(district_code=case.district_code).order_by("kind", "name"))


def units_for_filter(user) -> QuerySet[Unit]:
    """Units a staff member's cases may be held by: every unit of their districts, and their own."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Unit.objects.order_by("kind", "name")
    districts = {code[:6] for code in scope.codes(Capability.VIEW_CASES)}
    own = scope.unit_ids.get(Capability.HANDLE_CASES, frozenset())
    return Unit.objects.filter(Q(district_code__in=districts) | Q(pk__in=sorted(own))).order_by("kind", "name")


def bulk_dispatch_targets(user) -> tuple[QuerySet[Unit], QuerySet[Area]]:
    """Units and teams the board's bulk dispatch offers: those of the user's dispatch areas.
    The service still checks each case (a unit must serve the case's place)."""
    scope = scope_for(user)
    roots = sorted(scope.codes(Capability.DISPATCH_CASES))
    if scope.is_superuser:
        return Unit.objects.all(), Area.objects.filter(level__in=["grid", "community", "street"])
    districts = {r[:6] for r in roots}
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(code__startswith=root)
    return Unit.objects.filter(district_code__in=districts), Area.objects.filter(q, level__in=["grid", "community", "street"])


def bulk_dispatch_choices(user) -> tuple[list[tuple[int, str, str]], list[tuple[str, str]]]:
    """The board's two selects: (pk, name, kind) of each unit, (code, name) of each team — plain values,
    not model rows (a street's 260 units and teams as models were a tenth of the board's time)."""
    units, areas = bulk_dispatch_targets(user)
    return (list(units.order_by("kind", "name").values_list("pk", "name", "kind")),
            list(areas.order_by("code").values_list("code", "name")))


# --- the detail page -----------------------------------------------------------------------------------


def can_reveal_contact(user, case: Case) -> bool:
    return scope_for(user).can_at(Capability.REVEAL_PERSONAL, case.scope_code)


def action_text(action: str) -> str:
    """The action's label in the user's language (the table's own label for actions added later)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action_label(action)


@dataclass(frozen=True)
class InternalEntry:
    """One event as staff see it: who, what, from → to, the note, and whether residents see it."""

    event: CaseEvent
    label: str
    actor: str
    detail: str
    status_changed: bool

    @property
    def from_label(self) -> str:
        return status_label(self.event.from_status) if self.event.from_status else ""

    @property
    def to_label(self) -> str:
        return status_label(self.event.to_status)


def _local(value: str | None) -> str:
    if not value:
        return ""
    try:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)[:16].replace("T", " ")


def _event_detail(event: CaseEvent) -> str:
    d = event.data or {}
    parts = []
    if d.get("to_name"):
        parts.append(gettext("交由：%(n)s") % {"n": d["to_name"]})
    if d.get("assisting_names"):
        parts.append(gettext("协办：%(n)s") % {"n": "、".join(d["assisting_names"])})
    if d.get("deadline"):
        parts.append(gettext("时限：%(t)s") % {"t": _local(d["deadline"])})
    if d.get("until"):
        parts.append(gettext("至：%(t)s") % {"t": _local(d["until"]) if "T" in str(d["until"]) else d["until"]})
    if d.get("rating"):
        parts.append(gettext("评价：%(r)s") % {"r": _rating_label(d["rating"])})
    if d.get("into_code"):
        parts.append(gettext("合并到：%(c)s") % {"c": d["into_code"]})
    if d.get("rule"):
        parts.append(gettext("分级：%(r)s") % {"r": d["rule"]})
    if d.get("deadline_problem"):
        parts.append(gettext("未能计算时限：%(p)s") % {"p": d["deadline_problem"]})
    return "；".join(parts)


def case_timeline_internal(case: Case) -> list[InternalEntry]:
    """Every event of the case, oldest first, for staff (public and internal)."""
    return [
        InternalEntry(event=e, label=action_text(e.action), actor=str(e.actor) if e.actor else gettext("系统"),
                      detail=_event_detail(e), status_changed=e.from_status != e.to_status)
        for e in case_events(case)
    ]


def whistle_tasks_of(case: Case) -> QuerySet[WhistleTask]:
    return WhistleTask.objects.filter(case=case).select_related("unit", "replied_by").order_by("role", "pk")


def open_tasks_for(user, case: Case) -> QuerySet[WhistleTask]:
    """The open assisting tasks of this case that ``user``'s units may answer (the lead answers the
    resident with the case's reply)."""
    scope = scope_for(user)
    tasks = WhistleTask.objects.filter(case=case, status=WhistleTask.Status.OPEN,
                                       role=WhistleTask.Role.ASSIST).select_related("unit")
    if scope.is_superuser:
        return tasks
    return tasks.filter(unit_id__in=sorted(scope.unit_ids.get(Capability.HANDLE_CASES, ())))


def case_photos(case: Case) -> QuerySet[CaseAttachment]:
    return CaseAttachment.objects.filter(case=case).order_by("pk")


def case_map_data(case: Case) -> dict | None:
    """The point of the case (its own, else its building's) and its grid's outline, for the map."""
    point = [case.lat, case.lng] if case.lat is not None and case.lng is not None else None
    place = case.area
    if point is None and place is not None and place.lat is not None and place.lng is not None:
        point = [place.lat, place.lng]
    grid = Area.objects.filter(code=case.area_code[:15]).only("name", "boundary").first() \
        if len(case.area_code) >= 15 else None
    outline = grid.boundary if grid is not None else None
    if point is None and outline is None:
        return None
    return {"point": point, "outline": outline, "grid": grid.name if grid else "",
            "label": case.address or (place.name if place else "")}
