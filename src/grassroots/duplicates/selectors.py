"""Reads for the duplicate finder: the rules of a district, the open cases near a case or a draft
(bounding box on lat/lng in SQL, then the pure scorer), the stored candidates a user may see, and
what the resident of a merged case sees of the original.

Scope: the finder itself (the intake step) looks at every open case of the district — a duplicate
across a grid border is still a duplicate — but every list shown to a person is cut to the cases
``cases_visible_to`` them, on both sides of a pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from grassroots.areas.models import Area
from grassroots.cases.models import Case, cells_in_box
from grassroots.cases.selectors import cases_visible_to
from grassroots.cases.transitions import OPEN
from grassroots.core.memo import memoized

from .models import DuplicateCandidate, DuplicateSettings, MergedRating
from .scoring import GRID_CODE_LENGTH, Item, Match, Rules, Scorer, bounding_box, matches

MAX_LOOKED_AT = 400  # open cases scored per query (the most recent ones in the box)
MAX_READ = 2000  # rows read at most for them (a cluster denser than that is scored in part)
MAX_CELLS = 100  # a radius of up to about 2 km reads its map cells; a wider one the district's window
RATE_FROM = {Case.Status.REPLIED, Case.Status.VERIFIED, Case.Status.CLOSED}


def default_rules() -> Rules:
    """``settings.GRASSROOTS_DUPLICATES`` (radius_m, window_days, threshold, strong_threshold) over
    the built-in defaults."""
    given = getattr(settings, "GRASSROOTS_DUPLICATES", {}) or {}
    base = Rules()
    return Rules(**{k: float(given.get(k, getattr(base, k))) for k in
                    ("radius_m", "window_days", "threshold", "strong_threshold", "number_conflict_factor")})


def _all_settings() -> dict[str, Rules]:
    return {s.district_code: s.rules() for s in DuplicateSettings.objects.all()}


def rules_for(district_code: str) -> Rules:
    """The district's rules (its ``DuplicateSettings`` row), else the defaults."""
    return memoized("duplicates.settings", _all_settings).get(district_code) or default_rules()


def case_text(title: str, body: str) -> str:
    """The text compared: the title once, then the body (a title that is the body's first words
    adds nothing new)."""
    title, body = (title or "").strip(), (body or "").strip()
    return body if title and body.startswith(title) else f"{title}\n{body}".strip()


def _point(case_lat, case_lng, area_lat, area_lng) -> tuple[float | None, float | None]:
    if case_lat is not None and case_lng is not None:
        return case_lat, case_lng
    if area_lat is not None and area_lng is not None:
        return area_lat, area_lng  # the building's (or grid's) point
    return None, None


def case_item(case: Case) -> Item:
    area = case.area
    lat, lng = _point(case.lat, case.lng, area.lat if area else None, area.lng if area else None)
    return Item(id=case.pk, text=case_text(case.title, case.body), at=case.created_at, lat=lat, lng=lng,
                grid=case.area_code if len(case.area_code) >= GRID_CODE_LENGTH else "")


FIELDS = ("pk", "title", "body", "lat", "lng", "alat", "alng", "created_at", "area_code")  # alat/alng: the area's point


def _open_near(query: Item, district_code: str, rules: Rules, base: QuerySet[Case] | None,
               older_only: bool = False) -> list[Item]:
    """The open cases of the district in the time window whose point (own, else their building's)
    falls in the bounding box of the radius — or, without a point on one side, in the same grid."""
    window = timedelta(days=rules.window_days)
    qs = (base if base is not None else Case.objects.all()).order_by().filter(
        district_code=district_code, status__in=sorted(OPEN),
        created_at__gte=query.at - window, created_at__lte=query.at + (timedelta(0) if older_only else window))
    qs = qs.exclude(pk=query.id)
    # Two parts in one UNION ALL: a case with its own point is read through the map cells around the
    # query's point (index district, cell, created_at) without the area join — the cost follows the cases
    # near the point, not the district's intake over the window; only a case without a point joins its
    # area (partial index case_district_nopoint). An OR over both would join every case of the window.
    if query.lat is not None and query.lng is not None:
        lat0, lat1, lng0, lng1 = bounding_box(query.lat, query.lng, rules.radius_m)
        own = qs.filter(lat__range=(lat0, lat1), lng__range=(lng0, lng1))
        cells = cells_in_box(lat0, lat1, lng0, lng1)
        if len(cells) <= MAX_CELLS:  # the few map cells the box touches (index case_district_cell)
            own = own.filter(cell__in=cells)
        own = own.annotate(
            alat=Value(None, output_field=FloatField()), alng=Value(None, output_field=FloatField()))
        # A case without a point: its area's point in the box, or (the area has none) the same grid. Asked
        # with EXISTS, not a join: PostgreSQL planned the LEFT JOIN under this OR in about 3 ms (it runs in
        # 0.05), with the sub-selects in 0.4 — per submit, in the worker (docs/benchmarks.md, http_load, stop 32).
        area = Area.objects.filter(pk=OuterRef("area_id"))
        theirs = Q(Exists(area.filter(lat__range=(lat0, lat1), lng__range=(lng0, lng1))))
        if query.grid:
            theirs |= Q(area_code__startswith=query.grid[:GRID_CODE_LENGTH]) & ~Q(Exists(area.filter(lat__isnull=False)))
        parts = [own, qs.filter(theirs, lat__isnull=True).annotate(
            alat=Subquery(area.values("lat")[:1]), alng=Subquery(area.values("lng")[:1]))]
    elif query.grid:
        parts = [qs.filter(area_code__startswith=query.grid[:GRID_CODE_LENGTH]).annotate(
            alat=F("area__lat"), alng=F("area__lng"))]
    else:
        return []
    parts = [part.values_list(*FIELDS) for part in parts]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    # No ORDER BY in SQL: "newest first" would lead SQLite's planner (it keeps no statistics here) to the
    # date index, whose rows come sorted, and so back to reading the whole window. The rows near a point
    # are few; they are sorted here, and MAX_READ only bounds an extreme cluster.
    rows = sorted(union[:MAX_READ], key=lambda row: row[7], reverse=True)[:MAX_LOOKED_AT]
    items = []
    for pk, title, body, lat, lng, alat, alng, at, code in rows:
        plat, plng = _point(lat, lng, alat, alng)
        items.append(Item(id=pk, text=case_text(title, body), at=at, lat=plat, lng=plng,
                          grid=code if len(code) >= GRID_CODE_LENGTH else ""))
    return items


