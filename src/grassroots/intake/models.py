"""Cases from other systems: API clients and their receipts, 12345 hotline import jobs and the
column mapping remembered for each hotline source.

A hotline import is one uploaded file (.xlsx or .csv) that goes upload → column mapping → queued →
validating → writing → done/failed. The worker validates every row first and writes them all in
one transaction, or nothing; cases are idempotent on the hotline's own id (``Case.external_id``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_SOURCE = "12345"


class ApiClient(models.Model):
    """Another system allowed to push cases (the 12345 platform, city management, an Open311 app).

    The key is shown once when the client is created; only its SHA-256 is kept. The client acts for
    one district and one source name: its cases carry ``external_source = source`` and it reads back
    only the cases of that source in that district.
    """

    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("来源系统名称"), max_length=32, default=DEFAULT_SOURCE,
                              help_text=_("写入诉求的“外部系统”，如 12345、城管平台"))
    district = models.ForeignKey("areas.Area", verbose_name=_("所属区县"), on_delete=models.PROTECT,
                                 related_name="+", limit_choices_to={"level": "district"})
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False, db_index=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False,
                                  help_text=_("用于辨认是哪一把密钥，不能用来调用接口"))
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近调用时间"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("接口客户端")
        ordering = ["district_code", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.source}）"

    def save(self, *args, **kwargs):
        self.district_code = self.district.code[:6]
        super().save(*args, **kwargs)


class IntakeReceipt(models.Model):
    """A case received from an API client: its Open311 token, the media link and the reporter's
    e-mail (encrypted; the case itself keeps only a name and a phone)."""

    client = models.ForeignKey(ApiClient, verbose_name=_("接口客户端"), on_delete=models.PROTECT,
                               related_name="receipts")
    case = models.OneToOneField("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE,
                                related_name="intake_receipt")
    token = models.CharField(_("回执令牌"), max_length=24, unique=True, editable=False)
    media_url = models.URLField(_("图片/媒体链接"), max_length=500, blank=True, default="")
    contact_email_enc = models.TextField(_("电子邮箱（密文）"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("接口接收记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.case_id}"


class HotlineMapping(models.Model):
    """The column mapping last used for a hotline source in a district, offered again next time."""

    district_code = models.CharField(_("区县代码"), max_length=6)
    source = models.CharField(_("来源系统名称"), max_length=32)
    mapping = models.JSONField(_("列对应关系"), default=dict, help_text=_("字段 → 文件中的表头"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("热线列对应关系")
        constraints = [models.UniqueConstraint(fields=["district_code", "source"], name="hotline_mapping_once")]

    def __str__(self) -> str:
        return f"{self.district_code} {self.source}"


class HotlineImport(models.Model):
    """One uploaded 12345 export, from upload to the last imported case."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("待确认列对应")
        QUEUED = "queued", _("排队中")
        VALIDATING = "validating", _("校验中")
        WRITING = "writing", _("写入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("有错误，未导入")

    file = models.FileField(_("文件"), upload_to="intake/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=8)  # xlsx | csv
    encoding = models.CharField(_("文字编码"), max_length=16, blank=True, default="")
    source = models.CharField(_("来源系统名称"), max_length=32, default=DEFAULT_SOURCE)
    headers = models.JSONField(_("表头"), default=list)
    header_row = models.PositiveIntegerField(_("表头所在行"), default=1)
    preview = models.JSONField(_("前几行"), default=list)
    mapping = models.JSONField(_("列对应关系"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.MAPPING,
                              db_index=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新工单数"), default=0)
    existing_count = models.PositiveIntegerField(_("此前已导入数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误条数"), default=0)
    notes = models.JSONField(_("提示"), default=list, blank=True,
                             help_text=_("不影响导入的提示，如类别未能对应、按街道兜底"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True,
                                   on_delete=models.SET_NULL, related_name="hotline_imports")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    queued_at = models.DateTimeField(_("提交导入时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    claimed_by = models.CharField(_("处理进程"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("热线工单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.original_name} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.VALIDATING, self.Status.WRITING)

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))


class HotlineImportCase(models.Model):
    """One row of a finished import: the case it created, or the case imported before."""

    job = models.ForeignKey(HotlineImport, verbose_name=_("导入任务"), on_delete=models.CASCADE,
                            related_name="cases")
    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField(_("行号"))
    created = models.BooleanField(_("新建"))
    placed_by = models.CharField(_("定位方式"), max_length=16, blank=True, default="")
    reported_at = models.DateTimeField(_("来电时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("热线办理时限"), null=True, blank=True)
    # the import's district (the shard key): its writer sets it (bulk), filled on save otherwise
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("导入的工单")
        ordering = ["job", "row"]
        constraints = [models.UniqueConstraint(fields=["job", "row"], name="hotline_import_row_once")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} → {self.case_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.job.district_code
        super().save(*args, **kwargs)
