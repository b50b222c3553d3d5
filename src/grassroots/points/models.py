"""积分 (points): what a community pays for service, and its online store.

* ``Policy`` — a community's rules: points per confirmed woodpecker report, volunteer hour, 双报到
  service record, fulfilled micro-wish, rated case, council meeting attended; how long points last;
  when a quick report's points are held for the grid worker (fraud guard).
* ``Award`` — one earning event and what became of it: paid (a ledger transfer), held for the grid
  worker (the same photo again, many reports from one spot or one account), or refused. ``source``
  names the event ("woodpeckers.report:12"): unique, so an event pays once.
* ``Merchant`` / ``Offer`` — co-building units, shops and property companies (红色物业) offering goods,
  services and property-fee vouchers (物业费抵扣券), with stock, a per-person limit and a validity.
* ``Redemption`` — a resident's redemption: the points held in the ledger, a one-time code (digits
  and QR) the merchant verifies, which settles the hold; an unused code lapses and the hold is
  released.

The ledger (``grassroots.ledger``) holds the money-like truth; these rows say why it moved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    WOODPECKER_REPORT = "woodpecker_report", _("随手拍核实有效")
    VOLUNTEER_HOUR = "volunteer_hour", _("志愿服务（每小时）")
    SERVICE_RECORD = "service_record", _("双报到服务记录")
    WISH_FULFILLED = "wish_fulfilled", _("认领微心愿并实现")
    CASE_RATED = "case_rated", _("评价办结诉求")
    MEETING_ATTENDED = "meeting_attended", _("参加议事会议")


DEFAULT_POINTS = {Event.WOODPECKER_REPORT: 5, Event.VOLUNTEER_HOUR: 10, Event.SERVICE_RECORD: 10,
                  Event.WISH_FULFILLED: 20, Event.CASE_RATED: 2, Event.MEETING_ATTENDED: 5}


class Policy(models.Model):
    community = models.OneToOneField("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT,
                                     related_name="points_policy")
    woodpecker_report = models.PositiveIntegerField(_("随手拍核实有效（分/条）"), default=5)
    volunteer_hour = models.PositiveIntegerField(_("志愿服务（分/小时）"), default=10)
    service_record = models.PositiveIntegerField(_("双报到服务记录（分/次）"), default=10)
    wish_fulfilled = models.PositiveIntegerField(_("实现微心愿（分/个）"), default=20)
    case_rated = models.PositiveIntegerField(_("评价办结诉求（分/件）"), default=2)
    meeting_attended = models.PositiveIntegerField(_("参加议事会议（分/次）"), default=5)
    expiry_months = models.PositiveSmallIntegerField(_("积分有效期（月）"), default=12)
    guard_minutes = models.PositiveSmallIntegerField(_("防刷时间窗（分钟）"), default=60)
    guard_per_account = models.PositiveSmallIntegerField(_("同一账号时间窗内最多条数"), default=5)
    guard_per_spot = models.PositiveSmallIntegerField(_("同一地点时间窗内最多条数"), default=3)
    guard_spot_meters = models.PositiveSmallIntegerField(_("同一地点半径（米）"), default=30)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("积分规则")

    def __str__(self) -> str:
        return str(self.community)

    def points_for(self, event: str) -> int:
        return int(getattr(self, event, 0) or 0)


class Award(models.Model):
    class Status(models.TextChoices):
        PAID = "paid", _("已发放")
        HELD = "held", _("待核实")
        REFUSED = "refused", _("不予发放")
        REVERSED = "reversed", _("已冲正")

    source = models.CharField(_("来源"), max_length=120, unique=True)
    event = models.CharField(_("事项"), max_length=24, choices=Event.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("获得人"), on_delete=models.PROTECT,
                             related_name="point_awards")
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(_("发生地编码"), max_length=30, db_index=True)
    points = models.PositiveIntegerField(_("积分"))
    title = models.CharField(_("事由"), max_length=120)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PAID)
    reasons = models.JSONField(_("待核实原因"), default=list, blank=True)
    transfer_id = models.BigIntegerField(_("账本流水"), null=True, blank=True)
    photo_hash = models.CharField(_("照片指纹"), max_length=16, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    decision_note = models.CharField(_("核实说明"), max_length=200, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("积分发放")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["community", "status", "-occurred_at"], name="award_community"),
            models.Index(fields=["user", "-occurred_at"], name="award_user"),
            models.Index(fields=["community", "event", "occurred_at"], name="award_guard"),
        ]

    def __str__(self) -> str:
        return f"{self.title} +{self.points}"


class Merchant(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("共建单位")
        SHOP = "shop", _("商户")
        PROPERTY = "property", _("物业服务企业（红色物业）")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.SHOP)
    community = models.ForeignKey("areas.Area", verbose_name=_("服务社区"), on_delete=models.PROTECT,
                                  related_name="merchants")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("对应单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("核销人员"), blank=True,
                                      related_name="merchants", through="MerchantHandler")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    hours = models.CharField(_("营业/服务时间"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("积分商家")
        ordering = ["community__code", "name"]

    def __str__(self) -> str:
        return self.name


class MerchantHandler(models.Model):
    """A user who verifies a merchant's codes: the table Django made for ``Merchant.handlers`` (same name
    and columns), with the merchant's district (the shard key). Writers pass it in ``through_defaults``."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "points_merchant_handlers"
        unique_together = [("merchant", "user")]
        verbose_name = verbose_name_plural = _("核销人员")

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.user_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.merchant.district_code
        super().save(*args, **kwargs)


