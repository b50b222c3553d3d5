"""Scoped reads of the two-way evaluation: the scores (one aggregate query each; the assessment app
reads ``unit_scores`` for its unit ranking), the rankings a user may see, the evaluations of one case,
and the pairs waiting for the user's rating.

Score (0–100) = ((mean of the three dimensions' averages) − 1) / 4 × 100; None without evaluations.

Who sees which evaluations: rows whose dispatching area lies in an area where the user holds
``VIEW_CASES`` (a street admin: the evaluations made in their street), and the rows about a unit where
the user holds ``HANDLE_CASES`` (a unit sees how it was rated and what it said of the dispatch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Substr

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.cases.models import Case, CaseEvent, WhistleTask
from grassroots.orgs.models import Unit

from . import rules
from .models import DispatchEvaluation, UnitEvaluation


@dataclass(frozen=True)
class Score:
    count: int
    score: float | None  # 0–100, one decimal

    @staticmethod
    def of(means: tuple[float, ...]) -> float:
        return round((sum(means) / len(means) - 1) / 4 * 100, 1)


@dataclass(frozen=True)
class UnitScore(Score):
    speed: float | None = None
    attitude: float | None = None
    result: float | None = None


@dataclass(frozen=True)
class DispatchScore(Score):
    clear: float | None = None
    owner: float | None = None
    deadline: float | None = None


def _score(cls, row: dict, dims: tuple[str, ...]):
    n = row["n"]
    means = tuple(float(row[d]) for d in dims) if n else ()
    return cls(count=n, score=Score.of(means) if n else None,
               **{d: round(m, 2) for d, m in zip(dims, means, strict=True)})


def _aggregate(model, key, q: Q, start_at: datetime, end_at: datetime) -> list[dict]:
    dims = model.DIMENSIONS
    return list(model.objects.filter(q, created_at__gte=start_at, created_at__lt=end_at)
                .annotate(key=key).values("key")
                .annotate(n=Count("pk"), **{d: Avg(d) for d in dims}).order_by())


def _unit_scores(q: Q, start_at, end_at) -> dict[int, UnitScore]:
    return {r["key"]: _score(UnitScore, r, UnitEvaluation.DIMENSIONS)
            for r in _aggregate(UnitEvaluation, F("unit_id"), q, start_at, end_at)}


def _dispatch_scores(q: Q, level_length: int, start_at, end_at) -> dict[str, DispatchScore]:
    return {r["key"]: _score(DispatchScore, r, DispatchEvaluation.DIMENSIONS)
            for r in _aggregate(DispatchEvaluation, Substr("area_code", 1, level_length), q, start_at, end_at)}


def unit_scores(*, unit_ids=None, area_code_prefix: str, start_at: datetime, end_at: datetime) -> dict[int, UnitScore]:
    """Unit id → its score from the evaluations made by areas under ``area_code_prefix`` in [start_at, end_at)."""
    q = Q(area_code__startswith=area_code_prefix)
    if unit_ids is not None:
        q &= Q(unit_id__in=list(unit_ids))
    return _unit_scores(q, start_at, end_at)


def dispatch_scores(*, area_code_prefix: str, level_length: int, start_at: datetime,
                    end_at: datetime) -> dict[str, DispatchScore]:
    """Dispatching area code (cut to ``level_length``) → its score from the units' evaluations in [start_at, end_at)."""
    return _dispatch_scores(Q(area_code__startswith=area_code_prefix), level_length, start_at, end_at)


# --- scope -------------------------------------------------------------------------------------------


def may_see_pages(user) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.codes(Capability.VIEW_CASES)) or bool(rules.handler_units(user))


def visible_q(user) -> Q:
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    q = scope.area_q(Capability.VIEW_CASES, "area_code")
    units = rules.handler_units(user)
    if units:
        q |= Q(unit_id__in=sorted(units))
    return q


def unit_evaluations_for(user) -> QuerySet[UnitEvaluation]:
    return UnitEvaluation.objects.filter(visible_q(user)).select_related("case", "unit", "area", "evaluator")


def dispatch_evaluations_for(user) -> QuerySet[DispatchEvaluation]:
    return DispatchEvaluation.objects.filter(visible_q(user)).select_related("case", "unit", "area", "evaluator")


# --- rankings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    rank: int
    key: int | str
    name: str
    score: Score


