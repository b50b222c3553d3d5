"""三张清单 — the resource, need and project lists, and the two-way service agreements.

* ``Resource`` — what a co-building unit can give a community (a venue's hours, a service, funds,
  volunteers, equipment), mostly taken from its 双报到 commitments; offered to a community, a grid or a
  whole street.
* ``Need`` — what residents need, collected from a resident's own request, from a case, or from a
  survey sheet; placed at a building, a grid or the community.
* ``Match`` — a suggested pairing accepted (or declined) by the community; an accepted one makes a
  ``Project``.
* ``Project`` — the work that meets needs with resources: an owner unit, a deadline, progress with
  evidence (``ProjectNote``); a project marked 为民办实事 shows on the public list of practical matters.
* ``Agreement`` / ``AgreementItem`` — 双向服务协议 between a unit and a community for a year: what each
  side promised (``side``) and what was delivered, with evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    VENUE = "venue", _("场地")
    SERVICE = "service", _("服务")
    FUNDS = "funds", _("资金")
    VOLUNTEERS = "volunteers", _("志愿者")
    EQUIPMENT = "equipment", _("物资设备")


class Category(models.TextChoices):
    ELDERLY = "elderly", _("为老服务")
    CHILDREN = "children", _("儿童关爱")
    ENVIRONMENT = "environment", _("环境整治")
    FACILITIES = "facilities", _("设施维修")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律服务")
    EMPLOYMENT = "employment", _("就业帮扶")
    CULTURE = "culture", _("文体活动")
    SAFETY = "safety", _("平安建设")
    OTHER = "other", _("其他")


class Resource(models.Model):
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("服务范围"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("社区、网格或楼栋"))
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("提供单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="offered_resources")
    registration = models.ForeignKey("service.UnitRegistration", verbose_name=_("来自双报到承诺"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("资源类型"), max_length=16, choices=Kind.choices)
    category = models.CharField(_("服务领域"), max_length=16, choices=Category.choices, default=Category.OTHER)
    title = models.CharField(_("资源"), max_length=80)
    detail = models.CharField(_("说明（时间、数量、条件）"), max_length=500, blank=True)
    available = models.BooleanField(_("可用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("资源清单")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "available", "kind"], name="resource_community")]
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], condition=Q(registration__isnull=False),
                                               name="resource_once_per_commitment")]

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民提出")
        CASE = "case", _("来自诉求")
        SURVEY = "survey", _("走访调查")

    class Status(models.TextChoices):
        OPEN = "open", _("待对接")
        MATCHED = "matched", _("已对接，项目推进中")
        MET = "met", _("已满足")
        CLOSED = "closed", _("不予对接")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("位置（楼栋/网格/社区）"), on_delete=models.PROTECT,
                             related_name="+")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    kind = models.CharField(_("需要的资源"), max_length=16, choices=Kind.choices, blank=True)
    category = models.CharField(_("服务领域"), max_length=16, choices=Category.choices, default=Category.OTHER)
    title = models.CharField(_("需求"), max_length=80)
    detail = models.CharField(_("说明"), max_length=1000, blank=True)
    people = models.PositiveIntegerField(_("涉及人数"), default=1)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("说明（不予对接的原因）"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出/登记人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("需求清单")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "status", "-created_at"], name="need_community")]
        constraints = [models.UniqueConstraint(fields=["case"], condition=Q(case__isnull=False), name="need_once_per_case")]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    class Status(models.TextChoices):
        ONGOING = "ongoing", _("推进中")
        DONE = "done", _("已完成")
        DROPPED = "dropped", _("已终止")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("项目"), max_length=80)
    detail = models.CharField(_("内容与承诺"), max_length=1000, blank=True)
    owner_unit = models.ForeignKey("orgs.Unit", verbose_name=_("承接单位"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="projects")
    needs = models.ManyToManyField(Need, verbose_name=_("对应需求"), blank=True, related_name="projects",
                                   through="ProjectNeed")
    resources = models.ManyToManyField(Resource, verbose_name=_("使用资源"), blank=True, related_name="projects",
                                       through="ProjectResource")
    deadline = models.DateField(_("完成时限"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ONGOING)
    practical = models.BooleanField(_("列入为民办实事"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("立项人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("立项时间"), default=timezone.now)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("项目清单")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["community", "status", "deadline"], name="project_community"),
                   models.Index(fields=["practical", "community", "status"], name="project_practical")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_max")]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.ONGOING and self.deadline < timezone.localdate()

    def owner_label(self) -> str:
        return self.owner_unit.name if self.owner_unit_id else self.community.name


class ProjectNeed(models.Model):
    """A need a project answers: the table Django made for ``Project.needs`` (same name and columns), with the project's
    district (the shard key). Writers pass it in ``through_defaults``."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "matching_project_needs"
        unique_together = [("project", "need")]
        verbose_name = verbose_name_plural = _("对应需求")

    def __str__(self) -> str:
        return f"{self.project_id} {self.need_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.project.district_code
        super().save(*args, **kwargs)


class ProjectResource(models.Model):
    """A resource a project uses: the table Django made for ``Project.resources`` (same name and columns), with the project's
    district (the shard key). Writers pass it in ``through_defaults``."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "matching_project_resources"
        unique_together = [("project", "resource")]
        verbose_name = verbose_name_plural = _("使用资源")

    def __str__(self) -> str:
        return f"{self.project_id} {self.resource_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.project.district_code
        super().save(*args, **kwargs)


class ProjectNote(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("进展"), max_length=500)
    progress = models.PositiveSmallIntegerField(_("进度（%）"))
    photo = models.FileField(_("佐证照片"), upload_to="matching/%Y/%m/", blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # the project's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("项目进展")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.progress}% {self.text[:30]}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.project.district_code
        super().save(*args, **kwargs)


class Match(models.Model):
    """A need paired with a resource by the community: accepted (into a project) or declined (the
    suggestion is not offered again)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已对接")
        DECLINED = "declined", _("不合适")

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="matches")
    resource = models.ForeignKey(Resource, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="matches")
    project = models.ForeignKey(Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="matches")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    score = models.PositiveSmallIntegerField(_("匹配度"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("对接人"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("供需对接")
        constraints = [models.UniqueConstraint(fields=["need", "resource"], name="match_once")]

    def __str__(self) -> str:
        return f"{self.need_id}↔{self.resource_id}"


class Agreement(models.Model):
    """双向服务协议: a unit and a community, for a year."""

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="agreements")
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    signed_on = models.DateField(_("签订日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("双向服务协议")
        ordering = ["-year", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "community", "year"], name="agreement_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} · {self.community}"


class AgreementItem(models.Model):
    class Side(models.TextChoices):
        UNIT = "unit", _("单位承诺")
        COMMUNITY = "community", _("社区承诺")

    agreement = models.ForeignKey(Agreement, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="items")
    side = models.CharField(_("承诺方"), max_length=16, choices=Side.choices)
    what = models.CharField(_("承诺事项"), max_length=200)
    due = models.DateField(_("完成时限"), null=True, blank=True)
    resource = models.ForeignKey(Resource, verbose_name=_("对应资源"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # the agreement's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)
    delivered_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)
    evidence = models.CharField(_("兑现情况"), max_length=500, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = _("协议事项")
        ordering = ["agreement", "side", "pk"]

    def __str__(self) -> str:
        return self.what

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.agreement.district_code
        super().save(*args, **kwargs)
