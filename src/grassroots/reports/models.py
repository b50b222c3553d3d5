"""月度报告: one row per area (a street or a district) and calendar month, made by the worker.

The row is the job and its result at once: queued → running → done (or failed, with the reason in
Chinese), a progress in percent while it runs, the two files in the default storage, and a few
headline figures (``summary``) for the list page. (area, month) is unique: the schedule and a
double-clicked "生成" button find the row that is already there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    area = models.ForeignKey("areas.Area", verbose_name=_("区域"), on_delete=models.CASCADE,
                             related_name="monthly_reports")
    month = models.CharField(_("月份"), max_length=7, help_text=_("如 2026-03"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=60, blank=True, default="")
    xlsx = models.FileField(_("Excel"), upload_to="reports/monthly/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/monthly/", blank=True)
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True, default="")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    scheduled = models.BooleanField(_("定期生成"), default=False)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_by = models.CharField(_("执行者"), max_length=100, blank=True, default="")
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    queued_at = models.DateTimeField(_("排队时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("月度报告")
        ordering = ["-month", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="monthly_report_once"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="monthly_report_progress_max"),
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="monthly_report_queue")]

    def __str__(self) -> str:
        return f"{self.area} {self.month}"

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def ready(self) -> bool:
        """The files can be downloaded (a report being made again keeps its last files until then)."""
        return bool(self.xlsx and self.pdf)
