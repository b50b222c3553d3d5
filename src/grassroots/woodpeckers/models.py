"""啄木鸟 (woodpeckers): residents, Party members and the new employment groups — delivery riders,
couriers — who find problems on their rounds and report them with a photo in a few taps.

A ``Woodpecker`` is a signed-in account on a community's roster (applied, then approved by the
community), with the five roles (五员) they take on. A ``QuickReport`` ties one case of the case
loop (channel 啄木鸟随手拍, or 网格巡查 when grid staff use the same app) to the phone-made key it
was sent with — a resend after a lost connection finds the same case — and carries the grid
worker's judgement: valid or not valid, with a reason.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Group(models.TextChoices):
    RESIDENT = "resident", _("热心居民")
    PARTY_MEMBER = "party_member", _("党员")
    RIDER = "rider", _("外卖骑手")
    COURIER = "courier", _("快递员")
    DRIVER = "driver", _("网约车司机")
    OTHER = "other", _("其他")


NEW_EMPLOYMENT = (Group.RIDER, Group.COURIER, Group.DRIVER)  # 新就业群体


class Duty(models.TextChoices):
    """The five roles (五员) a woodpecker takes on."""

    PATROLLER = "patroller", _("巡查员")
    MONITOR = "monitor", _("监督员")
    ERRAND = "errand", _("代办员")
    GUARDIAN = "guardian", _("守护员")
    PUBLICIST = "publicist", _("宣传员")


class Woodpecker(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("待审核")
        ACTIVE = "active", _("在队")
        REFUSED = "refused", _("未通过")
        LEFT = "left", _("已退出")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                                related_name="woodpecker")
    name = models.CharField(_("姓名"), max_length=50)
    community = models.ForeignKey("areas.Area", verbose_name=_("所在社区"), on_delete=models.PROTECT,
                                  related_name="woodpeckers")
    group = models.CharField(_("身份"), max_length=16, choices=Group.choices, default=Group.RESIDENT)
    duties = models.JSONField(_("五员"), default=list, blank=True)
    platform = models.CharField(_("所在平台/单位"), max_length=50, blank=True, help_text=_("如：美团外卖、顺丰速运"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.APPLIED)
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    joined_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("啄木鸟队员")
        ordering = ["community__code", "name"]

    def __str__(self) -> str:
        return self.name

    def duty_labels(self) -> list[str]:
        return [str(Duty(d).label) for d in self.duties if d in Duty.values]

    @property
    def active(self) -> bool:
        return self.status == self.Status.ACTIVE


class QuickReport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待核实")
        VALID = "valid", _("有效")
        INVALID = "invalid", _("无效")
        PATROL = "patrol", _("网格巡查")  # grid staff's own report: nothing to judge

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT,
                                 related_name="quick_reports")
    woodpecker = models.ForeignKey(Woodpecker, verbose_name=_("啄木鸟队员"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="reports")
    case = models.OneToOneField("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE,
                                related_name="quick_report")
    client_key = models.CharField(_("手机端编号"), max_length=64)
    quick_category = models.CharField(_("类别"), max_length=16)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)
    status = models.CharField(_("核实结果"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("无效原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    area_code = models.CharField(_("网格编码"), max_length=30, db_index=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("随手拍")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["reporter", "client_key"], name="quick_report_once_per_key")]
        indexes = [models.Index(fields=["area_code", "status", "-received_at"], name="quick_report_board")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"
