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
