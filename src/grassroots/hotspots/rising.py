"""Rising problems: per street, community and grid, per second-level category and ISO week, the
week's count against the area's own baseline (``stats.rising_score``).

Scoped like everything else: the counts come only from ``cases_visible_to(user)``, and an area is
reported only when the user sees all of it (``VIEW_CASES`` at the area or above) — a grid worker
sees their grid's series, never a community total made of the one grid they can see.

Categories are counted at the taxonomy's second level (城乡建设 › 物业服务): the first level is too
coarse to show a problem (城乡建设 is a third of all cases), the third too fine for weekly counts
in a grid (most series would be zeros and ones). A case filed at the first level counts under it;
unclassified cases are not counted (docs/hotspots.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.models import Case, Category
from grassroots.cases.selectors import cases_visible_to
from grassroots.core.memo import memoized

from . import stats

LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)
CATEGORY_LEVEL = 2
NOT_COUNTED = (Case.Status.REJECTED,)


class OutOfScope(Exception):
    """The area does not exist, is not a street/community/grid/district, or is outside the scope."""


def _category_rows() -> dict[int, tuple[int | None, int, str, str]]:
    return {pk: (parent, level, code, name)
            for pk, parent, level, code, name in Category.objects.values_list("id", "parent_id", "level", "code",
                                                                               "name")}


def counted_category(category_id: int | None) -> int | None:
    """The second-level ancestor of a category (itself at level ≤ 2), or None when unclassified."""
    if category_id is None:
        return None
    rows = memoized("hotspots.categories", _category_rows)
    node = category_id
    while node in rows and rows[node][1] > CATEGORY_LEVEL:
        node = rows[node][0]
    return node if node in rows else None


def category_path(category_id: int) -> str:
    rows = memoized("hotspots.categories", _category_rows)
    names, node = [], category_id
    while node in rows:
        names.append(rows[node][3])
        node = rows[node][0]
    return " › ".join(reversed(names))


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(monday, time()))
    return start, timezone.make_aware(datetime.combine(monday + timedelta(days=7), time()))


def current_week() -> date:
    return stats.week_monday(timezone.localdate())


def default_week() -> date:
    """The last complete week early in the week (Monday–Wednesday), else the current one."""
    today = timezone.localdate()
    monday = stats.week_monday(today)
    return monday - timedelta(weeks=1) if today.weekday() < 3 else monday


def hot_roots(user) -> list[Area]:
    """The highest areas (district … grid) whose hot problems the user may see, in code order."""
    scope = scope_for(user)
    if scope.is_superuser:
        return list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))
    roots: list[str] = []
    for code in sorted(scope.codes(Capability.VIEW_CASES), key=len):
        if len(code) <= CODE_LENGTHS[Level.GRID] and not any(code.startswith(r) for r in roots):
            roots.append(code)
    return list(Area.objects.filter(code__in=roots).order_by("code"))


def can_view(user) -> bool:
    return bool(hot_roots(user))


def area_get(user, code: str) -> Area:
    area = Area.objects.filter(code=(code or "").strip(),
                               level__in=(Level.DISTRICT, *LEVELS)).first()
    if area is None or not scope_for(user).can_at(Capability.VIEW_CASES, area.code):
        raise OutOfScope(code)
    return area


def area_choices(user) -> list[Area]:
    """The areas a user may filter by: their roots and the streets and communities below them."""
    out = []
    for root in hot_roots(user):
        out.append(root)
        out.extend(Area.objects.filter(code__startswith=root.code, level__in=(Level.STREET, Level.COMMUNITY))
                   .exclude(code=root.code).order_by("code"))
    return out


@dataclass
class Hot:
    code: str  # the area's code
    level: str
    category_id: int
    week: date
    score: stats.Score
    series: list[int]  # SERIES_WEEKS counts, the week itself last
    case_ids: list[int] = field(default_factory=list)
    name: str = ""
    category: str = ""

    @property
    def key(self) -> str:
        return f"rising:{self.code}:{self.category_id}:{stats.week_label(self.week)}"


@dataclass
class Counts:
    """Weekly counts per (area code, category) over a range of weeks, and this week's cases."""

    weeks: list[date]
    by_key: dict[tuple[str, int], dict[date, int]]
    cases: dict[tuple[str, int], list[int]]

    def series(self, key: tuple[str, int]) -> list[int]:
        row = self.by_key.get(key, {})
        return [row.get(w, 0) for w in self.weeks]


