"""Resident accounts: a phone number proven by a one-time code, then tied to a household of the
resident register — at once when name and ID number match it, or when the grid worker confirms.

Only a verified account is tied to a ``Person`` and a household (and holds the resident role
there); an unverified one can report and follow its own cases, nothing more. Phone and ID numbers
are stored encrypted with a blind index and a masked copy, like every personal number.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core import crypto
from grassroots.core.sensitive import set_sensitive


class ResidentAccount(models.Model):
    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("未核验")
        PENDING = "pending", _("待网格员确认")
        VERIFIED = "verified", _("已核验")

    class Method(models.TextChoices):
        REGISTER = "register", _("与居民台账自动核验")
        GRID_WORKER = "grid_worker", _("网格员确认")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.CASCADE,
                                related_name="resident_account")
    phone_enc = models.TextField(_("手机号（密文）"), editable=False)
    phone_index = models.CharField(_("手机号（索引）"), max_length=64, unique=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=32, editable=False)
    status = models.CharField(_("核验状态"), max_length=16, choices=Status.choices, default=Status.UNVERIFIED)
    person = models.OneToOneField("people.Person", verbose_name=_("人员"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="resident_account")
    household = models.ForeignKey("areas.Area", verbose_name=_("住户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("核验方式"), max_length=16, choices=Method.choices, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, blank=True, db_index=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("居民账号")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.phone_masked

    def set_phone(self, value: str) -> None:
        set_sensitive(self, "phone", value, crypto.mask_phone)

    @property
    def verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class HouseholdClaim(models.Model):
    """A resident's request to be tied to a household that the register could not confirm by itself;
    the grid worker of that household's grid confirms or refuses it from their inbox."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REFUSED = "refused", _("未通过")

    account = models.ForeignKey(ResidentAccount, verbose_name=_("居民账号"), on_delete=models.CASCADE,
                                related_name="claims")
    household = models.ForeignKey("areas.Area", verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    id_number_enc = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(_("身份证号（索引）"), max_length=64, editable=False, db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=32, editable=False)
    note = models.CharField(_("补充说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("住户认领")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=models.Q(status="pending"),
                                    name="one_pending_claim_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.household}"

    def set_id_number(self, value: str) -> None:
        set_sensitive(self, "id_number", value, crypto.mask_id_number)


class SignInCode(models.Model):
    """A one-time code sent to a phone to sign up or sign in. Only its HMAC is kept."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phone_index", "-created_at"], name="signin_code_latest")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.attempts})"
