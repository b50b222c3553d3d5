"""Duplicate requests: the finder's rules per district, the candidates it found for each new case
(and a dispatcher's "不是重复"), and the ratings that residents of merged cases give the original.

Ratings of one original by several residents (docs/routing.md, "Duplicates"): the original's own
reporter's rating is the case's rating (``Case.rating``, the one the KPIs count); a merged
duplicate's resident rates the original too, and that rating is kept here as an extra rating of
the original — shown to staff, never counted as a second case in the satisfaction rate.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.cases.models import Rating

from .scoring import Rules


class DuplicateSettings(models.Model):
    """The finder's rules for one district (no row: the defaults of ``settings.GRASSROOTS_DUPLICATES``)."""

    district_code = models.CharField(_("区县代码"), max_length=6, unique=True)
    radius_m = models.PositiveIntegerField(_("距离范围（米）"), default=int(Rules.radius_m),
                                           validators=[MinValueValidator(10), MaxValueValidator(5000)])
    window_days = models.PositiveSmallIntegerField(_("时间范围（天）"), default=int(Rules.window_days),
                                                   validators=[MinValueValidator(1), MaxValueValidator(90)])
    threshold = models.FloatField(_("相似度阈值"), default=Rules.threshold,
                                  validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
                                  help_text=_("文字相似度达到此值才提示“疑似重复”"))
    strong_threshold = models.FloatField(_("高度相似阈值"), default=Rules.strong_threshold,
                                         validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
                                         help_text=_("达到此值的新诉求暂不自动派单，等待派单人确认是否合并"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("重复诉求识别设置")

    def __str__(self) -> str:
        return self.district_code

    def rules(self) -> Rules:
        return Rules(radius_m=float(self.radius_m), window_days=float(self.window_days),
                     threshold=self.threshold, strong_threshold=self.strong_threshold)


class DuplicateCandidate(models.Model):
    """``candidate`` (an older open case) looks like the same request as ``case``."""

    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE,
                             related_name="duplicate_candidates")
    candidate = models.ForeignKey("cases.Case", verbose_name=_("疑似重复的诉求"), on_delete=models.CASCADE,
                                  related_name="duplicate_of_candidates")
    score = models.FloatField(_("文字相似度"))
    distance_m = models.FloatField(_("距离（米）"), null=True, blank=True, help_text=_("为空：同一网格，未标注具体位置"))
    strong = models.BooleanField(_("高度相似"), default=False)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("判定不重复的人"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(_("判定不重复时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("疑似重复")
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "candidate"], name="duplicate_pair_unique")]
        indexes = [models.Index(fields=["candidate", "dismissed_at"], name="duplicate_candidate_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.candidate_id} ({self.score:.2f})"


class MergedRating(models.Model):
    """The rating a merged duplicate's resident gives the original (one per duplicate)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("被合并的诉求"), on_delete=models.CASCADE,
                                related_name="merged_rating")
    original = models.ForeignKey("cases.Case", verbose_name=_("原诉求"), on_delete=models.CASCADE,
                                 related_name="merged_ratings")
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices)
    comment = models.TextField(_("意见"), blank=True, default="", max_length=5000)
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("合并诉求的居民评价")
        ordering = ["rated_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.original_id}: {self.rating}"