def similar_open_cases(query: Item, *, district_code: str, rules: Rules | None = None,
                       base: QuerySet[Case] | None = None, older_only: bool = False, limit: int = 5) -> list[Match]:
    """Open cases that look like ``query`` (a case or a draft), best first. ``base`` limits where to
    look (a user's visible cases for a page)."""
    rules = rules or rules_for(district_code)
    others = _open_near(query, district_code, rules, base, older_only=older_only)
    return matches(query, others, rules=rules, scorer=Scorer.default(), limit=limit)


def similar_to_case(case: Case, *, limit: int = 5) -> list[Match]:
    """At intake: the open cases of the case's district, reported before it, that look the same."""
    return similar_open_cases(case_item(case), district_code=case.district_code, older_only=True, limit=limit)


def draft_item(*, text: str, lat: float | None, lng: float | None, area_code: str = "",
               at: datetime | None = None) -> Item:
    return Item(id=0, text=text, at=at or timezone.now(), lat=lat, lng=lng,
                grid=area_code if len(area_code) >= GRID_CODE_LENGTH else "")


# --- stored candidates, as a user sees them ----------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One open "same as" pair: ``case`` (the newer) may be a duplicate of ``original``."""

    row: DuplicateCandidate
    case: Case
    original: Case

    @property
    def score_percent(self) -> int:
        return round(self.row.score * 100)


def _pairs(rows, user) -> list[Pair]:
    rows = list(rows.select_related("case__area", "candidate__area"))
    visible = set(cases_visible_to(user).filter(
        pk__in={r.case_id for r in rows} | {r.candidate_id for r in rows}).values_list("pk", flat=True))
    return [Pair(row=r, case=r.case, original=r.candidate) for r in rows
            if r.case_id in visible and r.candidate_id in visible]


def _live(qs):
    return qs.filter(dismissed_at__isnull=True, case__status__in=sorted(OPEN), candidate__status__in=sorted(OPEN))


def pairs_of(case: Case, user) -> list[Pair]:
    """Open pairs involving ``case`` either way (it may be the duplicate, or the original), that
    ``user`` may see on both sides."""
    return _pairs(_live(DuplicateCandidate.objects.filter(Q(case=case) | Q(candidate=case))), user)


def pairs_for_board(cases, user) -> dict[int, list[Pair]]:
    """The board's hints: each case's own open candidates (it is the possible duplicate). A hint names
    the other case by its number, so only that is read of it (not its row and place, as the pair page
    does); the board's own cases are the pairs' ``case``."""
    by_pk = {c.pk: c for c in cases}
    rows = list(_live(DuplicateCandidate.objects.filter(case_id__in=list(by_pk)))
                .select_related("candidate").only("score", "strong", "case", "candidate__code"))
    visible = set(cases_visible_to(user).filter(
        pk__in={r.case_id for r in rows} | {r.candidate_id for r in rows}).values_list("pk", flat=True))
    out: dict[int, list[Pair]] = {}
    for r in rows:
        if r.case_id in visible and r.candidate_id in visible:
            out.setdefault(r.case_id, []).append(Pair(row=r, case=by_pk[r.case_id], original=r.candidate))
    return out


def pair_get(user, pk: int) -> Pair:
    """One candidate row the user may see on both sides (DuplicateCandidate.DoesNotExist otherwise)."""
    pairs = _pairs(DuplicateCandidate.objects.filter(pk=pk), user)
    if not pairs:
        raise DuplicateCandidate.DoesNotExist
    return pairs[0]


# --- the resident of a merged case -------------------------------------------------------------------


def original_of(case: Case) -> Case | None:
    """The case a merged case follows (to the end of a chain of merges)."""
    seen, node = set(), case
    while node.merged_into_id is not None and node.pk not in seen:
        seen.add(node.pk)
        node = Case.objects.select_related("area", "merged_into").get(pk=node.merged_into_id)
    return node if node.pk != case.pk else None


def merged_can_rate(case: Case) -> bool:
    original = original_of(case) if case.status == Case.Status.MERGED else None
    return original is not None and original.status in RATE_FROM and not MergedRating.objects.filter(case=case).exists()


def extra_ratings_of(original: Case) -> QuerySet[MergedRating]:
    return MergedRating.objects.filter(original=original).select_related("case")


def can_decide(user, pair: Pair) -> bool:
    """Whether ``user`` may merge or dismiss the pair now (a dispatcher of the newer case, which is
    still reported or accepted)."""
    from grassroots.cases.permissions import may

    return pair.case.status in (Case.Status.REPORTED, Case.Status.ACCEPTED) and may(user, pair.case, "merge")
