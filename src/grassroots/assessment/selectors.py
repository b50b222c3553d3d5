"""Scoped reads of the assessment: whose figures a user may see, and the rankings themselves.

Scope is the cases' scope (``cases.selectors.cases_visible_to``): a user sees the KPIs of an area
only where they hold ``VIEW_CASES`` at that area or above it — a community worker their community
and its grids, a street administrator their street, a leader or district administrator the
district. Everything is computed from the cases the user may see, so no figure ever includes a
case outside their scope. A unit's handler (no area role) sees the figures of their own unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from grassroots.accounts.models import Capability, Role, RoleAssignment
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level, child_level
from grassroots.cases.models import Case, WhistleTask
from grassroots.cases.selectors import cases_visible_to
from grassroots.evaluation.selectors import dispatch_scores, unit_scores
from grassroots.orgs.models import Unit

from . import rollups
from .kpis import EXCLUDED_STATUSES, Kpi, compute, conditions, rank
from .models import KpiDay, KpiSettings
from .periods import Period

KPI_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)  # buildings are not assessed


class OutOfScope(Exception):
    """The area does not exist, is not assessed, or is outside the user's scope (pages: 404)."""


def kpi_settings_for(district_code: str) -> KpiSettings:
    """The district's parameters, or the published defaults when nobody has changed them."""
    return KpiSettings.objects.filter(district_code=district_code).first() or KpiSettings.defaults(district_code)


def can_edit_settings(user, district_code: str) -> bool:
    """Superusers and the district's own administrators (区级管理员)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user=user, role=Role.DISTRICT_ADMIN, area__code=district_code).exists()


def editable_districts(user) -> list[Area]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    districts = Area.objects.filter(level=Level.DISTRICT)
    if not user.is_superuser:
        districts = districts.filter(role_assignments__user=user, role_assignments__role=Role.DISTRICT_ADMIN)
    return list(districts.distinct().order_by("code"))


def can_view_kpis(user) -> bool:
    """Whether the user has any case-viewing role (at an area, or as a unit's handler)."""
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.codes(Capability.VIEW_CASES)) or bool(
        scope.unit_ids.get(Capability.HANDLE_CASES))


def kpi_roots(user) -> list[Area]:
    """The highest areas whose figures the user may see (one for most users), in code order."""
    scope = scope_for(user)
    if scope.is_superuser:
        return list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))
    codes = sorted(scope.codes(Capability.VIEW_CASES), key=len)
    roots: list[str] = []
    for code in codes:
        if len(code) <= CODE_LENGTHS[Level.GRID] and not any(code.startswith(r) for r in roots):
            roots.append(code)
    return list(Area.objects.filter(code__in=roots).order_by("code"))


def kpi_area_get(user, code: str) -> Area:
    """The area ``code`` if it is assessed and within the user's scope, else OutOfScope."""
    area = Area.objects.filter(code=(code or "").strip(), level__in=KPI_LEVELS).first()
    if area is None or not scope_for(user).can_at(Capability.VIEW_CASES, area.code):
        raise OutOfScope(code)
    return area


def unit_ids_of(user) -> frozenset[int]:
    """The units whose cases the user handles (a department's or a property company's handlers)."""
    return scope_for(user).unit_ids.get(Capability.HANDLE_CASES, frozenset())


def ranked_levels(area: Area) -> list[str]:
    """The levels below ``area`` that can be ranked in it (a district: streets, communities, grids)."""
    out, level = [], child_level(area.level)
    while level in KPI_LEVELS:
        out.append(level)
        level = child_level(level)
    return out


def cohort(user, period: Period) -> QuerySet[Case]:
    """The cases the user may see that were received in the period."""
    return cases_visible_to(user).filter(created_at__gte=period.start_at, created_at__lt=period.end_at)


def area_cases(area: Area) -> QuerySet[Case]:
    """Every case placed in ``area``. Only for an area that ``kpi_area_get`` let the user open: holding
    VIEW_CASES there or above, they see every case of it (``cases_visible_to`` adds cases elsewhere
    only), so this is their scope within the area — said without the OR of the general scope, which
    keeps the planner on the area's and the running cases' indexes."""
    return Case.objects.filter(district_code=area.district_code, area_code__startswith=area.code)


