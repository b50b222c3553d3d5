"""JSON API of hot problems (mounted at /api/hotspots/ by grassroots/api/api.py).

Scoped exactly as the pages: an area or a problem outside the user's scope is a 404, a user with no
area role a 403, bad input a 422 (or 400 for a refused write) with Chinese messages by field.
``week`` is an ISO week (2026-W48); empty: the default week (the last complete one early in a week).
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from grassroots.core.params import DbId

from . import rising, stats
from .clusters import clusters_for
from .models import MonthlyProblem
from .selectors import problem_get_for, problems_visible_to
from .services import monthly_problem_act, monthly_problem_promote
from .sources import source_find

router = Router(auth=django_auth, tags=["hotspots"])


class Filter(Schema):
    week: str = ""
    area: str = ""
    level: str = ""


class SeriesFilter(Schema):
    week: str = ""
    area: str
    category: DbId


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class RisingScoreOut(Schema):
    count: int
    baseline: float
    expected: float
    p_value: float
    score: float
    ratio: float
    rising: bool


class RisingOut(Schema):
    key: str
    area: str
    area_name: str
    level: str
    category_id: int
    category: str
    score: RisingScoreOut
    series: list[int]
    case_ids: list[int]


class RisingListOut(Schema):
    week: str
    week_start: date
    area: str
    items: list[RisingOut]


class SeriesOut(Schema):
    area: str
    area_name: str
    category_id: int
    category: str
    weeks: list[str]
    counts: list[int]
    baselines: list[float]
    thresholds: list[int]
    score: RisingScoreOut
    case_ids: list[int]


class ClusterOut(Schema):
    key: str
    title: str
    case_ids: list[int]
    grids: list[str]
    grid_names: list[str]
    reporters: int
    likes: int
    residents: int
    category_id: int | None
    category: str


class ClusterListOut(Schema):
    week: str
    period_start: date
    area: str
    items: list[ClusterOut]


class UpdateOut(Schema):
    at: datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    note: str


class ProblemOut(Schema):
    id: int
    title: str
    street: str
    street_name: str
    month: str
    source: str
    source_key: str
    category: str
    lead_unit_id: int
    lead_unit: str
    plan: str
    deadline: date
    status: str
    overdue: bool
    residents: int
    case_ids: list[int]
    updates: list[UpdateOut] = []


class PromoteIn(Schema):
    source: str  # rising | cluster
    week: str
    area: str = ""  # rising: the street/community/grid code; cluster: the area filter of the list
    category: str = ""  # rising: the category id
    key: str = ""  # cluster: its key from /clusters
    title: str = ""
    lead_unit: int | None = None
    plan: str = ""
    deadline: str = ""  # YYYY-MM-DD


class ActIn(Schema):
    action: str  # start | progress | finish
    note: str = ""


def _error(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _invalid(exc: ValidationError, status: int = 422) -> JsonResponse:
    errors = exc.message_dict
    return _error(status, "；".join(m for msgs in errors.values() for m in msgs), errors)


class _Refused(Exception):
    def __init__(self, response: JsonResponse):
        self.response = response


def _prepare(request, filters) -> tuple:
    if not rising.can_view(request.user):
        raise _Refused(_error(403, "您的账号没有在街道、社区或网格查看诉求的角色，无法查看热点问题"))
    try:
        monday = stats.week_parse(filters.week) if filters.week else rising.default_week()
    except ValueError as exc:
        raise _Refused(_error(422, str(exc), {"week": [str(exc)]})) from None
    try:
        area = rising.area_get(request.user, filters.area) if filters.area else None
    except rising.OutOfScope:
        raise _Refused(_error(404, "区域不存在或不在您的管辖范围内")) from None
    return monday, area


def _score(s: stats.Score) -> dict:
    return {"count": s.count, "baseline": s.baseline, "expected": s.expected, "p_value": s.p_value,
            "score": s.score, "ratio": s.ratio, "rising": s.rising}


@router.get("/rising", response={200: RisingListOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            url_name="hotspots_rising", summary="上升问题：本周件数明显高于自身基线的区域和类别")
def rising_list(request, filters: Query[Filter]):
    try:
        monday, area = _prepare(request, filters)
    except _Refused as refused:
        return refused.response
    if filters.level and filters.level not in rising.LEVELS:
        return _error(422, "层级可选：street、community、grid", {"level": ["可选：street、community、grid"]})
    items = rising.rising_problems(request.user, week=monday, area=area, level=filters.level)
    return {"week": stats.week_label(monday), "week_start": monday, "area": area.code if area else "",
            "items": [{"key": h.key, "area": h.code, "area_name": h.name, "level": h.level,
                       "category_id": h.category_id, "category": h.category, "score": _score(h.score),
                       "series": h.series, "case_ids": h.case_ids} for h in items]}


@router.get("/rising/series", response={200: SeriesOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            url_name="hotspots_series", summary="一个区域一个类别近12周的件数、基线和预警线")
def rising_series(request, filters: Query[SeriesFilter]):
    try:
        monday, area = _prepare(request, filters)
    except _Refused as refused:
        return refused.response
    if area is None or area.level not in rising.LEVELS:
        return _error(422, "请指定街道、社区或网格的编码", {"area": ["请指定街道、社区或网格"]})
    s = rising.series_for(request.user, area=area, category_id=filters.category, week=monday)
    return {"area": area.code, "area_name": area.name, "category_id": s.category_id, "category": s.category,
            "weeks": [stats.week_label(w) for w in s.weeks], "counts": s.counts, "baselines": s.baselines,
            "thresholds": s.thresholds, "score": _score(s.score), "case_ids": s.case_ids}


@router.get("/clusters", response={200: ClusterListOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            url_name="hotspots_clusters", summary="多发问题：近4周多个网格反映的相同问题，按涉及群众排序")
def cluster_list(request, filters: Query[Filter]):
    try:
        monday, area = _prepare(request, filters)
    except _Refused as refused:
        return refused.response
    items = clusters_for(request.user, week=monday, area=area)
    return {"week": stats.week_label(monday), "period_start": items[0].first_week if items else monday,
            "area": area.code if area else "",
            "items": [{"key": c.key, "title": c.title, "case_ids": c.case_ids, "grids": c.grids,
                       "grid_names": c.grid_names, "reporters": c.reporters, "likes": c.likes,
                       "residents": c.residents, "category_id": c.category_id, "category": c.category}
                      for c in items]}


def _problem_out(p: MonthlyProblem, *, updates: bool = False) -> dict:
    out = {"id": p.pk, "title": p.title, "street": p.street.code, "street_name": p.street.name, "month": p.month,
           "source": p.source, "source_key": p.source_key, "category": p.category.name if p.category else "",
           "lead_unit_id": p.lead_unit_id, "lead_unit": p.lead_unit.name, "plan": p.plan, "deadline": p.deadline,
           "status": p.status, "overdue": p.overdue, "residents": p.residents,
           "case_ids": sorted(p.cases.values_list("pk", flat=True))}
    if updates:
        out["updates"] = [{"at": u.at, "actor": str(u.actor) if u.actor else "", "action": u.action,
                           "from_status": u.from_status, "to_status": u.to_status, "note": u.note}
                          for u in p.updates.select_related("actor")]
    return out


@router.get("/monthly", response={200: list[ProblemOut]}, url_name="hotspots_monthly",
            summary="每月一题列表（本人管辖街道的）")
def monthly_list(request):
    return [_problem_out(p) for p in problems_visible_to(request.user)[:200]]


@router.get("/monthly/{pk}", response={200: ProblemOut, 404: ErrorOut}, url_name="hotspots_monthly_detail",
            summary="一个每月一题及其进展记录")
def monthly_detail(request, pk: int):
    try:
        return _problem_out(problem_get_for(request.user, pk), updates=True)
    except MonthlyProblem.DoesNotExist:
        return _error(404, "每月一题不存在或不在您的管辖范围内")


@router.post("/monthly", response={200: ProblemOut, 201: ProblemOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
             url_name="hotspots_promote", summary="把上升问题或多发问题立为每月一题（同一问题再次提交返回已有的）")
def monthly_promote(request, payload: PromoteIn):
    try:
        source = source_find(request.user, source=payload.source, week=payload.week, area=payload.area,
                             category=payload.category, key=payload.key)
    except rising.OutOfScope:
        return _error(404, "区域不存在或不在您的管辖范围内")
    except ValidationError as exc:
        if "street" in exc.message_dict:
            return _error(403, exc.message_dict["street"][0])
        return _invalid(exc)
    try:
        problem, created = monthly_problem_promote(
            actor=request.user, street=source.street, title=payload.title or source.title,
            lead_unit=payload.lead_unit, plan=payload.plan, deadline=payload.deadline, source=source.kind,
            source_key=source.key, source_data=source.data, category=source.category, cases=source.cases,
            residents=source.residents)
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationError as exc:
        return _invalid(exc, 400)
    return Status(201 if created else 200, _problem_out(problem, updates=True))


@router.post("/monthly/{pk}/actions", response={200: ProblemOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="hotspots_monthly_act", summary="每月一题：开始推进（start）、报告进展（progress）、完成（finish）")
def monthly_act(request, pk: int, payload: ActIn):
    try:
        problem = problem_get_for(request.user, pk)
    except MonthlyProblem.DoesNotExist:
        return _error(404, "每月一题不存在或不在您的管辖范围内")
    try:
        problem = monthly_problem_act(problem=problem, action=payload.action, actor=request.user, note=payload.note)
    except PermissionDenied as exc:
        return _error(403, str(exc))
    except ValidationError as exc:
        return _invalid(exc, 400)
    return _problem_out(problem, updates=True)
