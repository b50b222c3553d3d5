"""What a monthly report says: gathered once from the apps that own each figure, then written to an
.xlsx (``render.xlsx_bytes``) and a PDF (``render.pdf_bytes``) from the same ``Content``.

- the KPIs and the rankings are the assessment's own (``area_ranking``, ``unit_ranking``), for the
  month and the month before — called, never recomputed here;
- the day-by-day chart counts cases of the area by the day something happened to them (received,
  closed, a deadline missed);
- the problems of the month are the hotspots app's rising problems of the month's weeks, its
  clusters of the four weeks ending with the month's last Monday, and the streets' 每月一题 of
  the month;
- the practical matters (为民办实事) are deliberation's resolutions and matching's projects so
  marked that were open at some time in the month, with their progress now.

A report is about a whole area and is only shown to people who see all of it (selectors.py), so the
figures are computed as a viewer who sees every case: ``report_viewer``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.accounts.scope import system_viewer
from grassroots.areas.models import RURAL_LABELS, Area, Level
from grassroots.assessment.kpis import EXCLUDED_STATUSES, Kpi
from grassroots.assessment.periods import TZ, Period
from grassroots.assessment.selectors import area_ranking, unit_ranking
from grassroots.cases.models import Case
from grassroots.deliberation.models import Resolution
from grassroots.deliberation.selectors import practical as practical_resolutions
from grassroots.hotspots.clusters import clusters_for
from grassroots.hotspots.models import MonthlyProblem
from grassroots.hotspots.rising import rising_problems
from grassroots.hotspots.stats import week_monday
from grassroots.matching.models import Project
from grassroots.matching.selectors import practical_projects

from .months import month_label, month_period, month_shift

LEVEL_NAMES = {Level.DISTRICT: "区", Level.STREET: "街道", Level.COMMUNITY: "社区", Level.GRID: "网格"}
RANKED_LEVELS = {Level.STREET: (Level.COMMUNITY,), Level.DISTRICT: (Level.STREET, Level.COMMUNITY)}
MAX_RISING = 15
MAX_CLUSTERS = 10


def report_viewer() -> User:
    """An unsaved user who sees every case (the report's own scope is checked where it is read)."""
    return system_viewer("monthly-report")


def level_name(area_or_level, rural: bool = False) -> str:
    level = getattr(area_or_level, "level", area_or_level)
    if rural or getattr(area_or_level, "rural", False):
        return str(RURAL_LABELS.get(level, LEVEL_NAMES.get(level, level)))
    return LEVEL_NAMES.get(level, str(level))


@dataclass
class RankRow:
    """One area's or unit's figures this month, and its rank and score the month before."""

    now: Kpi
    before: Kpi | None

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost since last month; None when either rank is missing."""
        if self.before is None or self.before.rank is None or self.now.rank is None:
            return None
        return self.before.rank - self.now.rank

    @property
    def composite_change(self) -> float | None:
        if self.before is None or self.before.composite is None or self.now.composite is None:
            return None
        return self.now.composite - self.before.composite


@dataclass
class Ranked:
    level: str  # "" for units
    title: str
    rows: list[RankRow]


@dataclass
class Day:
    day: date
    received: int = 0
    closed: int = 0
    overdue: int = 0


@dataclass
class RisingRow:
    place: str
    category: str
    week: date
    count: int
    baseline: float
    score: float


@dataclass
class ClusterRow:
    title: str
    category: str
    cases: int
    grids: int
    residents: int
    places: str


@dataclass
class ProblemRow:
    street: str
    title: str
    lead_unit: str
    deadline: date
    status: str
    cases: int
    residents: int


@dataclass
class PracticalRow:
    kind: str  # 议事决议 / 共建项目
    community: str
    title: str
    owner: str
    deadline: date
    progress: int
    status: str
    done_in_month: bool
    late: bool
    latest: str  # the last progress note
    street: str = ""


@dataclass
class Content:
    area: Area
    month: str
    period: Period
    previous: Period
    totals: Kpi
    previous_totals: Kpi
    rankings: list[Ranked]
    units: Ranked
    days: list[Day]
    rising: list[RisingRow] = field(default_factory=list)
    clusters: list[ClusterRow] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)
    practical: list[PracticalRow] = field(default_factory=list)
    standing: tuple[int | None, int | None, int] | None = None  # a street: (rank, last month's, of how many)
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        return f"{self.area.name}基层治理月度报告（{month_label(self.month)}）"

    @property
    def previous_month(self) -> str:
        return month_shift(self.month, -1)

    @property
    def level_name(self) -> str:
        return level_name(self.area)

    def summary(self) -> dict:
        """The headline figures kept on the report's row (the list page shows them)."""
        t = self.totals
        return {"received": t.received, "composite": t.composite,
                "score": None if t.composite is None else round(t.composite * 100, 2), "previous_composite": self.previous_totals.composite,
                "resolution_rate": t.resolution_rate, "satisfaction_rate": t.satisfaction_rate,
                "overdue": t.overdue, "problems": len(self.problems), "practical": len(self.practical),
                "rising": len(self.rising)}


def _ranked(now_rows: list[Kpi], before_rows: list[Kpi], *, level: str, title: str) -> Ranked:
    before = {k.key: k for k in before_rows}
    return Ranked(level=level, title=title, rows=[RankRow(k, before.get(k.key)) for k in now_rows])


def _days(area: Area, period: Period) -> list[Day]:
    """Per day of the month: cases received (all, as the KPIs' 受理), cases closed (办结) and deadlines
    missed (a case whose deadline fell that day and that had no reply by then; parked cases do not run
    late) — the last two without rejected and merged cases."""
    days = {period.start + timedelta(days=i): Day(period.start + timedelta(days=i))
            for i in range((period.end - period.start).days)}
    every = Case.objects.filter(area_code__startswith=area.code).order_by()
    cases = every.exclude(status__in=EXCLUDED_STATUSES)  # received counts every case, as the KPIs do
    start, end = period.start_at, period.end_at

    def count(qs, field_name: str, attr: str) -> None:
        for at in qs.values_list(field_name, flat=True):
            row = days.get(at.astimezone(TZ).date())
            if row is not None:
                setattr(row, attr, getattr(row, attr) + 1)

    count(every.filter(created_at__gte=start, created_at__lt=end), "created_at", "received")
    count(cases.filter(closed_at__gte=start, closed_at__lt=end), "closed_at", "closed")
    now = timezone.now()
    late = Q(replied_at__gt=F("deadline")) | (Q(replied_at__isnull=True) & ~Q(status=Case.Status.PARKED))
    count(cases.filter(late, deadline__gte=start, deadline__lt=min(end, now)), "deadline", "overdue")
    return list(days.values())


def _mondays(period: Period) -> list[date]:
    monday = week_monday(period.start)
    if monday < period.start:
        monday += timedelta(weeks=1)
    out = []
    while monday < period.end:
        out.append(monday)
        monday += timedelta(weeks=1)
    return out


def _rising(viewer, area: Area, period: Period) -> list[RisingRow]:
    best: dict[tuple[str, int], RisingRow] = {}
    for monday in _mondays(period):
        if monday > timezone.localdate():
            break
        for hot in rising_problems(viewer, week=monday, area=area, limit=50):
            row = RisingRow(place=hot.name, category=hot.category, week=monday, count=hot.score.count,
                            baseline=hot.score.baseline, score=hot.score.score)
            key = (hot.code, hot.category_id)
            if key not in best or row.score > best[key].score:
                best[key] = row
    return sorted(best.values(), key=lambda r: (-r.score, -r.count, r.place))[:MAX_RISING]


def _clusters(viewer, area: Area, period: Period) -> list[ClusterRow]:
    mondays = [m for m in _mondays(period) if m <= timezone.localdate()]
    if not mondays:
        return []
    out = []
    for c in clusters_for(viewer, week=mondays[-1], area=area, use_cache=False)[:MAX_CLUSTERS]:
        names = "、".join(c.grid_names[:4]) + ("等" if len(c.grid_names) > 4 else "")
        out.append(ClusterRow(title=c.title, category=c.category, cases=len(c.case_ids), grids=len(c.grids),
                              residents=c.residents, places=names))
    return out


def _problems(area: Area, month: str) -> list[ProblemRow]:
    rows = (MonthlyProblem.objects.filter(month=month, street__code__startswith=area.code)
            .select_related("street", "lead_unit").order_by("street__code", "created_at"))
    return [ProblemRow(street=p.street.name, title=p.title, lead_unit=p.lead_unit.name, deadline=p.deadline,
                       status=p.get_status_display(), cases=p.cases.count(), residents=p.residents) for p in rows]


def _open_in(created: datetime, done: datetime | None, period: Period) -> bool:
    return created < period.end_at and (done is None or done >= period.start_at)


def _practical(area: Area, period: Period) -> list[PracticalRow]:
    today = timezone.localdate()
    rows, codes = [], []
    # per community: the selectors return at most a few hundred items of a place, open ones first
    communities = list(Area.objects.filter(level=Level.COMMUNITY, code__startswith=area.code).order_by("code"))
    resolutions = [r for place in communities for r in practical_resolutions(place)]
    projects = [p for place in communities for p in practical_projects(place)]
    for r in resolutions:
        if not _open_in(r.created_at, r.done_at, period):
            continue
        notes = list(r.notes.all())
        codes.append(r.community.code)
        rows.append(PracticalRow(
            kind="议事决议", community=r.community.name, title=r.title, owner=r.owner_label(), deadline=r.deadline,
            progress=r.progress, status=r.get_status_display(),
            done_in_month=bool(r.done_at and period.start_at <= r.done_at < period.end_at),
            late=r.status == Resolution.Status.OPEN and r.deadline < today, latest=notes[0].text if notes else ""))
    for p in projects:
        if not _open_in(p.created_at, p.done_at, period):
            continue
        notes = sorted(p.notes.all(), key=lambda n: (n.at, n.pk), reverse=True)
        codes.append(p.community.code)
        rows.append(PracticalRow(
            kind="共建项目", community=p.community.name, title=p.title, owner=p.owner_label(), deadline=p.deadline,
            progress=p.progress, status=p.get_status_display(),
            done_in_month=bool(p.done_at and period.start_at <= p.done_at < period.end_at),
            late=p.status == Project.Status.ONGOING and p.deadline < today, latest=notes[0].text if notes else ""))
    streets = dict(Area.objects.filter(level=Level.STREET, code__startswith=area.code[:6]).values_list("code", "name"))
    for row, code in zip(rows, codes, strict=True):
        row.street = streets.get(code[:9], "")
    order = sorted(range(len(rows)), key=lambda i: (codes[i], rows[i].status != "推进中", rows[i].deadline,
                                                     rows[i].title))
    return [rows[i] for i in order]


Progress = Callable[[int, str], None]


def build(area: Area, month: str, *, progress: Progress = lambda pct, stage: None) -> Content:
    """Everything a report of ``area`` (a street or a district) for ``month`` says."""
    viewer = report_viewer()
    period, previous = month_period(month), month_period(month_shift(month, -1))
    progress(5, "汇总考核指标")
    rankings = []
    totals = previous_totals = None
    for level in RANKED_LEVELS.get(area.level, ()):
        now = area_ranking(user=viewer, area=area, period=period, level=level)
        before = area_ranking(user=viewer, area=area, period=previous, level=level)
        totals, previous_totals = now.totals, before.totals
        rankings.append(_ranked(now.rows, before.rows, level=level, title=f"各{level_name(level, area.rural)}排名"))
    if totals is None:
        totals = area_ranking(user=viewer, area=area, period=period).totals
        previous_totals = area_ranking(user=viewer, area=area, period=previous).totals
    standing = None
    district = Area.objects.filter(code=area.district_code, level=Level.DISTRICT).first()
    if area.level == Level.STREET and district is not None:
        peers = area_ranking(user=viewer, area=district, period=period, level=Level.STREET)
        peers_before = area_ranking(user=viewer, area=district, period=previous, level=Level.STREET)
        ranks = {k.key: k.rank for k in peers.rows}
        standing = (ranks.get(area.code), {k.key: k.rank for k in peers_before.rows}.get(area.code), len(peers.rows))
    progress(25, "承办单位排名")
    units_now = unit_ranking(user=viewer, period=period, area=area)
    units_before = unit_ranking(user=viewer, period=previous, area=area)
    units = _ranked(units_now.rows, units_before.rows, level="", title="承办单位排名")
    progress(40, "按日统计诉求")
    days = _days(area, period)
    progress(50, "本月热点问题")
    rising = _rising(viewer, area, period)
    progress(60, "多发问题")
    clusters = _clusters(viewer, area, period)
    progress(65, "每月一题与为民办实事")
    return Content(area=area, month=month, period=period, previous=previous, totals=totals,
                   previous_totals=previous_totals, rankings=rankings, units=units, days=days, rising=rising,
                   clusters=clusters, problems=_problems(area, month), practical=_practical(area, period),
                   standing=standing)
