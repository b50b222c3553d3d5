"""JSON API of the monthly reports: the list (the user's streets and district), asking for one (queued
for the worker; asking again while it is made returns the same report), its status with progress,
and the two files. Outside the user's areas: 404, as on the pages."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area
from grassroots.core.errors import ErrorOut, api_refusal
from grassroots.registers.xlsx import XLSX_MIME

from .models import MonthlyReport
from .months import month_label
from .selectors import report_area_get, report_get_for, reports_visible_to
from .services import report_request
from .storage import file_response

router = Router(auth=django_auth, tags=["reports"])
NOT_YOURS = {"detail": "没有这份月度报告，或不在您的管辖范围内"}


class ReportOut(Schema):
    id: int
    area: str
    area_name: str
    level: str
    month: str
    status: str
    status_label: str
    progress: int
    stage: str
    error: str
    summary: dict
    requested_by: str | None
    created_at: datetime
    finished_at: datetime | None
    pdf_url: str | None
    xlsx_url: str | None


class RequestIn(Schema):
    area: str
    month: str


def _out(r: MonthlyReport) -> dict:
    return {"id": r.pk, "area": r.area.code, "area_name": r.area.name, "level": r.area.level, "month": r.month,
            "status": r.status, "status_label": r.get_status_display(), "progress": r.progress, "stage": r.stage,
            "error": r.error, "summary": r.summary, "requested_by": str(r.requested_by) if r.requested_by else None,
            "created_at": r.created_at, "finished_at": r.finished_at,
            "pdf_url": reverse("api:reports_file", kwargs={"pk": r.pk, "kind": "pdf"}) if r.ready else None,
            "xlsx_url": reverse("api:reports_file", kwargs={"pk": r.pk, "kind": "xlsx"}) if r.ready else None}


@router.get("", response=list[ReportOut], url_name="reports_list",
            summary="月度报告列表（本人可见的街道、区县；可按区域、月份筛选）")
def reports(request, area: str = "", month: str = ""):
    rows = reports_visible_to(request.user)
    if area:
        rows = rows.filter(area__code=area[:30])
    if month:
        rows = rows.filter(month=month[:7])
    return [_out(r) for r in rows.order_by("-month", "area__code")[:200]]


@router.post("", response={202: ReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, url_name="reports_request",
             summary="生成月度报告（后台生成；正在生成时再次提交返回同一份）")
def request_report(request, payload: RequestIn):
    try:
        area = report_area_get(request.user, payload.area)
    except Area.DoesNotExist:
        return Status(404, {"detail": "没有这个街道或区县，或不在您的管辖范围内"})
    try:
        row, _created = report_request(area=area, month=payload.month, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return api_refusal(exc)
    return Status(202, _out(MonthlyReport.objects.select_related("area", "requested_by").get(pk=row.pk)))


@router.get("/{pk}", response={200: ReportOut, 404: ErrorOut}, url_name="reports_status",
            summary="一份月度报告的状态与进度")
def report_status(request, pk: int):
    try:
        return _out(report_get_for(request.user, pk))
    except MonthlyReport.DoesNotExist:
        return Status(404, NOT_YOURS)


@router.get("/{pk}/{kind}", response={404: ErrorOut}, url_name="reports_file",
            summary="下载月度报告（kind：pdf 或 xlsx）")
def report_file(request, pk: int, kind: str):
    try:
        row = report_get_for(request.user, pk)
    except MonthlyReport.DoesNotExist:
        return Status(404, NOT_YOURS)
    if kind not in ("pdf", "xlsx") or not row.ready:
        return Status(404, {"detail": "这份月度报告还没有生成完成（或文件类型不是 pdf、xlsx）"})
    name = f"{row.area.name}{month_label(row.month)}月度报告.{kind}"
    return file_response(row.pdf if kind == "pdf" else row.xlsx, mime="application/pdf" if kind == "pdf" else XLSX_MIME,
                         filename=name, attachment=True)