def area_cohort(area: Area, period: Period) -> QuerySet[Case]:
    """The cases placed in ``area`` (checked with ``kpi_area_get``) and received in the period."""
    return area_cases(area).filter(created_at__gte=period.start_at, created_at__lt=period.end_at)


@dataclass
class Ranking:
    """One level's own figures and the ranking of the areas (or units) below it."""

    period: Period
    params: KpiSettings
    totals: Kpi
    rows: list[Kpi]
    area: Area | None = None
    level: str = ""  # the level ranked; "" for units
    unplaced: Kpi | None = None  # the area's cases placed above the ranked level (no grid known, …)
    levels: list[str] = field(default_factory=list)  # the levels that could be ranked instead

    @property
    def foot_rows(self) -> list[Kpi]:
        return [self.unplaced] if self.unplaced is not None else []


def _common(params: KpiSettings) -> dict:
    return {"factor": float(params.basic_factor), "weights": tuple(float(w) for w in params.weights)}


def _kpi(sums: dict, key: str, common: dict) -> Kpi:
    return Kpi.from_sums(sums, key, **common)


def _reply_hours(cases: QuerySet[Case], params: KpiSettings, now: datetime, key=None) -> dict[str, list[float]]:
    """Hours from report to reply of the replied cases (medians cannot be summed from the rollups: one
    values query over the period's replied cases, the size of the period, not of the history)."""
    replied = cases.filter(conditions(params, now)["replied"]).order_by()
    out: dict[str, list[float]] = {}
    if isinstance(key, str):
        key = F(key)
    if key is None:
        out[""] = [(b - a).total_seconds() / 3600 for a, b in replied.values_list("created_at", "replied_at")]
        return out
    for k, a, b in replied.annotate(_k=key).values_list("_k", "created_at", "replied_at"):
        out.setdefault("" if k is None else str(k), []).append((b - a).total_seconds() / 3600)
    return out


# Up to this many replied cases in the area and period, medians are exact (one query of their times);
# above, they are estimated from the rollups' histogram of reply times (docs/kpi.md, "Rollups").
EXACT_MEDIANS = 5000
LEVEL_OF_LENGTH = {9: KpiDay.Level.STREET, 12: KpiDay.Level.COMMUNITY, 15: KpiDay.Level.GRID}


def area_totals(*, user, area: Area, period: Period, now: datetime | None = None, medians: bool = True,
                params: KpiSettings | None = None) -> Kpi:
    """The area's own figures for the period, from the rollups (plus the clock's part of overdue)."""
    now = now or timezone.now()
    params = params or kpi_settings_for(area.district_code)
    days = rollups.rows_in(KpiDay, start=period.start, end=period.end).filter(unit_id=0)
    totals = _kpi(rollups.summed(rollups.own(days, area_code=area.code))[0], area.code, _common(params))
    totals.name = area.name
    cases = area_cohort(area, period)
    totals.overdue += rollups.late_counts(area_cases(area), now, received=(period.start_at, period.end_at))[""]
    if medians and totals.replied <= EXACT_MEDIANS:
        totals.reply_hours = _reply_hours(cases, params, now)[""]
    return totals


