"""The editable parameters of the 接诉即办 assessment, one row per district.

The KPIs themselves are not stored: they are computed from the cases when a page asks for them
(``kpis.py``), always with the district's current parameters. Changes go through
``services.kpi_settings_update``, which validates them and writes the audit row.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The published formula: composite = 0.1 × response + 0.5 × resolution + 0.4 × satisfaction,
# satisfaction = (满意 + 0.9 × 基本满意) / rated.
DEFAULT_RESPONSE_WEIGHT = Decimal("0.100")
DEFAULT_RESOLUTION_WEIGHT = Decimal("0.500")
DEFAULT_SATISFACTION_WEIGHT = Decimal("0.400")
DEFAULT_BASIC_FACTOR = Decimal("0.900")
DEFAULT_RESPONSE_HOURS = 24

_weight = {"max_digits": 4, "decimal_places": 3,
           "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]}


class KpiSettings(models.Model):
    district_code = models.CharField(_("区县代码"), max_length=6, unique=True)
    response_weight = models.DecimalField(_("响应率权重"), default=DEFAULT_RESPONSE_WEIGHT, **_weight)
    resolution_weight = models.DecimalField(_("解决率权重"), default=DEFAULT_RESOLUTION_WEIGHT, **_weight)
    satisfaction_weight = models.DecimalField(_("满意率权重"), default=DEFAULT_SATISFACTION_WEIGHT, **_weight)
    basic_factor = models.DecimalField(_("基本满意折算系数"), default=DEFAULT_BASIC_FACTOR, **_weight,
                                       help_text=_("一件“基本满意”按多少件“满意”计入满意率"))
    response_hours = models.PositiveIntegerField(_("响应时限（小时）"), default=DEFAULT_RESPONSE_HOURS,
                                                 validators=[MinValueValidator(1), MaxValueValidator(720)],
                                                 help_text=_("受理、就地办理或接单须在上报后多少小时内完成"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("考核参数")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_weight__gte=0, resolution_weight__gte=0,
                                   satisfaction_weight__gte=0, basic_factor__gte=0, basic_factor__lte=1),
                name="kpi_settings_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.district_code} {self.response_weight}/{self.resolution_weight}/{self.satisfaction_weight}"

    @classmethod
    def defaults(cls, district_code: str) -> KpiSettings:
        """The published parameters, for a district whose administrator has not changed them."""
        return cls(district_code=district_code)

    @property
    def weights(self) -> tuple[Decimal, Decimal, Decimal]:
        return self.response_weight, self.resolution_weight, self.satisfaction_weight

    def formula_text(self) -> str:
        """The formulas with this district's numbers, in Chinese (exports; pages translate their own)."""
        w = [plain_number(v) for v in (*self.weights, self.basic_factor)]
        return (f"综合得分 = {w[0]} × 响应率 + {w[1]} × 解决率 + {w[2]} × 满意率；"
                f"满意率 = （满意 + {w[3]} × 基本满意）÷ 已评价件数；响应率按上报后 {self.response_hours} 小时内响应计")


def plain_number(value) -> str:
    """A decimal without trailing zeros: 0.100 → 0.1, 1.000 → 1 (anything else as it is)."""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