class Offer(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("实物")
        SERVICE = "service", _("服务")
        FEE_VOUCHER = "fee_voucher", _("物业费抵扣券")

    merchant = models.ForeignKey(Merchant, verbose_name=_("商家"), on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.GOODS)
    title = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    price = models.PositiveIntegerField(_("所需积分"))
    face_value = models.DecimalField(_("面值（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    stock = models.PositiveIntegerField(_("总数量"))
    stock_left = models.IntegerField(_("剩余数量"))
    per_person = models.PositiveSmallIntegerField(_("每人限兑"), default=1)
    valid_from = models.DateField(_("兑换开始"))
    valid_until = models.DateField(_("兑换截止"))
    code_days = models.PositiveSmallIntegerField(_("兑换码有效天数"), default=7)
    active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("兑换项目")
        ordering = ["price"]
        constraints = [models.CheckConstraint(condition=Q(stock_left__gte=0), name="offer_never_oversold")]

    def __str__(self) -> str:
        return self.title


class Redemption(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("待核销")
        SETTLED = "settled", _("已核销")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")

    key = models.CharField(_("请求编号"), max_length=64, unique=True)
    offer = models.ForeignKey(Offer, verbose_name=_("兑换项目"), on_delete=models.PROTECT, related_name="redemptions")
    merchant = models.ForeignKey(Merchant, verbose_name=_("商家"), on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("兑换人"), on_delete=models.PROTECT,
                             related_name="redemptions")
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(_("积分"))
    code = models.CharField(_("兑换码"), max_length=8)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.HELD)
    hold_id = models.BigIntegerField(_("冻结流水"))
    created_at = models.DateTimeField(_("兑换时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("兑换码到期"))
    closed_at = models.DateTimeField(_("核销/退回时间"), null=True, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核销人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("积分兑换")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["code"], condition=Q(status="held"),
                                               name="redemption_code_unique_while_held")]
        indexes = [
            models.Index(fields=["merchant", "status", "-created_at"], name="redemption_merchant"),
            models.Index(fields=["user", "-created_at"], name="redemption_user"),
            models.Index(fields=["offer", "user", "status"], name="redemption_limit"),
            models.Index(fields=["status", "expires_at"], name="redemption_lapse"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} {self.code}"


class ExpiryRun(models.Model):
    """One day's expiry run (the worker makes one a day; the day is unique)."""

    day = models.DateField(_("日期"), unique=True)
    accounts = models.PositiveIntegerField(_("账户数"), default=0)
    points = models.PositiveBigIntegerField(_("过期积分"), default=0)
    created_at = models.DateTimeField(_("运行时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("积分过期处理")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.points}"
