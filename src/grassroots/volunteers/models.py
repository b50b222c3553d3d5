"""Volunteer teams (志愿服务队) and their activities: slots, sign-up with a waiting list that moves up
when someone cancels, check-in and check-out with a short-lived code the organiser's phone shows (a
QR code and its digits), hours proposed at check-out and confirmed by the organiser, no-shows.

A volunteer is the register's ``people.Volunteer`` (a person, a community): a verified resident who
joins a team or signs up for an activity becomes one if they were not already.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    name = models.CharField(_("服务队"), max_length=60)
    community = models.ForeignKey("areas.Area", verbose_name=_("所在社区"), on_delete=models.PROTECT,
                                  related_name="volunteer_teams")
    description = models.CharField(_("简介"), max_length=300, blank=True)
    active = models.BooleanField(_("活跃"), default=True)
    created_at = models.DateTimeField(_("成立时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("志愿服务队")
        ordering = ["community__code", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="team_name_once_per_community")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("队长")
        MEMBER = "member", _("队员")

    team = models.ForeignKey(Team, verbose_name=_("服务队"), on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey("people.Volunteer", verbose_name=_("志愿者"), on_delete=models.CASCADE,
                                  related_name="team_memberships")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    # the team's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("队员")
        ordering = ["team", "-role", "joined_at"]
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="member_once_per_team")]

    def __str__(self) -> str:
        return f"{self.team} · {self.volunteer}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.team.district_code
        super().save(*args, **kwargs)


class Activity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("报名中")
        CLOSED = "closed", _("已结束")
        CANCELLED = "cancelled", _("已取消")

    team = models.ForeignKey(Team, verbose_name=_("服务队"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="activities")
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="volunteer_activities")
    title = models.CharField(_("活动"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    place = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    slots = models.PositiveSmallIntegerField(_("名额"), validators=[MinValueValidator(1), MaxValueValidator(1000)])
    hours = models.DecimalField(_("志愿时长（小时）"), max_digits=4, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))])
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("组织者"), on_delete=models.PROTECT,
                                  related_name="organised_activities")
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("志愿活动")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class Signup(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")
        CHECKED_IN = "checked_in", _("已签到")
        CHECKED_OUT = "checked_out", _("已签退")
        NO_SHOW = "no_show", _("缺席")

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey("people.Volunteer", verbose_name=_("志愿者"), on_delete=models.CASCADE,
                                  related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                             related_name="volunteer_signups")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, db_index=True)
    signed_up_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("志愿时长"), max_digits=4, decimal_places=1, null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("报名")
        ordering = ["activity", "signed_up_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once_per_activity")]
        indexes = [models.Index(fields=["volunteer", "status"], name="signup_volunteer_status")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.volunteer}"


class CheckCode(models.Model):
    """A short-lived code the organiser's phone shows for checking in or out (digits and a QR code)."""

    class Kind(models.TextChoices):
        IN = "in", _("签到")
        OUT = "out", _("签退")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="codes")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    code = models.CharField(max_length=6)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # the activity's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("签到码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["activity", "kind", "-created_at"], name="check_code_latest")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.code}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.activity.district_code
        super().save(*args, **kwargs)