class KpiDay(models.Model):
    """The KPI counters of the cases received on one day in one area (and, with ``unit_id``, held by one
    unit there), kept current by ``rollups.apply`` inside every case write — see docs/kpi.md, "Rollups".

    A case counts in three rows per unit choice: its street's, its community's and its grid's (``level``
    1, 2, 3; a case placed above a level is in no row of that level), or — known only to the district —
    one district row (``level`` 0). ``unit_id`` 0 holds every case; a case held by a unit is counted
    again in that unit's rows. ``day`` is the local (Asia/Shanghai) date the case was received.
    """

    class Level(models.IntegerChoices):
        DISTRICT_ONLY = 0, _("仅到区县")
        STREET = 1, _("街道")
        COMMUNITY = 2, _("社区")
        GRID = 3, _("网格")

    district_code = models.CharField(_("区县代码"), max_length=6)
    street_code = models.CharField(_("街道代码"), max_length=9, blank=True, default="")
    community_code = models.CharField(_("社区代码"), max_length=12, blank=True, default="")
    area_code = models.CharField(_("区域代码"), max_length=15)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    unit_id = models.PositiveIntegerField(_("承办单位"), default=0)  # 0: every case of the area
    day = models.DateField(_("受理日期"))
    received = models.IntegerField(_("上报"), default=0)
    excluded = models.IntegerField(_("不计入"), default=0)
    responded = models.IntegerField(_("按时响应"), default=0)
    resolved = models.IntegerField(_("已解决"), default=0)
    rated = models.IntegerField(_("已评价"), default=0)
    satisfied = models.IntegerField(_("满意"), default=0)
    basic = models.IntegerField(_("基本满意"), default=0)
    unsatisfied = models.IntegerField(_("不满意"), default=0)
    replied = models.IntegerField(_("已答复"), default=0)
    on_time = models.IntegerField(_("按时答复"), default=0)
    overdue = models.IntegerField(_("超时（已记录）"), default=0)
    reopened = models.IntegerField(_("重办"), default=0)
    open = models.IntegerField(_("未办结"), default=0)
    # the replied cases by hours from report to reply (kpis.REPLY_BUCKETS): the median at city scale
    rh0 = models.IntegerField(default=0)
    rh1 = models.IntegerField(default=0)
    rh2 = models.IntegerField(default=0)
    rh3 = models.IntegerField(default=0)
    rh4 = models.IntegerField(default=0)
    rh5 = models.IntegerField(default=0)
    rh6 = models.IntegerField(default=0)
    rh7 = models.IntegerField(default=0)
    rh8 = models.IntegerField(default=0)
    rh9 = models.IntegerField(default=0)
    rh10 = models.IntegerField(default=0)
    rh11 = models.IntegerField(default=0)
    rh12 = models.IntegerField(default=0)
    rh13 = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("考核日汇总")
        constraints = [models.UniqueConstraint(fields=["area_code", "unit_id", "day"], name="kpiday_key")]
        indexes = [
            models.Index(fields=["district_code", "level", "unit_id", "day"], name="kpiday_district"),
            models.Index(fields=["street_code", "level", "unit_id", "day"], name="kpiday_street"),
            models.Index(fields=["community_code", "level", "unit_id", "day"], name="kpiday_community"),
        ]

    def __str__(self) -> str:
        return f"{self.area_code}/{self.unit_id} {self.day}"


class CategoryDay(models.Model):
    """Cases received on one day in one area by category (``category_id`` 0: none yet), kept like KpiDay
    (same levels and keys, no unit rows): the command center's top categories."""

    district_code = models.CharField(_("区县代码"), max_length=6)
    street_code = models.CharField(_("街道代码"), max_length=9, blank=True, default="")
    community_code = models.CharField(_("社区代码"), max_length=12, blank=True, default="")
    area_code = models.CharField(_("区域代码"), max_length=15)
    level = models.PositiveSmallIntegerField(_("层级"), choices=KpiDay.Level.choices)
    category_id = models.PositiveIntegerField(_("类别"), default=0)
    day = models.DateField(_("受理日期"))
    received = models.IntegerField(_("上报"), default=0)
    counted = models.IntegerField(_("计入考核"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("类别日汇总")
        constraints = [models.UniqueConstraint(fields=["area_code", "category_id", "day"], name="categoryday_key")]
        indexes = [
            models.Index(fields=["district_code", "level", "day"], name="categoryday_district"),
            models.Index(fields=["street_code", "level", "day"], name="categoryday_street"),
            models.Index(fields=["community_code", "level", "day"], name="categoryday_community"),
        ]

    def __str__(self) -> str:
        return f"{self.area_code}/{self.category_id} {self.day}"
