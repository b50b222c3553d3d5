from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Append-only record of sensitive actions (revealing a phone, importing a register, …)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    district_code = models.CharField(_("区县代码"), max_length=6, blank=True, db_index=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("审计日志")
        ordering = ["-at"]

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