def area_ranking(*, user, area: Area, period: Period, level: str = "", now: datetime | None = None,
                 medians: bool = True, compare: bool = False) -> Ranking:
    """The KPIs of ``area`` (within the user's scope: check with ``kpi_area_get`` first) and of each
    area at ``level`` below it (default: its children), ranked by the composite score — read from the
    daily rollups (``rollups.py``). ``compare``: each row's rank and composite in the period before
    (``extra["previous_rank"]``, ``extra["previous_composite"]``)."""
    levels = ranked_levels(area)
    level = level or (levels[0] if levels else "")
    if level and level not in levels:
        raise ValueError(level)
    now = now or timezone.now()
    params = kpi_settings_for(area.district_code)
    common = _common(params)
    totals = area_totals(user=user, area=area, period=period, now=now, medians=medians, params=params)
    if not level:
        return Ranking(period=period, params=params, totals=totals, rows=[], area=area, levels=levels)
    length = CODE_LENGTHS[level]
    days = rollups.rows_in(KpiDay, start=period.start, end=period.end).filter(unit_id=0)
    grouped = rollups.summed(rollups.under(days, area_code=area.code, level=LEVEL_OF_LENGTH[length]), "area_code")
    figures = {g["area_code"]: _kpi(g, g["area_code"], common) for g in grouped}
    cases = area_cohort(area, period)
    key = Substr("area_code", 1, length)
    for code, n in rollups.late_counts(area_cases(area), now, key=key,
                                       received=(period.start_at, period.end_at)).items():
        if len(code) == length:
            figures.setdefault(code, Kpi(key=code, **common)).overdue += n
    hours = _reply_hours(cases, params, now, key=key) if medians and totals.replied <= EXACT_MEDIANS else {}
    rows = []
    children = Area.objects.filter(code__startswith=area.code, level=level).order_by("code")
    for code, name in children.values_list("code", "name"):  # not the boundaries
        row = figures.pop(code, None) or Kpi(key=code, **common)
        row.name = name
        rows.append(row)
    for orphan in figures.values():  # cases whose place is no longer in the tree
        orphan.name = orphan.key
        rows.append(orphan)
    unplaced = Kpi(key="", **common)
    unplaced.add(totals)
    unplaced.reply_hours = []
    for row in rows:
        unplaced.subtract(row)
        row.reply_hours = hours.get(row.key, [])
    for k, values in hours.items():
        if len(k) != length:
            unplaced.reply_hours.extend(values)
    if unplaced.received:
        unplaced.name = f"未定位到{Level(level).label}"
    else:
        unplaced = None
    by_key = {r.key: r for r in rows}
    for code, score in dispatch_scores(area_code_prefix=area.code, level_length=length, start_at=period.start_at,
                                       end_at=period.end_at).items():
        row = by_key.get(code)
        if row is not None:  # 双向评价: how the units rated this area's dispatch (docs/evaluation.md)
            row.extra.update(dispatch_score=score.score, dispatch_evaluations=score.count)
    ranked = rank(rows)
    if compare:
        _attach_previous(ranked, _ranked_before(area, period.previous(), level, common))
    return Ranking(period=period, params=params, totals=totals, rows=ranked, area=area, level=level,
                   unplaced=unplaced, levels=levels)


# What the composite (and so a rank) needs: the period before is ranked from these alone.
RANK_COUNTERS = ("received", "excluded", "responded", "resolved", "rated", "satisfied", "basic")


def _ranked_before(area: Area, period: Period, level: str, common: dict) -> list[Kpi]:
    """The areas at ``level`` below ``area`` ranked for ``period`` from their rollup rows (every area
    with a composite gets the rank the full ranking would give it)."""
    days = rollups.rows_in(KpiDay, start=period.start, end=period.end).filter(unit_id=0)
    rows = rollups.summed(rollups.under(days, area_code=area.code, level=LEVEL_OF_LENGTH[CODE_LENGTHS[level]]),
                          "area_code", counters=RANK_COUNTERS)
    return rank([Kpi.from_sums(g, g["area_code"], **common) for g in rows])


def _attach_previous(rows: list[Kpi], before: list[Kpi]) -> None:
    earlier = {k.key: k for k in before}
    for row in rows:
        prev = earlier.get(row.key)
        row.extra["previous_rank"] = prev.rank if prev else None
        row.extra["previous_composite"] = prev.composite if prev else None
        row.extra["rank_change"] = (prev.rank - row.rank) if prev and prev.rank and row.rank else None
        row.extra["composite_change"] = (row.composite - prev.composite
                                         if prev and prev.composite is not None and row.composite is not None
                                         else None)


def _assist_counts(tasks: QuerySet[WhistleTask]) -> dict[int, dict[str, int]]:
    on_time = Q(replied_at__isnull=False) & (Q(deadline__isnull=True) | Q(replied_at__lte=F("deadline")))
    grouped = (tasks.filter(role=WhistleTask.Role.ASSIST).exclude(status=WhistleTask.Status.CANCELLED)
               .values("unit_id").order_by()
               .annotate(tasks=Count("pk"), replied=Count("pk", filter=Q(replied_at__isnull=False)),
                         on_time=Count("pk", filter=on_time)))
    return {g.pop("unit_id"): g for g in grouped}


