"""JSON API of the two-way evaluation (same scope as the pages).

GET/POST ``/api/evaluation/units`` (the areas rate units), GET/POST ``/api/evaluation/dispatches`` (units
rate dispatches), GET ``/api/evaluation/rankings/units`` and ``/rankings/dispatches``, GET
``/api/evaluation/awaiting``. Refusals: 404 a case the user neither sees nor may rate, 403 not the one
who may rate, 409 already rated, 422 bad input — ``{"detail": "<中文>", "errors": {"<field>": [...]}}``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.core.errors import ErrorOut, by_field, text

from . import selectors
from .models import DispatchEvaluation, UnitEvaluation
from .periods import period_from
from .services import AlreadyRated, dispatch_evaluation_create, unit_evaluation_create
from .views import LEVELS, case_for_rating

router = Router(auth=django_auth, tags=["evaluation"])
BIGGEST = 2**63 - 1
NO_ROLE = {"detail": "双向评价由受理派单的街道、社区和承办单位使用"}


class UnitEvaluationIn(Schema):
    case: int
    unit: int
    speed: int
    attitude: int
    result: int
    comment: str = ""


class DispatchEvaluationIn(Schema):
    case: int
    unit: int
    clear: int
    owner: int
    deadline: int
    comment: str = ""


class UnitEvaluationOut(Schema):
    id: int
    case: int
    case_code: str
    unit: int
    unit_name: str
    area: str
    area_name: str
    speed: int
    attitude: int
    result: int
    comment: str
    created_at: datetime


class DispatchEvaluationOut(Schema):
    id: int
    case: int
    case_code: str
    unit: int
    unit_name: str
    area: str
    area_name: str
    clear: int
    owner: int
    deadline: int
    comment: str
    created_at: datetime


class RankedOut(Schema):
    rank: int
    key: str
    name: str
    count: int
    score: float | None
    means: dict[str, float | None]


class EvaluationRankingOut(Schema):
    start: date
    end: date
    rows: list[RankedOut]


class WaitingOut(Schema):
    case: int
    case_code: str
    title: str
    unit: int
    unit_name: str
    area: str
    area_name: str
    at: datetime


class AwaitingOut(Schema):
    units: list[WaitingOut]
    dispatches: list[WaitingOut]


def _common(e) -> dict:
    return {"id": e.pk, "case": e.case_id, "case_code": e.case.code, "unit": e.unit_id, "unit_name": e.unit.name,
            "area": e.area_code, "area_name": e.area.name, "comment": e.comment, "created_at": e.created_at}


def _unit_out(e: UnitEvaluation) -> dict:
    return _common(e) | {"speed": e.speed, "attitude": e.attitude, "result": e.result}


def _dispatch_out(e: DispatchEvaluation) -> dict:
    return _common(e) | {"clear": e.clear, "owner": e.owner, "deadline": e.deadline}


def _refusal(exc: Exception) -> Status:
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": str(exc) or "没有权限", "errors": {}})
    status = 409 if isinstance(exc, AlreadyRated) else 422
    return Status(status, {"detail": text(exc), "errors": by_field(exc)})


def _period(start: str, end: str):
    try:
        return period_from(start, end), None
    except ValidationError as exc:
        return None, Status(422, {"detail": text(exc), "errors": by_field(exc)})


def _list(request, rows, case: int | None, start: str, end: str, out):
    if not selectors.may_see_pages(request.user):
        return Status(403, NO_ROLE)
    if case is not None:
        rows = rows.filter(case_id=min(case, BIGGEST))
    else:
        period, refused = _period(start, end)
        if refused:
            return refused
        rows = rows.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
    return [out(e) for e in rows[:500]]


def _create(request, payload, service, fields: tuple[str, ...], out):
    try:
        case, unit = case_for_rating(request.user, min(payload.case, BIGGEST), min(payload.unit, BIGGEST))
    except Http404:
        return Status(404, {"detail": "诉求不存在或您无权查看", "errors": {}})
    try:
        row = service(case=case, unit=unit, actor=request.user, comment=payload.comment,
                      **{f: getattr(payload, f) for f in fields})
    except (PermissionDenied, ValidationError) as exc:
        return _refusal(exc)
    return Status(201, out(row))


@router.get("/units", response={200: list[UnitEvaluationOut], 403: ErrorOut, 422: ErrorOut},
            url_name="evaluation_units", summary="对承办单位的评价（一件诉求，或一个时间段）")
def units(request, case: int | None = None, start: str = "", end: str = ""):
    return _list(request, selectors.unit_evaluations_for(request.user), case, start, end, _unit_out)


@router.post("/units", response={201: UnitEvaluationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                 422: ErrorOut},
             url_name="evaluation_unit_create", summary="派单的街道/社区评价承办单位（单位答复后，每件一次）")
def unit_create(request, payload: UnitEvaluationIn):
    return _create(request, payload, unit_evaluation_create, ("speed", "attitude", "result"), _unit_out)


@router.get("/dispatches", response={200: list[DispatchEvaluationOut], 403: ErrorOut, 422: ErrorOut},
            url_name="evaluation_dispatches", summary="对派单的评价（一件诉求，或一个时间段）")
def dispatches(request, case: int | None = None, start: str = "", end: str = ""):
    return _list(request, selectors.dispatch_evaluations_for(request.user), case, start, end, _dispatch_out)


@router.post("/dispatches", response={201: DispatchEvaluationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                      422: ErrorOut},
             url_name="evaluation_dispatch_create", summary="承办单位评价收到的派单（每件一次）")
def dispatch_create(request, payload: DispatchEvaluationIn):
    return _create(request, payload, dispatch_evaluation_create, ("clear", "owner", "deadline"), _dispatch_out)


def _ranked(rows, dims: tuple[str, ...]) -> list[dict]:
    return [{"rank": r.rank, "key": str(r.key), "name": r.name, "count": r.score.count, "score": r.score.score,
             "means": {d: getattr(r.score, d) for d in dims}} for r in rows]


@router.get("/rankings/units", response={200: EvaluationRankingOut, 403: ErrorOut, 422: ErrorOut},
            url_name="evaluation_ranking_units", summary="承办单位评价排名（得分 0–100）")
def ranking_units(request, start: str = "", end: str = ""):
    if not selectors.may_see_pages(request.user):
        return Status(403, NO_ROLE)
    period, refused = _period(start, end)
    if refused:
        return refused
    rows = selectors.unit_ranking(request.user, period.start_at, period.end_at)
    return {"start": period.start, "end": period.end, "rows": _ranked(rows, UnitEvaluation.DIMENSIONS)}


@router.get("/rankings/dispatches", response={200: EvaluationRankingOut, 403: ErrorOut, 422: ErrorOut},
            url_name="evaluation_ranking_dispatches", summary="派单评价排名（按街道或社区；得分 0–100）")
def ranking_dispatches(request, start: str = "", end: str = "", level: str = "community"):
    if not selectors.may_see_pages(request.user):
        return Status(403, NO_ROLE)
    if level not in LEVELS:
        return Status(422, {"detail": "排名层级应为 street（街道）或 community（社区）",
                            "errors": {"level": ["请选择 street 或 community"]}})
    period, refused = _period(start, end)
    if refused:
        return refused
    rows = selectors.dispatch_ranking(request.user, LEVELS[level], period.start_at, period.end_at)
    return {"start": period.start, "end": period.end, "rows": _ranked(rows, DispatchEvaluation.DIMENSIONS)}


def _waiting(w) -> dict:
    return {"case": w.case.pk, "case_code": w.case.code, "title": w.case.title, "unit": w.unit.pk,
            "unit_name": w.unit.name, "area": w.area.code, "area_name": w.area.name, "at": w.at}


@router.get("/awaiting", response={200: AwaitingOut, 403: ErrorOut}, url_name="evaluation_awaiting",
            summary="待我评价：已答复未评价的承办单位（派单人员）、未评价的派单（承办单位）")
def awaiting(request):
    if not selectors.may_see_pages(request.user):
        return Status(403, NO_ROLE)
    return {"units": [_waiting(w) for w in selectors.units_to_rate(request.user)],
            "dispatches": [_waiting(w) for w in selectors.dispatches_to_rate(request.user)]}
