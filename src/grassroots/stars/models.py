"""星级评定 — Party branches rated once a year by stars against the five basics.

* ``StarScheme`` — a district's rules for one year: the totals that earn one to five stars and
  whether the year's ratings are published.
* ``StarCriterion`` — one line of the scheme: which of the five basics it scores, its full points,
  and where the score comes from: a measure the platform computes (``stars/measures.py``) with the
  value that earns full points, or an inspector who enters the points on a form.
* ``StarRating`` — one branch's rating in one scheme. A published rating is frozen: computing it
  again makes the next version (a draft); publishing that version supersedes the old one. The
  ``current`` row of a (scheme, branch) pair is the one being worked on or the last one published.
* ``StarScore`` — one criterion's measured value, evidence and points within a rating.
* ``StarRatingEvent`` — every change of a rating, with the figures before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Basic(models.TextChoices):
    ORGANISATION = "organisation", _("基本组织")
    TEAM = "team", _("基本队伍")
    ACTIVITIES = "activities", _("基本活动")
    SYSTEM = "system", _("基本制度")
    POSITION = "position", _("基本阵地")


INSPECTOR = "inspector"


class Source(models.TextChoices):
    INSPECTOR = INSPECTOR, _("考评人员评分")
    MEETINGS = "meetings", _("议事协商会议次数")
    SERVICE_HOURS = "service_hours", _("党员服务时长（小时）")
    RESOLUTION_RATE = "resolution_rate", _("诉求解决率（%）")
    SATISFACTION = "satisfaction", _("群众满意率（%）")
    RESOLUTIONS_DONE = "resolutions_done", _("议事决议办结数")
    MEMBERS = "members", _("党员人数")
    MEMBERS_ON_POST = "members_on_post", _("在岗党员人数（设岗定责）")
    VOLUNTEER_HOURS = "volunteer_hours", _("志愿服务时长（小时）")


class StarScheme(models.Model):
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=80, blank=True)
    star1 = models.DecimalField(_("一星（总分不低于）"), max_digits=4, decimal_places=1, default=50)
    star2 = models.DecimalField(_("二星（总分不低于）"), max_digits=4, decimal_places=1, default=60)
    star3 = models.DecimalField(_("三星（总分不低于）"), max_digits=4, decimal_places=1, default=70)
    star4 = models.DecimalField(_("四星（总分不低于）"), max_digits=4, decimal_places=1, default=80)
    star5 = models.DecimalField(_("五星（总分不低于）"), max_digits=4, decimal_places=1, default=90)
    published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("星级评定方案")
        ordering = ["district_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "year"], name="star_scheme_once_per_year"),
            models.CheckConstraint(condition=Q(star1__gte=0, star1__lt=models.F("star2"), star2__lt=models.F("star3"),
                                               star3__lt=models.F("star4"), star4__lt=models.F("star5"),
                                               star5__lte=100), name="star_thresholds_ascending"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.year}年度党支部星级评定"

    @property
    def thresholds(self) -> tuple:
        """The totals for one to five stars, ascending."""
        return (self.star1, self.star2, self.star3, self.star4, self.star5)


class StarCriterion(models.Model):
    scheme = models.ForeignKey(StarScheme, verbose_name=_("评定方案"), on_delete=models.CASCADE,
                               related_name="criteria")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    basic = models.CharField(_("五个基本"), max_length=16, choices=Basic.choices)
    name = models.CharField(_("评定内容"), max_length=60)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    source = models.CharField(_("评分方式"), max_length=24, choices=Source.choices, default=Source.INSPECTOR)
    target = models.DecimalField(_("满分标准"), max_digits=8, decimal_places=1, null=True, blank=True,
                                 help_text=_("自动计算的指标达到这个数即得满分，不足按比例得分"))
    guide = models.CharField(_("评分说明"), max_length=200, blank=True)

    # the scheme's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("评定内容")
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="star_criterion_name_once"),
            models.CheckConstraint(condition=Q(max_points__gte=1, max_points__lte=100), name="star_criterion_points"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.scheme.district_code
        super().save(*args, **kwargs)

    @property
    def automatic(self) -> bool:
        return self.source != INSPECTOR


class StarRating(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("评定中")
        SUBMITTED = "submitted", _("已上报")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本替代")

    scheme = models.ForeignKey(StarScheme, verbose_name=_("评定方案"), on_delete=models.PROTECT,
                               related_name="ratings")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name=_("党支部"), on_delete=models.PROTECT,
                            related_name="star_ratings")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    current = models.BooleanField(_("当前版本"), default=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("总分"), max_digits=4, decimal_places=1, default=0)
    stars = models.PositiveSmallIntegerField(_("星级"), default=0)
    subtotals = models.JSONField(_("五个基本得分"), default=dict, blank=True)
    area_code = models.CharField(_("区域编码"), max_length=22, db_index=True, editable=False)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("星级评定")
        ordering = ["area_code", "org_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org", "version"], name="star_rating_version_once"),
            models.UniqueConstraint(fields=["scheme", "org"], condition=Q(current=True), name="star_rating_one_current"),
            models.UniqueConstraint(fields=["scheme", "org"], condition=Q(status="published"),
                                    name="star_rating_one_published"),
        ]
        indexes = [models.Index(fields=["scheme", "current", "area_code"], name="star_rating_scope")]

    def __str__(self) -> str:
        return f"{self.org} · {self.scheme.year} · v{self.version}"

    @property
    def frozen(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.SUPERSEDED)


class StarScore(models.Model):
    rating = models.ForeignKey(StarRating, verbose_name=_("星级评定"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(StarCriterion, verbose_name=_("评定内容"), on_delete=models.PROTECT,
                                  related_name="scores")
    value = models.DecimalField(_("指标值"), max_digits=10, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=4, decimal_places=1, null=True, blank=True)
    evidence = models.JSONField(_("佐证"), default=dict, blank=True)
    note = models.CharField(_("评分说明"), max_length=300, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评分人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    # the rating's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("评定得分")
        ordering = ["rating", "criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["rating", "criterion"], name="star_score_once")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.rating.district_code
        super().save(*args, **kwargs)


class StarRatingEvent(models.Model):
    class Action(models.TextChoices):
        COMPUTED = "computed", _("计算")
        SCORED = "scored", _("考评评分")
        SUBMITTED = "submitted", _("上报")
        PUBLISHED = "published", _("发布")
        SUPERSEDED = "superseded", _("被新版本替代")
        VERSIONED = "versioned", _("生成新版本")

    rating = models.ForeignKey(StarRating, verbose_name=_("星级评定"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    # the rating's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("评定记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.rating.district_code
        super().save(*args, **kwargs)


class StarComputeJob(models.Model):
    """"全部重新计算" of a scope too large to compute while the page waits, run by ``grassroots worker``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    scheme = models.ForeignKey(StarScheme, verbose_name=_("评定方案"), on_delete=models.CASCADE, related_name="jobs")
    under = models.CharField(_("范围"), max_length=22, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total = models.PositiveIntegerField(_("党支部数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已计算"), default=0)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    queued_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("星级计算任务")
        ordering = ["-queued_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "under"], condition=Q(status__in=["queued", "running"]),
                                               name="star_job_once_while_waiting")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.under or self.district_code}"
