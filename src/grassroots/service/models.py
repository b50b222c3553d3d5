"""双报到 (dual registration): co-building units and in-service Party members "report" to the
community where they stand or live, take posts (设岗定责) and serve; the community verifies what they
did (纪实) and each quarter tells every employer unit's Party organisation how its members served.

* ``UnitRegistration`` — a unit registers with a community: what it commits (resources, services,
  volunteers, venue hours) and its contact; approved by the community, it is one of the community's
  co-building units.
* ``Post`` — the community's own list of posts (政策宣传岗、环境监督岗、矛盾调解岗、关爱帮扶岗 …);
  a post marked ``takes_cases`` is the 接单 post: who holds it takes cases (点单-派单-接单).
* ``MemberRegistration`` — an in-service Party member registers with their residential community,
  which approves and places them in the grid Party branch where they live; ``PostAssignment`` rows
  are the posts they hold.
* ``ServiceRecord`` — what a member did, when, for how long, with a photo; verified by the community.
* ``FeedbackJob`` / ``FeedbackReport`` — the quarterly feedback to employer units (.xlsx and PDF),
  made by the worker on demand or on schedule, with its random-check list (随机抽查).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core import crypto
from grassroots.core.sensitive import set_sensitive


class Decision(models.TextChoices):
    APPLIED = "applied", _("待审核")
    APPROVED = "approved", _("已报到")
    REFUSED = "refused", _("未通过")
    ENDED = "ended", _("已结束")


class UnitRegistration(models.Model):
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("单位"), on_delete=models.CASCADE,
                             related_name="community_registrations")
    community = models.ForeignKey("areas.Area", verbose_name=_("报到社区"), on_delete=models.PROTECT,
                                  related_name="unit_registrations")
    resources = models.TextField(_("可提供的资源"), blank=True, help_text=_("如：会议室、车辆、场地、设备"))
    services = models.TextField(_("可提供的服务"), blank=True, help_text=_("如：义诊、法律咨询、维修"))
    volunteers = models.PositiveIntegerField(_("可派志愿者人数"), default=0)
    venue_hours = models.CharField(_("场地开放时间"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone_enc = models.TextField(editable=False, blank=True)
    contact_phone_index = models.CharField(max_length=64, editable=False, blank=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=32, editable=False, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Decision.choices, default=Decision.APPLIED)
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("单位报到")
        ordering = ["community__code", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "community"], condition=models.Q(
            status__in=["applied", "approved"]), name="unit_registered_once_per_community")]

    def __str__(self) -> str:
        return f"{self.unit} → {self.community}"

    def set_contact_phone(self, value: str) -> None:
        set_sensitive(self, "contact_phone", value, crypto.mask_phone)


class Post(models.Model):
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(_("岗位"), max_length=40)
    duties = models.CharField(_("职责"), max_length=300, blank=True)
    takes_cases = models.BooleanField(_("接单岗"), default=False,
                                      help_text=_("在岗党员可接社区派发的诉求（点单-派单-接单）"))
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("党员岗位")
        ordering = ["community__code", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="post_name_once_per_community")]

    def __str__(self) -> str:
        return self.name


class MemberRegistration(models.Model):
    member = models.ForeignKey("people.PartyMember", verbose_name=_("党员"), on_delete=models.CASCADE,
                               related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                             related_name="member_registrations")
    community = models.ForeignKey("areas.Area", verbose_name=_("居住社区"), on_delete=models.PROTECT,
                                  related_name="member_registrations")
    household = models.ForeignKey("areas.Area", verbose_name=_("居住地址"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    branch = models.ForeignKey("orgs.PartyOrg", verbose_name=_("编入党支部"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="registered_members")
    wanted_posts = models.ManyToManyField(Post, verbose_name=_("申请岗位"), blank=True, related_name="+",
                                          through="WantedPost")
    status = models.CharField(_("状态"), max_length=16, choices=Decision.choices, default=Decision.APPLIED)
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    approved_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("党员双报到")
        ordering = ["community__code", "-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=models.Q(
            status__in=["applied", "approved"]), name="member_registered_once")]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"


class WantedPost(models.Model):
    """A post a member asks for when registering: the table Django made for
    ``MemberRegistration.wanted_posts`` (same name and columns), with the registration's district (the
    shard key). Writers pass it in ``through_defaults``."""

    registration = models.ForeignKey(MemberRegistration, on_delete=models.CASCADE, related_name="+",
                                     db_column="memberregistration_id")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "service_memberregistration_wanted_posts"
        unique_together = [("registration", "post")]
        verbose_name = verbose_name_plural = _("申请岗位")

    def __str__(self) -> str:
        return f"{self.registration_id} {self.post_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.registration.district_code
        super().save(*args, **kwargs)


class PostAssignment(models.Model):
    registration = models.ForeignKey(MemberRegistration, verbose_name=_("报到"), on_delete=models.CASCADE,
                                     related_name="assignments")
    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="assignments")
    since = models.DateField(_("上岗日期"))
    until = models.DateField(_("离岗日期"), null=True, blank=True)
    # the registration's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("在岗")
        ordering = ["registration_id", "post__order"]  # the id: ordering by the model would join its ordering's tables
        constraints = [models.UniqueConstraint(fields=["registration", "post"], condition=models.Q(until__isnull=True),
                                               name="one_open_assignment_per_post")]

    def __str__(self) -> str:
        return f"{self.registration.member} · {self.post}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.registration.district_code
        super().save(*args, **kwargs)


class ServiceRecord(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待核实")
        VERIFIED = "verified", _("已核实")
        REJECTED = "rejected", _("未通过")

    registration = models.ForeignKey(MemberRegistration, verbose_name=_("报到"), on_delete=models.CASCADE,
                                     related_name="records")
    post = models.ForeignKey(Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="records")
    what = models.CharField(_("服务内容"), max_length=300)
    served_on = models.DateField(_("服务日期"), db_index=True)
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))])
    photo = models.FileField(_("照片"), upload_to="service/%Y/%m/", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("服务纪实")
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["registration", "status", "served_on"], name="service_record_member")]

    def __str__(self) -> str:
        return f"{self.served_on} {self.what}"


class FeedbackJob(models.Model):
    """The quarterly feedback of one community to the employer units of its registered members."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(_("季度"), max_length=7, help_text="2026-Q3")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=60, blank=True)
    xlsx = models.FileField(_("Excel"), upload_to="service/feedback/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="service/feedback/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("季度反馈")
        ordering = ["-queued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.community} {self.quarter}"


class FeedbackReport(models.Model):
    """One employer unit's part of a quarterly feedback, with the members to call (随机抽查)."""

    job = models.ForeignKey(FeedbackJob, verbose_name=_("季度反馈"), on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("工作单位"), null=True, on_delete=models.SET_NULL,
                             related_name="+")
    unit_name = models.CharField(_("工作单位"), max_length=120)
    members = models.PositiveIntegerField(_("报到党员"), default=0)
    hours = models.DecimalField(_("服务时长"), max_digits=8, decimal_places=1, default=0)
    cases = models.PositiveIntegerField(_("接单诉求"), default=0)
    random_check = models.JSONField(_("随机抽查名单"), default=list, blank=True)
    # the job's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("单位反馈")
        ordering = ["job", "unit_name"]

    def __str__(self) -> str:
        return f"{self.job} · {self.unit_name}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.job.district_code
        super().save(*args, **kwargs)
