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
from grassroots.orgs.models import Unit

from .kpis import EXCLUDED_STATUSES, Kpi, compute, rank
from .models import KpiSettings
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


def area_ranking(*, user, area: Area, period: Period, level: str = "", now: datetime | None = None) -> Ranking:
    """The KPIs of ``area`` (within the user's scope: check with ``kpi_area_get`` first) and of each
    area at ``level`` below it (default: its children), ranked by the composite score."""
    levels = ranked_levels(area)
    level = level or (levels[0] if levels else "")
    if level and level not in levels:
        raise ValueError(level)
    now = now or timezone.now()
    params = kpi_settings_for(area.district_code)
    cases = cohort(user, period).filter(area_code__startswith=area.code)
    totals = compute(cases, params=params, now=now)[""]
    totals.key, totals.name = area.code, area.name
    if not level:
        return Ranking(period=period, params=params, totals=totals, rows=[], area=area, levels=levels)
    length = CODE_LENGTHS[level]
    figures = compute(cases, params=params, now=now, key=Substr("area_code", 1, length),
                      normalize=lambda k: k if len(k) == length else "")
    rows = []
    for child in Area.objects.filter(code__startswith=area.code, level=level).order_by("code"):
        row = figures.pop(child.code, None) or Kpi(key=child.code, factor=totals.factor, weights=totals.weights)
        row.name = child.name
        rows.append(row)
    unplaced = figures.pop("", None)
    for orphan in figures.values():  # cases whose place is no longer in the tree
        orphan.name = orphan.key
        rows.append(orphan)
    if unplaced is not None:
        unplaced.name = f"未定位到{Level(level).label}"
    return Ranking(period=period, params=params, totals=totals, rows=rank(rows), area=area, level=level,
                   unplaced=unplaced, levels=levels)


def _assist_counts(tasks: QuerySet[WhistleTask]) -> dict[int, dict[str, int]]:
    on_time = Q(replied_at__isnull=False) & (Q(deadline__isnull=True) | Q(replied_at__lte=F("deadline")))
    grouped = (tasks.filter(role=WhistleTask.Role.ASSIST).exclude(status=WhistleTask.Status.CANCELLED)
               .values("unit_id").order_by()
               .annotate(tasks=Count("pk"), replied=Count("pk", filter=Q(replied_at__isnull=False)),
                         on_time=Count("pk", filter=on_time)))
    return {g.pop("unit_id"): g for g in grouped}


def unit_ranking(*, user, period: Period, area: Area | None = None, now: datetime | None = None) -> Ranking:
    """The KPIs of the units holding cases received in the period, ranked.

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
    if area is not None:
        cases = cases.filter(area_code__startswith=area.code)
        tasks = tasks.filter(case__in=cases.values("pk"))
        district = area.district_code
    else:
        units = sorted(unit_ids_of(user))
        cases = cases.filter(assigned_unit_id__in=units)
        tasks = tasks.filter(unit_id__in=units)
        district = Unit.objects.filter(pk__in=units).values_list("district_code", flat=True).first() or ""
    params = kpi_settings_for(district)
    held = cases.filter(assigned_unit__isnull=False)
    totals = compute(held, params=params, now=now)[""]
    totals.name = "全部承办单位"
    figures = compute(held, params=params, now=now, key="assigned_unit_id")
    assists = _assist_counts(tasks)
    ids = {int(k) for k in figures} | set(assists)
    rows = []
    for unit in Unit.objects.filter(pk__in=ids).order_by("name"):
        row = figures.get(str(unit.pk)) or Kpi(key=str(unit.pk), factor=totals.factor, weights=totals.weights)
        row.name = unit.name
        counts = assists.get(unit.pk, {"tasks": 0, "replied": 0, "on_time": 0})
        row.extra = {"kind": unit.get_kind_display(), "assist_tasks": counts["tasks"],
                     "assist_replied": counts["replied"], "assist_on_time": counts["on_time"],
                     "assist_on_time_rate": counts["on_time"] / counts["tasks"] if counts["tasks"] else None}
        rows.append(row)
    return Ranking(period=period, params=params, totals=totals, rows=rank(rows), area=area)