def _ranked(scores: dict, names: dict) -> list[Ranked]:
    order = sorted(scores.items(), key=lambda kv: (-(kv[1].score or 0), -kv[1].count, names.get(kv[0], "")))
    out, rank, previous = [], 0, None
    for i, (key, score) in enumerate(order, start=1):
        if (score.score, score.count) != previous:
            rank, previous = i, (score.score, score.count)
        out.append(Ranked(rank, key, names.get(key, str(key)), score))
    return out


def unit_ranking(user, start_at: datetime, end_at: datetime) -> list[Ranked]:
    scores = _unit_scores(visible_q(user), start_at, end_at)
    names = dict(Unit.objects.filter(pk__in=list(scores)).values_list("pk", "name"))
    return _ranked(scores, names)


def dispatch_ranking(user, level_length: int, start_at: datetime, end_at: datetime) -> list[Ranked]:
    scores = _dispatch_scores(visible_q(user), level_length, start_at, end_at)
    names = dict(Area.objects.filter(code__in=list(scores)).values_list("code", "name"))
    return _ranked(scores, names)


# --- waiting -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    case: Case
    unit: Unit
    area: Area
    at: datetime  # the reply (for a unit to rate) or the dispatch (for a dispatch to rate)


def _pairs_rows(pairs: list[tuple[int, int]], rated: set[tuple[int, int]], keep) -> list[Waiting]:
    todo = [p for p in dict.fromkeys(pairs) if p not in rated]
    if not todo:
        return []
    case_ids = {c for c, _u in todo}
    cases = Case.objects.select_related("assigned_area", "area").in_bulk(list(case_ids))
    units = Unit.objects.in_bulk(list({u for _c, u in todo}))
    sent = rules.sent(case_ids)
    answered = rules.replied(case_ids)
    areas: dict[tuple[int, int], Area | None] = {}
    out = []
    for case_id, unit_id in todo:
        event = sent.get((case_id, unit_id))
        if event is None or case_id not in cases or unit_id not in units:
            continue
        case = cases[case_id]
        areas[(case_id, unit_id)] = area = rules.dispatching_area(case, event)
        pair = rules.Pair(case=case, unit_id=unit_id, event=event, area=area,
                          replied=(case_id, unit_id) in answered)
        if area is not None and keep(pair):
            out.append(Waiting(case=case, unit=units[unit_id], area=area, at=event.at))
    return out


def units_to_rate(user, limit: int = 200) -> list[Waiting]:
    """Replied work of units that the user (a dispatcher) may rate and nobody rated yet, latest first."""
    scope = scope_for(user)
    if not scope.is_superuser and not scope.codes(Capability.DISPATCH_CASES):
        return []
    in_scope = scope.area_q(Capability.DISPATCH_CASES, "case__area_code")
    replies = list(CaseEvent.objects.filter(in_scope, action="reply", data__holder__startswith="unit:")
                   .order_by("-at", "-pk").values_list("case_id", "data__holder", "at")[: limit * 2])
    pairs = [(c, int(h[5:])) for c, h, _at in replies if isinstance(h, str) and h[5:].isdigit()]
    pairs += list(WhistleTask.objects.filter(in_scope, status=WhistleTask.Status.REPLIED)
                  .order_by("-replied_at", "-pk").values_list("case_id", "unit_id")[:limit])
    rated = set(UnitEvaluation.objects.filter(case_id__in={c for c, _u in pairs}).values_list("case_id", "unit_id"))
    rows = _pairs_rows(pairs, rated, lambda p: p.replied and rules.may_rate_unit(user, p))
    return sorted(rows, key=lambda w: w.at, reverse=True)[:limit]


def dispatches_to_rate(user, limit: int = 200) -> list[Waiting]:
    """Dispatches the user's units got and have not rated yet, latest first."""
    units = sorted(rules.handler_units(user))
    if not units:
        return []
    pairs = [(c, u) for c, u in CaseEvent.objects.filter(action__in=("dispatch", "reassign"), data__unit__in=units)
             .order_by("-at", "-pk").values_list("case_id", "data__unit")[: limit * 2]]
    pairs += list(WhistleTask.objects.filter(unit_id__in=units).order_by("-created_at", "-pk")
                  .values_list("case_id", "unit_id")[:limit])
    rated = set(DispatchEvaluation.objects.filter(case_id__in={c for c, _u in pairs})
                .values_list("case_id", "unit_id"))
    rows = _pairs_rows(pairs, rated, lambda p: rules.may_rate_dispatch(user, p))
    return sorted(rows, key=lambda w: w.at, reverse=True)[:limit]
