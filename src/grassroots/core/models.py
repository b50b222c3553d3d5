from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import ChainedModel


class AuditEntry(ChainedModel):
    """Append-only record of sensitive actions (revealing a phone, importing a register, …), chained per
    district (core/chain.py): ``grassroots audit_verify`` finds a row changed behind the application."""

    chain_fields = ("at", "actor_ref", "action", "object_type", "object_id", "district_code", "detail")
    chain_refs = {"actor_id": "actor_ref"}

    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    district_code = models.CharField(_("区县代码"), max_length=6, blank=True, db_index=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    actor_ref = models.BigIntegerField(_("操作人编号"), null=True, blank=True, editable=False,
                                       help_text=_("操作人账号删除后仍保留"))

    class Meta:
        verbose_name = verbose_name_plural = _("审计日志")
        ordering = ["-at"]
        indexes = [models.Index(fields=["district_code", "id"], name="auditentry_chain")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class DistrictStamped(models.Model):
    """Fills ``district_code`` from the area named by ``district_area`` on every save.

    Tables that grow carry the district so they can be sharded by it (ARCHITECTURE.md §2).
    ``bulk_create`` bypasses ``save``: bulk writers set ``district_code`` themselves.
    """

    district_area: str = "area"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.district_code = getattr(self, self.district_area).code[:6]
        super().save(*args, **kwargs)


class Deferred(models.Model):
    """Work that waits for the worker right after a commit (core/deferred.py): written in the same
    transaction as what caused it, so nothing is lost if a process dies in between; deleted in the same
    transaction as the work's own writes, so it is done exactly once."""

    kind = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    district_code = models.CharField(max_length=6, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)  # later after a failure (back-off)
    attempts = models.PositiveSmallIntegerField(default=0)
    failed = models.BooleanField(default=False)  # gave up after MAX_ATTEMPTS: kept for the operator
    error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("待办后台工作")
        indexes = [models.Index(fields=["available_at", "id"], condition=models.Q(failed=False),
                                name="deferred_waiting")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"


class KeyRotation(models.Model):
    """How far ``grassroots rotate_data_key`` has re-encrypted one model under one new data key: the last
    primary key done, written in the same transaction as the batch, so a rerun after a crash resumes there
    (core/rotation.py, docs/keys.md). The key is named by its fingerprint, never stored."""

    key_fingerprint = models.CharField(_("新密钥指纹"), max_length=16)
    model = models.CharField(_("数据表"), max_length=100)  # app_label.model_name
    last_pk = models.CharField(_("已处理到的主键"), max_length=64, blank=True, default="")
    rows = models.PositiveBigIntegerField(_("已扫描行数"), default=0)
    rotated = models.PositiveBigIntegerField(_("已改写行数"), default=0)
    done = models.BooleanField(_("已完成"), default=False)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("数据密钥轮换进度")
        constraints = [models.UniqueConstraint(fields=["key_fingerprint", "model"], name="key_rotation_once")]

    def __str__(self) -> str:
        return f"{self.key_fingerprint} {self.model} → {self.last_pk or '-'}"
