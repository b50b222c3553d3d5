"""What the command center shows for one area and period (docs/command.md): every figure read from the
assessment's daily rollups, or from the running cases (the backlog), never by counting the history.

``overview`` returns one JSON-ready dict; the page draws it and asks for it again every minute.
Scope is the assessment's: the area must be within the user's case scope (``kpi_area_get``), whose
cases are then all the user's to see (``assessment.selectors.area_cases``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.cache import caches
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, Round, Substr
from django.urls import reverse
from django.utils import timezone

from grassroots.areas.models import CODE_LENGTHS, Area, Level, child_level
from grassroots.assessment import rollups
from grassroots.assessment.kpis import Kpi
from grassroots.assessment.models import CategoryDay, KpiDay
from grassroots.assessment.periods import Period
from grassroots.assessment.selectors import area_cases, area_cohort, area_ranking, area_totals
from grassroots.cases.models import Case, Category
from grassroots.hotspots.models import MonthlyProblem
from grassroots.hotspots.rising import default_week, rising_problems
from grassroots.hotspots.selectors import problems_visible_to
from grassroots.orgs.models import PartyOrg
from grassroots.people.models import GridStaff
from grassroots.service.models import PostAssignment, ServiceRecord
from grassroots.volunteers.models import Signup

S = Case.Status
DONE = (S.VERIFIED, S.CLOSED, S.REJECTED, S.MERGED)  # everything else is the backlog (未办结)
TREND_WEEKS = 12
TOP_CATEGORIES = 10
ALERTS = 12
HEAT_DECIMALS = 3  # cells of about 100 m
HEAT_CELLS = 4000
RISING_SECONDS = 300
METRICS = {  # what a grid may be coloured by: (label, higher is worse)
    "open": ("未办结", True),
    "overdue": ("超时", True),
    "received": ("上报", True),
    "composite": ("综合得分", False),
    "response_rate": ("响应率", False),
    "resolution_rate": ("解决率", False),
    "satisfaction_rate": ("满意率", False),
}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def kpi_out(k: Kpi) -> dict:
    return {"received": k.received, "counted": k.counted, "overdue": k.overdue, "resolved": k.resolved,
            "rated": k.rated, "open": k.open, "response_rate": _rate(k.response_rate),
            "resolution_rate": _rate(k.resolution_rate), "satisfaction_rate": _rate(k.satisfaction_rate),
            "on_time_rate": _rate(k.on_time_rate), "composite": _rate(k.composite)}


def backlog(user, area: Area, *, length: int | None = None) -> dict[str, int]:
    """Cases not yet done in the area now (whenever received), per area code prefix of ``length``."""
    running = area_cases(area).exclude(status__in=DONE).order_by()
    if length is None:
        return {"": running.count()}
    return {row["k"]: row["n"] for row in running.annotate(k=Substr("area_code", 1, length))
            .values("k").annotate(n=Count("pk"))}


def grid_figures(user, area: Area, period: Period, now: datetime) -> list[dict]:
    """Every grid of the area with its backlog and its KPIs for the period (rollup rows of level 3)."""
    grids = list(Area.objects.filter(code__startswith=area.code, level=Level.GRID)
                 .order_by("code").values("code", "name", "parent__name"))
    days = rollups.rows_in(KpiDay, start=period.start, end=period.end).filter(unit_id=0)
    rows = {g["area_code"]: g for g in rollups.summed(rollups.under(days, area_code=area.code,
                                                                    level=KpiDay.Level.GRID), "area_code")}
    late = rollups.late_counts(area_cases(area), now, key=Substr("area_code", 1, CODE_LENGTHS[Level.GRID]),
                               received=(period.start_at, period.end_at))
    open_now = backlog(user, area, length=CODE_LENGTHS[Level.GRID])
    out = []
    for g in grids:
        k = Kpi.from_sums(rows.get(g["code"], {}), g["code"])
        k.overdue += late.get(g["code"], 0)
        figures = kpi_out(k)
        figures["open"] = open_now.get(g["code"], 0)
        out.append({"code": g["code"], "name": g["name"], "community": g["parent__name"] or "", **figures})
    return out


def weekly_trend(user, area: Area, *, end: date, now: datetime) -> list[dict]:
    """The cases received in each of the last weeks (Monday to Sunday) and how they stand now."""
    last_monday = end - timedelta(days=end.weekday())
    first = last_monday - timedelta(weeks=TREND_WEEKS - 1)
    stop = last_monday + timedelta(days=7)
    days = rollups.own(rollups.rows_in(KpiDay, start=first, end=stop).filter(unit_id=0), area_code=area.code)
    weeks: dict[date, Kpi] = {first + timedelta(weeks=i): Kpi(key="") for i in range(TREND_WEEKS)}
    for day, sums in rollups.by_day(days).items():
        weeks[day - timedelta(days=day.weekday())].add(Kpi.from_sums(sums))
    span = Period(first, stop)
    late = area_cases(area).filter(rollups.late_open(now)).order_by().values_list("created_at", flat=True)
    for created in (c for c in late if span.start_at <= c < span.end_at):
        day = timezone.localtime(created).date()
        weeks[day - timedelta(days=day.weekday())].overdue += 1
    return [{"week": monday.isoformat(), "label": f"{monday:%m-%d}", **kpi_out(k)} for monday, k in weeks.items()]


def top_categories(user, area: Area, period: Period) -> list[dict]:
    if area.level == Level.GRID:  # the rollups keep categories down to the community
        counted = [{"category_id": row["cat"], "counted": row["counted"]} for row in
                   area_cohort(area, period).exclude(
                       status__in=(S.REJECTED, S.MERGED)).order_by().annotate(cat=Coalesce("category", 0))
                   .values("cat").annotate(counted=Count("pk"))]
    else:
        rows = rollups.own(rollups.rows_in(CategoryDay, start=period.start, end=period.end), area_code=area.code)
        counted = rollups.summed(rows, "category_id", counters=("received", "counted"))
    counted.sort(key=lambda r: (-r["counted"], r["category_id"]))
    top = [r for r in counted if r["counted"]][:TOP_CATEGORIES]
    names = dict(Category.objects.filter(pk__in=[r["category_id"] for r in top]).values_list("pk", "name"))
    return [{"id": r["category_id"], "name": names.get(r["category_id"], "未分类"), "cases": r["counted"]}
            for r in top]


def heat_cells(user, area: Area, period: Period, *, category_id: int | None = None) -> list[list[float]]:
    """Case locations of the period, counted per cell of about 100 m: [[lat, lng, cases], …]."""
    cases = area_cohort(area, period).filter(lat__isnull=False, lng__isnull=False)
    if category_id:
        cases = cases.filter(Q(category_id=category_id) | Q(category__parent_id=category_id)
                             | Q(category__parent__parent_id=category_id))
    cells = (cases.order_by().annotate(la=Round("lat", HEAT_DECIMALS), ln=Round("lng", HEAT_DECIMALS))
             .values("la", "ln").annotate(n=Count("pk")).order_by("-n")[:HEAT_CELLS])
    return [[c["la"], c["ln"], c["n"]] for c in cells]


def alerts(user, area: Area) -> list[dict]:
    """Overdue or supervised cases not done yet, the oldest deadline first. The candidates come from
    the backlog of the place (``case_open_area``) and are sorted here: ordering by deadline in the
    query would send the planner down the deadline index of every case ever received."""
    late = Q(overdue=True) | Q(supervised_at__isnull=False) | Q(deadline__lt=timezone.now())
    candidates = area_cases(area).exclude(status__in=DONE).filter(late).order_by().values_list("deadline", "pk")
    first = sorted(candidates, key=lambda r: (r[0] is None, r[0] or timezone.now(), r[1]))[:ALERTS]
    rows = Case.objects.select_related("area").in_bulk([pk for _, pk in first])
    cases = [rows[pk] for _, pk in first if pk in rows]
    return [{"code": c.code, "title": c.title, "place": c.area.name if c.area else "", "status": c.get_status_display(),
             "deadline": timezone.localtime(c.deadline).strftime("%m-%d %H:%M") if c.deadline else "",
             "supervised": c.supervised_at is not None, "url": reverse("cases:detail", args=[c.pk])}
            for c in cases]


def rising_of(user, area: Area) -> list[dict]:
    """The week's rising problems of the area, kept a few minutes in the cache every process shares:
    they are counted from nine weeks of cases (hotspots), and every screen asks every minute."""
    week = default_week()
    key = f"command:rising:{area.code}:{week.isoformat()}"
    shared = caches["shared"]
    rising = shared.get(key)
    if rising is None:
        rising = [{"place": h.name, "category": h.category, "cases": h.score.count, "score": round(h.score.score, 1)}
                  for h in rising_problems(user, week=week, area=area, limit=6)]
        shared.set(key, rising, RISING_SECONDS)
    return rising


def hot_problems(user, area: Area) -> dict:
    street_q = Q(street__code__startswith=area.code) if len(area.code) <= 9 else Q(street__code=area.code[:9])
    month = timezone.localdate().strftime("%Y-%m")
    monthly = (problems_visible_to(user).filter(street_q).filter(Q(month=month) | ~Q(status=MonthlyProblem.Status.DONE))
               .select_related("lead_unit", "street").order_by("-month", "pk")[:6])
    return {
        "rising": rising_of(user, area),
        "monthly": [{"title": p.title, "street": p.street.name, "status": p.get_status_display(),
                     "lead": p.lead_unit.name, "deadline": p.deadline.isoformat(), "month": p.month,
                     "url": reverse("hotspots:monthly_detail", args=[p.pk])} for p in monthly],
    }


def people_at_work(area: Area, today: date) -> dict:
    """Members on post, their verified service hours this month, volunteers' confirmed hours this month."""
    community_prefix = area.code[:12] if len(area.code) > 12 else area.code
    month_start = today.replace(day=1)
    on_post = PostAssignment.objects.filter(until__isnull=True, post__active=True,
                                            post__community__code__startswith=community_prefix)
    service = ServiceRecord.objects.filter(status=ServiceRecord.Status.VERIFIED, served_on__gte=month_start,
                                           registration__community__code__startswith=community_prefix)
    volunteer = Signup.objects.filter(hours__isnull=False, activity__starts_at__date__gte=month_start,
                                      activity__community__code__startswith=community_prefix)
    return {
        "members_on_post": on_post.values("registration_id").distinct().count(),
        "service_hours": float(service.aggregate(h=Sum("hours"))["h"] or 0),
        "volunteer_hours": float(volunteer.aggregate(h=Sum("hours"))["h"] or 0),
        "grid_staff": GridStaff.objects.filter(grid__code__startswith=area.code).count(),
    }


