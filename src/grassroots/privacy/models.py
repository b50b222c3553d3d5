"""A resident's request about their personal data, and the marker of a case whose personal data is gone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivacyRequest(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("更正")
        DELETION = "deletion", _("删除")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已驳回")

    class Field(models.TextChoices):
        NAME = "name", _("姓名")
        PHONE = "phone", _("手机号")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    person = models.ForeignKey("people.Person", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(_("更正字段"), max_length=12, choices=Field.choices, blank=True)
    # The new value is personal data too: encrypted, masked for the lists.
    new_value_enc = models.TextField(_("新值（密文）"), blank=True, default="", editable=False)
    new_value_masked = models.CharField(_("新值"), max_length=60, blank=True, default="", editable=False)
    reason = models.CharField(_("理由"), max_length=500)
    # The household's code: staff see the requests under their areas (a prefix match).
    area_code = models.CharField(_("区域编码"), max_length=22, db_index=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True, default="")
    outcome = models.JSONField(_("处理结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("个人信息申请")
        ordering = ["-created_at"]
        constraints = [
            # One pending request of a kind per person: a double submit cannot queue two.
            models.UniqueConstraint(fields=["person", "kind"], condition=models.Q(status="pending"),
                                    name="privacy_one_pending_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class AnonymisedCase(models.Model):
    """Marks a case whose personal data has been removed (idempotence of the retention task)."""

    class Why(models.TextChoices):
        RETENTION = "retention", _("超过保存期限")
        REQUEST = "request", _("居民申请删除")

    case = models.OneToOneField("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="+")
    why = models.CharField(_("原因"), max_length=12, choices=Why.choices)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    at = models.DateTimeField(_("处理时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("已匿名化诉求")

    def __str__(self) -> str:
        return f"{self.case_id} {self.why}"
