from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded spreadsheet, imported all-or-nothing by the worker, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        VALIDATING = "validating", _("校验中")
        WRITING = "writing", _("写入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("有错误，未导入")

    register = models.CharField(_("台账"), max_length=32)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增条数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    scope_code = models.CharField(_("导入范围(区域编码)"), max_length=22, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True,
                                   on_delete=models.SET_NULL, related_name="import_jobs")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    validated_at = models.DateTimeField(_("校验完成时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Claiming: a worker takes a job with a compare-and-swap on (status, attempts); a job whose
    # heartbeat is older than the worker's stale limit (the worker died) is taken again.
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    claimed_by = models.CharField(_("处理进程"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, db_index=True)
    error_count = models.PositiveIntegerField(_("错误条数"), default=0)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.register} {self.original_name} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.QUEUED, self.Status.VALIDATING) else 100
        return min(100, int(self.processed_rows * 100 / self.total_rows))