def children_ranking(user, area: Area, period: Period, now: datetime) -> dict:
    level = child_level(area.level)
    if level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        return {"level": "", "rows": []}
    ranking = area_ranking(user=user, area=area, period=period, now=now, medians=False, compare=True)
    return {"level": Level(level).label, "rows": [
        {"code": k.key, "name": k.name, "rank": k.rank, "received": k.received, "overdue": k.overdue,
         "composite": _rate(k.composite), "rank_change": k.extra.get("rank_change"),
         "previous_rank": k.extra.get("previous_rank"),
         "url": reverse("command:center") + f"?area={k.key}" if len(k.key) in (9, 12, 15) else ""}
        for k in ranking.rows]}


def overview(user, area: Area, *, period: Period, category_id: int | None = None,
             now: datetime | None = None) -> dict:
    """Everything the command center draws for ``area`` (already checked to be in the user's scope)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    totals = kpi_out(area_totals(user=user, area=area, period=period, now=now, medians=False))
    totals["open"] = backlog(user, area)[""]
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level, "level_label": area.level_label},
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "updated_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"),
        "totals": totals,
        "grids": grid_figures(user, area, period, now),
        "children": children_ranking(user, area, period, now),
        "trend": weekly_trend(user, area, end=min(period.last_day, today), now=now),
        "categories": top_categories(user, area, period),
        "heat": heat_cells(user, area, period, category_id=category_id),
        "alerts": alerts(user, area),
        "hot": hot_problems(user, area),
        "people": people_at_work(area, today),
        "metrics": {k: {"label": v[0], "worse_when_higher": v[1]} for k, v in METRICS.items()},
    }


def grid_panel(user, grid: Area, period: Period) -> dict:
    """The drill-down of one grid: its staff, its Party branch, its open cases and its figures."""
    staff = (GridStaff.objects.filter(grid=grid).select_related("person").order_by("role", "person__name"))
    branches = PartyOrg.objects.filter(area=grid).order_by("name")
    open_cases = (area_cases(grid).exclude(status__in=DONE)
                  .order_by("deadline", "pk")[:10])
    totals = area_totals(user=user, area=grid, period=period, medians=False)
    return {"grid": grid, "staff": list(staff), "branches": list(branches), "cases": list(open_cases),
            "open": backlog(user, grid)[""], "totals": totals, "period": period}
