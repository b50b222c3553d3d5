"""Asking for a monthly report and making it in the worker.

``report_request`` queues the report of an area and month (one row per pair: a second click, or the
schedule after a click, finds the row already there); ``reports_task`` is the worker's turn: it makes
the oldest waiting report, and once the 1st of a month has come it queues last month's report of
every street and district that has none (``reports_schedule``, idempotent).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from grassroots.areas.models import Area
from grassroots.core.db_router import replica_reads
from grassroots.core.jobs import claim_next
from grassroots.core.pdf import FontMissing
from grassroots.core.services import audit_record

from . import content, render
from .models import MonthlyReport
from .months import month_parse, previous_month
from .selectors import REPORT_LEVELS, may_view_area

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
SCHEDULE_EVERY = timedelta(minutes=10)
S = MonthlyReport.Status


def report_request(*, area: Area, month: str, actor=None, today: date | None = None) -> tuple[MonthlyReport, bool]:
    """Queue the report of ``area`` for ``month``: (the row, True when this call queued it).

    A report already waiting or being made is returned as it is (a double click queues one). A done
    or failed one is made again when a person asks (its last files stay until the new ones replace
    them); the schedule (``actor`` None) never makes one again.
    """
    month = month_parse(month, today=today or timezone.localdate())
    if area.level not in REPORT_LEVELS:
        raise ValidationError({"area": ["月度报告按街道或区县生成，请选择街道或区县"]})
    if actor is not None and not may_view_area(actor, area):
        raise PermissionDenied("只有该区域的工作人员和领导可以生成月度报告")
    with transaction.atomic():
        row = MonthlyReport.objects.select_for_update().filter(area=area, month=month).first()
        if row is not None and (row.busy or actor is None):
            return row, False
        if row is None:
            try:
                with transaction.atomic():
                    row = MonthlyReport.objects.create(area=area, month=month, requested_by=actor,
                                                       scheduled=actor is None, district_code=area.district_code)
            except IntegrityError:  # made by a parallel request between our read and our write
                return MonthlyReport.objects.get(area=area, month=month), False
        else:
            row.status, row.progress, row.stage, row.error, row.attempts = S.QUEUED, 0, "", "", 0
            row.requested_by, row.queued_at, row.finished_at = actor, timezone.now(), None
            row.save(update_fields=["status", "progress", "stage", "error", "attempts", "requested_by",
                                    "queued_at", "finished_at"])
        audit_record(actor=actor, action="reports.request", obj=row,
                     detail={"area": area.code, "month": month, "scheduled": actor is None})
    return row, True


def report_claim(*, worker: str) -> MonthlyReport | None:
    def give_up(pk: int, status: str, attempts: int) -> None:
        MonthlyReport.objects.filter(pk=pk, status=status, attempts=attempts).update(
            status=S.FAILED, error="多次尝试均未完成，请稍后重新生成", finished_at=timezone.now())

    return claim_next(MonthlyReport.objects, worker=worker, stale_after=STALE_AFTER, order_by=("queued_at", "pk"),
                      max_attempts=MAX_ATTEMPTS, give_up=give_up, queued=S.QUEUED, running=(S.RUNNING,),
                      claimed=S.RUNNING, progress=0, stage="开始", error="")


def _failure(exc: Exception) -> str:
    if isinstance(exc, FontMissing):
        return str(exc)
    return f"生成失败：{type(exc).__name__}：{exc}"[:2000] + "。请联系系统管理员查看日志后重新生成"


def report_run(*, report: MonthlyReport) -> MonthlyReport:
    """Make the two files of a claimed report, moving its progress as it goes."""
    def progress(pct: int, stage: str) -> None:
        MonthlyReport.objects.filter(pk=report.pk, status=S.RUNNING).update(
            progress=pct, stage=stage[:60], heartbeat_at=timezone.now())

    try:
        with replica_reads():  # a past month's figures, read on the replica if any; the row is written on the primary
            data = content.build(report.area, report.month, progress=progress)
        progress(75, "生成Excel")
        xlsx = render.xlsx_bytes(data)
        progress(85, "生成PDF")
        pdf = render.pdf_bytes(data)
        progress(95, "保存文件")
        name = f"{report.area.code}-{report.month}"
        with transaction.atomic():
            row = MonthlyReport.objects.select_for_update().get(pk=report.pk)
            old = [f.name for f in (row.xlsx, row.pdf) if f]
            row.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
            row.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
            row.status, row.progress, row.stage, row.finished_at = S.DONE, 100, "完成", timezone.now()
            row.summary = data.summary()
            row.processed_rows = data.totals.received
            row.save(update_fields=["xlsx", "pdf", "status", "progress", "stage", "finished_at", "summary",
                                    "processed_rows"])
        for stale in old:  # the files of the report made before (after the new ones are saved)
            if stale not in (row.xlsx.name, row.pdf.name):
                row.xlsx.storage.delete(stale)
    except Exception as exc:  # noqa: BLE001 — the report says why; the worker goes on
        log.exception("monthly report %s failed", report.pk)
        MonthlyReport.objects.filter(pk=report.pk).update(status=S.FAILED, error=_failure(exc),
                                                          finished_at=timezone.now())
    report.refresh_from_db()
    return report


def reports_schedule(today: date | None = None) -> int:
    """Queue last month's report of every street and district that has none (idempotent); the number
    queued. Run by the worker on any turn once the month has begun."""
    today = today or timezone.localdate()
    month = previous_month(today)
    have = set(MonthlyReport.objects.filter(month=month).values_list("area_id", flat=True))
    queued = 0
    for area in Area.objects.filter(level__in=REPORT_LEVELS).exclude(pk__in=have).order_by("code"):
        _row, created = report_request(area=area, month=month, today=today)
        queued += created
    return queued


_last_schedule: list = [None]


def reports_task(worker: str) -> bool:
    """The worker's turn: make a waiting report; every few minutes, queue last month's when due."""
    report = report_claim(worker=worker)
    if report is not None:
        report_run(report=report)
        return True
    now = timezone.now()
    if _last_schedule[0] is not None and now - _last_schedule[0] < SCHEDULE_EVERY:
        return False
    _last_schedule[0] = now
    return reports_schedule() > 0

