"""Clusters: the same problem reported in many places over a period, ranked by how many residents
it touches (``textcluster.similar_groups`` over the cases the user sees).

The period is the four ISO weeks ending with the chosen week. A cluster must span at least
``MIN_GRIDS`` grids (one estate's repeated complaint is a rising problem of that grid, not the same
problem in many places). Residents touched = distinct reporters (the resident's record, their
account, or their phone's blind index; an anonymous case without any counts as one) + the likes
the cases gathered on their channel (``Case.likes``). Computed on request and kept for a few
minutes in the cache (a street's month, a few thousand cases, takes well under a second:
docs/hotspots.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache

from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.selectors import cases_visible_to

from . import textcluster
from .rising import NOT_COUNTED, category_path, counted_category, week_bounds

PERIOD_WEEKS = 4
MIN_GRIDS = 2
MIN_CASES = 3
MAX_CASES = 6000  # the most recent cases of the period that are clustered on a page request
CACHE_SECONDS = 300


@dataclass
class Cluster:
    case_ids: list[int]  # the most central case first
    title: str
    grids: list[str]  # grid codes
    reporters: int
    likes: int
    category_id: int | None
    first_week: date
    week: date
    streets: list[str] = field(default_factory=list)
    category: str = ""
    grid_names: list[str] = field(default_factory=list)

    @property
    def residents(self) -> int:
        return self.reporters + self.likes

    @property
    def key(self) -> str:
        return f"cluster:{self.week.isoformat()}:{min(self.case_ids)}"


def _reporter(row: dict) -> str:
    if row["reporter_id"]:
        return f"p{row['reporter_id']}"
    if row["reporter_user_id"]:
        return f"u{row['reporter_user_id']}"
    if row["contact_phone_index"]:
        return f"t{row['contact_phone_index']}"
    return f"c{row['id']}"


def _place_names(rows: list[dict]) -> dict[str, str]:
    """The names of the rows' places and their ancestors (district … grid, building)."""
    codes = {r["area_code"][:n] for r in rows for n in CODE_LENGTHS.values() if n <= len(r["area_code"])}
    return dict(Area.objects.filter(code__in=codes).exclude(level=Level.HOUSEHOLD).values_list("code", "name"))


def _unplaced(text: str, code: str, names: dict[str, str]) -> str:
    """``text`` without the names of its own places: the same problem in two estates must not look
    different for the estates' names, nor two problems in one estate alike for the shared name."""
    for n in sorted(CODE_LENGTHS.values(), reverse=True):
        name = names.get(code[:n]) if n <= len(code) else None
        if name and len(name) >= 2:
            text = text.replace(name, " ")
    return text


def _cache_key(user, week: date, area: Area | None) -> str:
    scope = scope_for(user)
    roots = "su" if scope.is_superuser else ",".join(sorted(scope.area_codes.get("view_cases", ())))
    units = ",".join(str(u) for u in sorted(scope.unit_ids.get("handle_cases", ())))
    raw = f"{user.pk}|{roots}|{units}|{week}|{area.code if area else ''}"
    return "hotspots.clusters:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def clusters_for(user, *, week: date, area: Area | None = None, use_cache: bool = True) -> list[Cluster]:
    """The clusters of the ``PERIOD_WEEKS`` weeks ending with ``week`` among the cases the user
    sees (under ``area``), the most residents first."""
    key = _cache_key(user, week, area)
    if use_cache:
        hit = cache.get(key)
        if hit is not None:
            return hit
    first = week - timedelta(weeks=PERIOD_WEEKS - 1)
    start, _ = week_bounds(first)
    _, end = week_bounds(week)
    qs = cases_visible_to(user).filter(created_at__gte=start, created_at__lt=end).exclude(status__in=NOT_COUNTED)
    if area is not None:
        qs = qs.filter(area_code__startswith=area.code)
    rows = list(qs.order_by("-created_at").values(
        "id", "title", "body", "area_code", "category_id", "reporter_id", "reporter_user_id",
        "contact_phone_index", "likes")[:MAX_CASES])
    names = _place_names(rows)
    groups = textcluster.similar_groups([_unplaced(r["title"], r["area_code"], names) for r in rows],
                                        [_unplaced(r["body"], r["area_code"], names) for r in rows],
                                        min_size=MIN_CASES)
    grid_len = CODE_LENGTHS[Level.GRID]
    out = []
    for group in groups:
        members = [rows[i] for i in group]
        grids = sorted({r["area_code"][:grid_len] for r in members if len(r["area_code"]) >= grid_len})
        if len(grids) < MIN_GRIDS:
            continue
        cats = Counter(c for c in (counted_category(r["category_id"]) for r in members) if c is not None)
        out.append(Cluster(
            case_ids=[r["id"] for r in members], title=members[0]["title"], grids=grids,
            reporters=len({_reporter(r) for r in members}), likes=sum(r["likes"] for r in members),
            category_id=cats.most_common(1)[0][0] if cats else None, first_week=first, week=week,
            streets=sorted({g[:CODE_LENGTHS[Level.STREET]] for g in grids})))
    out.sort(key=lambda c: (-c.residents, -len(c.case_ids), min(c.case_ids)))
    names = dict(Area.objects.filter(code__in={g for c in out for g in c.grids}).values_list("code", "name"))
    for c in out:
        c.category = category_path(c.category_id) if c.category_id else ""
        c.grid_names = [names.get(g, g) for g in c.grids]
    cache.set(key, out, CACHE_SECONDS)
    return out


def cluster_get(user, *, week: date, area: Area | None, key: str) -> Cluster | None:
    return next((c for c in clusters_for(user, week=week, area=area) if c.key == key), None)


def cases_of(user, ids: list[int]):
    """The cases behind a hot problem, as far as the user may see them (newest first)."""
    return cases_visible_to(user).filter(pk__in=ids).order_by("-created_at")