def count_weeks(user, *, week: date, weeks: int, area: Area | None = None,
                category_id: int | None = None) -> Counts:
    """Counts of the ``weeks`` weeks ending with ``week`` (a Monday), of the cases the user sees."""
    scope = scope_for(user)
    first = week - timedelta(weeks=weeks - 1)
    start, _ = week_bounds(first)
    _, end = week_bounds(week)
    qs = cases_visible_to(user).filter(created_at__gte=start, created_at__lt=end,
                                       category__isnull=False).exclude(status__in=NOT_COUNTED)
    if area is not None:
        qs = qs.filter(area_code__startswith=area.code)
    by_key: dict[tuple[str, int], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    cases: dict[tuple[str, int], list[int]] = defaultdict(list)
    allowed: dict[str, bool] = {}
    floor = area.code if area is not None else ""
    for pk, code, category, created in qs.values_list("id", "area_code", "category_id", "created_at").order_by():
        cat = counted_category(category)
        if cat is None or (category_id is not None and cat != category_id):
            continue
        monday = stats.week_monday(timezone.localtime(created).date())
        for level in LEVELS:
            n = CODE_LENGTHS[level]
            if len(code) < n or n < len(floor):
                continue
            prefix = code[:n]
            if prefix not in allowed:
                allowed[prefix] = scope.can_at(Capability.VIEW_CASES, prefix)
            if not allowed[prefix]:
                continue
            by_key[(prefix, cat)][monday] += 1
            if monday == week:
                cases[(prefix, cat)].append(pk)
    return Counts(weeks=[first + timedelta(weeks=k) for k in range(weeks)], by_key=by_key, cases=cases)


def _names(codes) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=list(codes)).values_list("code", "name"))


def rising_problems(user, *, week: date, area: Area | None = None, level: str = "",
                    limit: int = 100) -> list[Hot]:
    """The rising problems of ``week`` in the user's scope (under ``area``), highest score first."""
    counts = count_weeks(user, week=week, weeks=max(stats.SERIES_WEEKS, stats.BASELINE_WEEKS + 1), area=area)
    out = []
    for key, row in counts.by_key.items():
        if row.get(week, 0) < stats.MIN_COUNT:
            continue
        code, cat = key
        lv = _level_of(code)
        if level and lv != level:
            continue
        series = counts.series(key)
        score = stats.rising_score(series[-1], series[-1 - stats.BASELINE_WEEKS:-1])
        if score.rising:
            out.append(Hot(code=code, level=lv, category_id=cat, week=week, score=score,
                           series=series[-stats.SERIES_WEEKS:], case_ids=sorted(counts.cases[key])))
    out = _without_echoes(out)
    out.sort(key=lambda h: (-h.score.score, -h.score.count, -len(h.code), h.code, h.category_id))
    out = out[:limit]
    names = _names(h.code for h in out)
    for h in out:
        h.name, h.category = names.get(h.code, h.code), category_path(h.category_id)
    return out


def _without_echoes(items: list[Hot]) -> list[Hot]:
    """Drop a community's or street's entry that one rising area below it explains entirely (the
    same category and the same count: every case is in that one grid): it would say the same
    thing twice."""
    counts = {(h.code, h.category_id): h.score.count for h in items}
    return [h for h in items
            if not any(cat == h.category_id and code != h.code and code.startswith(h.code) and n == h.score.count
                       for (code, cat), n in counts.items())]


def _level_of(code: str) -> str:
    return next(lv for lv in LEVELS if CODE_LENGTHS[lv] == len(code))


@dataclass
class Series:
    area: Area
    category_id: int
    category: str
    weeks: list[date]
    counts: list[int]
    baselines: list[float]  # each week's own baseline mean
    thresholds: list[int]  # the smallest count that would have been flagged that week
    score: stats.Score
    case_ids: list[int]


def alarm_threshold(baseline: list[int]) -> int:
    """The smallest count flagged as rising against ``baseline``."""
    x = stats.MIN_COUNT
    while not stats.rising_score(x, baseline).rising:
        x += 1
    return x


def series_for(user, *, area: Area, category_id: int, week: date) -> Series:
    """The weekly series of one category in one area (the user must see all of the area: callers
    fetch it with ``area_get``), each week with its own baseline, and the cases of ``week``."""
    n = stats.SERIES_WEEKS
    counts = count_weeks(user, week=week, weeks=n + stats.BASELINE_WEEKS, area=area, category_id=category_id)
    full = counts.series((area.code, category_id))
    b = stats.BASELINE_WEEKS
    baselines, thresholds = [], []
    for i in range(b, b + n):
        base = full[i - b:i]
        baselines.append(round(sum(base) / b, 2))
        thresholds.append(alarm_threshold(base))
    score = stats.rising_score(full[-1], full[-1 - b:-1])
    return Series(area=area, category_id=category_id, category=category_path(category_id),
                  weeks=counts.weeks[b:], counts=full[b:], baselines=baselines, thresholds=thresholds,
                  score=score, case_ids=sorted(counts.cases.get((area.code, category_id), [])))
