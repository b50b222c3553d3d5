"""JSON API of the assessment (mounted at /api/assessment/ by grassroots/api/api.py).

Scoped exactly as the pages: an area outside the user's case scope is a 404, a user with no
case-viewing role gets 403, a bad period or level a 422 with a Chinese message. Rates are
fractions in [0, 1] and ``null`` when there is nothing to divide by; ``composite`` is the weighted
sum of the three rates (``null`` unless all three are defined). Definitions: docs/kpi.md.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.security import django_auth

from grassroots.areas.models import Area

from .kpis import Kpi
from .periods import period_parse
from .selectors import (
    OutOfScope,
    Ranking,
    area_ranking,
    can_view_kpis,
    kpi_area_get,
    kpi_roots,
    ranked_levels,
    unit_ranking,
)

router = Router(auth=django_auth, tags=["assessment"])


class Filter(Schema):
    area: str = ""
    period: str = ""
    start: str = ""
    end: str = ""
    level: str = ""


class UnitFilter(Schema):
    area: str = ""
    period: str = ""
    start: str = ""
    end: str = ""


class KpiOut(Schema):
    key: str
    name: str
    rank: int | None
    received: int
    excluded: int
    counted: int
    responded: int
    resolved: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    replied: int
    on_time: int
    overdue: int
    reopened: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time_rate: float | None
    reopen_rate: float | None
    median_reply_hours: float | None
    composite: float | None
    previous_rank: int | None = None  # rows of a ranking: the period before (docs/kpi.md)
    previous_composite: float | None = None
    rank_change: int | None = None
    composite_change: float | None = None
    dispatch_score: float | None = None  # 双向评价: the units' rating of this area's dispatch, 0–100
    dispatch_evaluations: int | None = None


class UnitKpiOut(KpiOut):
    kind: str
    assist_tasks: int
    assist_replied: int
    assist_on_time: int
    assist_on_time_rate: float | None
    evaluation_score: float | None = None  # 双向评价: the areas' rating of the unit's work, 0–100
    evaluations: int | None = None


class KpiAreaOut(Schema):
    code: str
    name: str
    level: str


class PeriodOut(Schema):
    start: date
    end: date


class ParamsOut(Schema):
    response_weight: float
    resolution_weight: float
    satisfaction_weight: float
    basic_factor: float
    response_hours: int


class RankingOut(Schema):
    area: KpiAreaOut
    level: str
    levels: list[str]
    period: PeriodOut
    params: ParamsOut
    totals: KpiOut
    rows: list[KpiOut]
    unplaced: KpiOut | None


class UnitRankingOut(Schema):
    area: KpiAreaOut | None
    period: PeriodOut
    params: ParamsOut
    totals: KpiOut
    rows: list[UnitKpiOut]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def _error(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _area_out(area: Area | None) -> dict | None:
    return None if area is None else {"code": area.code, "name": area.name, "level": area.level}


def _common(ranking: Ranking) -> dict:
    p = ranking.params
    return {
        "area": _area_out(ranking.area),
        "period": {"start": ranking.period.start, "end": ranking.period.end},
        "params": {"response_weight": float(p.response_weight), "resolution_weight": float(p.resolution_weight),
                   "satisfaction_weight": float(p.satisfaction_weight), "basic_factor": float(p.basic_factor),
                   "response_hours": p.response_hours},
        "totals": ranking.totals.as_dict(),
    }


CHANGE = ("previous_rank", "previous_composite", "rank_change", "composite_change")


def _change(k: Kpi) -> dict:
    """The row's rank and composite in the period before, and the change (docs/kpi.md)."""
    return {name: k.extra.get(name) for name in CHANGE}


def _unit_row(k: Kpi) -> dict:
    extra = {name: k.extra.get(name) for name in ("kind", "assist_tasks", "assist_replied", "assist_on_time",
                                                  "assist_on_time_rate", "evaluation_score", "evaluations")}
    return {**k.as_dict(), **extra}


class _Refused(Exception):
    def __init__(self, response: JsonResponse):
        self.response = response


def _prepare(request, filters, *, need_area: bool) -> tuple:
    """(period, area) — the area asked for, else the user's only one (None for a unit's handler when
    ``need_area`` is false) — or _Refused with the error response."""
    if not can_view_kpis(request.user):
        raise _Refused(_error(403, "您的账号没有查看诉求的角色，无法查看考核情况"))
    try:
        period = period_parse(today=timezone.localdate(), preset=filters.period, start=filters.start,
                              end=filters.end)
    except ValidationError as exc:
        raise _Refused(_error(422, "；".join(exc.messages), exc.message_dict)) from None
    if filters.area:
        try:
            return period, kpi_area_get(request.user, filters.area)
        except OutOfScope:
            raise _Refused(_error(404, "区域不存在或不在您的管辖范围内")) from None
    roots = kpi_roots(request.user)
    if len(roots) > 1:
        raise _Refused(_error(422, "请用 area 参数指定区域编码", {"area": ["请指定区域编码"]}))
    if not roots and need_area:
        raise _Refused(_error(404, "您的角色没有可考核的区域"))
    return period, roots[0] if roots else None


@router.get("/kpis", response={200: RankingOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            url_name="assessment_kpis", summary="区域考核排名：本级指标及下级（或指定层级）排名")
def kpis(request, filters: Query[Filter]):
    """``area`` defaults to the user's own area; ``level`` (street, community, grid) to its children.
    Period: ``period`` = month | last_month | quarter | year, or ``start``/``end`` (YYYY-MM-DD,
    cases received on ``start`` … the day before ``end``)."""
    try:
        period, area = _prepare(request, filters, need_area=True)
    except _Refused as refused:
        return refused.response
    levels = ranked_levels(area)
    if filters.level and filters.level not in levels:
        allowed = "、".join(levels) or "（无：网格是最低一级）"
        return _error(422, f"层级“{filters.level}”不能在“{area.name}”下排名，可选：{allowed}",
                      {"level": [f"可选：{allowed}"]})
    ranking = area_ranking(user=request.user, area=area, period=period, level=filters.level, compare=True)
    return {**_common(ranking), "level": ranking.level, "levels": ranking.levels,
            "rows": [{**k.as_dict(), **_change(k), "dispatch_score": k.extra.get("dispatch_score"),
                      "dispatch_evaluations": k.extra.get("dispatch_evaluations")} for k in ranking.rows],
            "unplaced": ranking.unplaced.as_dict() if ranking.unplaced else None}


@router.get("/units", response={200: UnitRankingOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            url_name="assessment_units", summary="承办单位考核排名")
def units(request, filters: Query[UnitFilter]):
    """Units holding cases received in the period, ranked. With ``area``: the cases placed in it;
    without: the user's own area, or (for a unit's handlers) their own units' cases. A case counts
    for the unit holding it now; assisting units' whistle tasks are counted in ``assist_*``."""
    try:
        period, area = _prepare(request, filters, need_area=False)
    except _Refused as refused:
        return refused.response
    ranking = unit_ranking(user=request.user, period=period, area=area, compare=True)
    return {**_common(ranking), "rows": [{**_unit_row(k), **_change(k)} for k in ranking.rows]}
