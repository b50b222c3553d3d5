"""Two-way evaluation (双向评价) of one case between the area that dispatched it and the unit it went to.

``UnitEvaluation``: the dispatching street/community (or an area above it) rates the unit's work on the
case — speed, attitude, result, 1–5 each. ``DispatchEvaluation``: the unit rates the dispatch it got —
clear, the right owner, a fair time limit, 1–5 each. One of each per (case, unit), written only by
``services`` (which check who may and when, and write the audit row); never edited.

``area`` is the dispatching area, found once when the row is written (``rules.dispatching_area``) and
kept, so that later changes of roles do not move old evaluations; ``area_code`` copies its code for
prefix filters without a join.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

STARS = [MinValueValidator(1), MaxValueValidator(5)]


def _stars(label):
    return models.PositiveSmallIntegerField(label, validators=STARS, help_text=_("1–5 分"))


class Evaluation(models.Model):
    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("派单区域"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("派单（或吹哨）的街道、社区"))
    area_code = models.CharField(_("派单区域编码"), max_length=22, editable=False)
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评价人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("评价意见"), blank=True, default="", max_length=500)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.case_id} · {self.unit_id} · {self.created_at:%Y-%m-%d}"


class UnitEvaluation(Evaluation):
    """街道/社区评价承办单位在一件诉求上的办理：办理速度、服务态度、办理结果。"""

    speed = _stars(_("办理速度"))
    attitude = _stars(_("服务态度"))
    result = _stars(_("办理结果"))

    DIMENSIONS = ("speed", "attitude", "result")

    class Meta:
        verbose_name = verbose_name_plural = _("对承办单位的评价")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="unit_evaluation_once"),
            models.CheckConstraint(condition=models.Q(speed__gte=1, speed__lte=5, attitude__gte=1, attitude__lte=5,
                                                      result__gte=1, result__lte=5),
                                   name="unit_evaluation_stars"),
        ]
        indexes = [
            models.Index(fields=["area_code"], name="unit_eval_area_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["unit", "created_at"], name="unit_eval_unit_at"),
        ]

    @property
    def mean(self) -> float:
        return (self.speed + self.attitude + self.result) / 3


class DispatchEvaluation(Evaluation):
    """承办单位评价收到的派单：派单清晰、职责相符、时限合理。"""

    clear = _stars(_("派单清晰"))
    owner = _stars(_("职责相符"))
    deadline = _stars(_("时限合理"))

    DIMENSIONS = ("clear", "owner", "deadline")

    class Meta:
        verbose_name = verbose_name_plural = _("对派单的评价")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="dispatch_evaluation_once"),
            models.CheckConstraint(condition=models.Q(clear__gte=1, clear__lte=5, owner__gte=1, owner__lte=5,
                                                      deadline__gte=1, deadline__lte=5),
                                   name="dispatch_evaluation_stars"),
        ]
        indexes = [
            models.Index(fields=["area_code"], name="dispatch_eval_area_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["unit", "created_at"], name="dispatch_eval_unit_at"),
        ]

    @property
    def mean(self) -> float:
        return (self.clear + self.owner + self.deadline) / 3