def unit_ranking(*, user, period: Period, area: Area | None = None, now: datetime | None = None,
                 medians: bool = True, compare: bool = False) -> Ranking:
    """The KPIs of the units holding cases received in the period, ranked (from the rollups' unit rows).

    With ``area`` (within the user's scope): the cases placed in it, whichever unit holds them.
    Without: the cases of the user's own units (for a unit's handlers, who hold no area role).
    A case counts for the unit holding it now (``assigned_unit``): a reassigned case counts for
    the unit it went to, a returned one for nobody until it is dispatched again, a whistled one for
    the lead unit. Assisting units' whistle tasks are counted apart (``extra``).
    """
    now = now or timezone.now()
    cases = cohort(user, period)
    tasks = WhistleTask.objects.filter(case__created_at__gte=period.start_at, case__created_at__lt=period.end_at)
    tasks = tasks.exclude(case__status__in=EXCLUDED_STATUSES)
    days = rollups.rows_in(KpiDay, start=period.start, end=period.end).filter(unit_id__gt=0)
    if area is not None:
        cases = area_cohort(area, period)
        tasks = tasks.filter(case__in=cases.values("pk"))
        district = area.district_code
        days = rollups.own(days, area_code=area.code)
    else:
        units = sorted(unit_ids_of(user))
        cases = cases.filter(assigned_unit_id__in=units)
        tasks = tasks.filter(unit_id__in=units)
        district = Unit.objects.filter(pk__in=units).values_list("district_code", flat=True).first() or ""
        days = days.filter(unit_id__in=units, level__in=(KpiDay.Level.DISTRICT_ONLY, KpiDay.Level.STREET))
    params = kpi_settings_for(district)
    common = _common(params)
    held = cases.filter(assigned_unit__isnull=False)
    if area is None or len(area.code) <= CODE_LENGTHS[Level.STREET]:
        figures = {str(g["unit_id"]): _kpi(g, str(g["unit_id"]), common) for g in rollups.summed(days, "unit_id")}
        for unit_id, n in rollups.late_counts(held, now, key="assigned_unit_id").items():
            figures.setdefault(str(unit_id), Kpi(key=str(unit_id), **common)).overdue += n
    else:  # a community or a grid: the rollups keep unit rows per street; count the area's month
        figures = compute(held, params=params, now=now, key="assigned_unit_id")
    exact = medians and sum(row.replied for row in figures.values()) <= EXACT_MEDIANS
    hours = _reply_hours(held, params, now, key="assigned_unit_id") if exact else {}
    totals = Kpi(key="", name="全部承办单位", **common)
    for row in figures.values():
        if exact:
            row.reply_hours = hours.get(row.key, [])
        totals.add(row)
    assists = _assist_counts(tasks)
    ids = {int(k) for k, row in figures.items() if row.received} | set(assists)
    evaluations = unit_scores(unit_ids=ids, area_code_prefix=area.code if area is not None else "",
                              start_at=period.start_at, end_at=period.end_at)
    rows = []
    for unit in Unit.objects.filter(pk__in=ids).order_by("name"):
        row = figures.get(str(unit.pk)) or Kpi(key=str(unit.pk), **common)
        row.name = unit.name
        counts = assists.get(unit.pk, {"tasks": 0, "replied": 0, "on_time": 0})
        row.extra = {"kind": unit.get_kind_display(), "assist_tasks": counts["tasks"],
                     "assist_replied": counts["replied"], "assist_on_time": counts["on_time"],
                     "assist_on_time_rate": counts["on_time"] / counts["tasks"] if counts["tasks"] else None}
        if unit.pk in evaluations:
            row.extra.update(evaluation_score=evaluations[unit.pk].score,
                             evaluations=evaluations[unit.pk].count)
        rows.append(row)
    ranked = rank(rows)
    if compare:
        _attach_previous(ranked, unit_ranking(user=user, period=period.previous(), area=area, now=now,
                                              medians=False).rows)
    return Ranking(period=period, params=params, totals=totals, rows=ranked, area=area)
