"""The command center's figures as JSON (mounted at /api/command/ by grassroots/api/api.py): what the
screen draws and redraws every minute. Scoped as the assessment: 403 without a case-viewing role,
404 for an area outside the user's scope, 422 for a bad period (Chinese messages)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.security import django_auth

from grassroots.assessment.periods import period_parse
from grassroots.assessment.selectors import OutOfScope, can_view_kpis, kpi_area_get, kpi_roots
from grassroots.core.db_router import replica_reads

from .selectors import overview

router = Router(auth=django_auth, tags=["command"])


class Filter(Schema):
    area: str = ""
    period: str = ""
    start: str = ""
    end: str = ""
    category: int | None = None


class ErrorOut(Schema):
    detail: str
    errors: dict = {}


def _error(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


@router.get("/overview", response={200: dict, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            url_name="command_overview", summary="指挥中心：区域的地图、趋势、类别、超时督办与力量")
def overview_get(request, filters: Query[Filter]):
    """Everything the command center draws for ``area`` (default: the user's only area) and the
    period (``period`` = month | last_month | quarter | year, or ``start``/``end``); ``category``
    narrows the heat layer to a category and its sub-categories. docs/command.md lists the fields.
    Read from the replica when there is one: the screen redraws every minute (docs/scale.md)."""
    with replica_reads():  # not a decorator: django-ninja reads the annotations from the function itself
        return _overview(request, filters)


def _overview(request, filters: Filter):
    user = request.user
    if not can_view_kpis(user):
        return _error(403, "您的账号没有查看诉求的角色，无法查看指挥中心")
    try:
        period = period_parse(today=timezone.localdate(), preset=filters.period, start=filters.start,
                              end=filters.end)
    except ValidationError as exc:
        return _error(422, "；".join(exc.messages), exc.message_dict)
    if filters.area:
        try:
            area = kpi_area_get(user, filters.area)
        except OutOfScope:
            return _error(404, "区域不存在或不在您的管辖范围内")
    else:
        roots = kpi_roots(user)
        if len(roots) != 1:
            return _error(422, "请用 area 参数指定区域编码", {"area": ["请指定区域编码"]})
        area = roots[0]
    if filters.category is not None and not 0 < filters.category < 2**31:
        return _error(422, "类别编号不正确", {"category": ["类别编号不正确"]})
    return overview(user, area, period=period, category_id=filters.category)
