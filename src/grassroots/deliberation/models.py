"""议事协商 — "大事共议、要事共决、难事共解、实事共办".

* ``Series`` / ``Meeting`` — a rhythm of meetings (the big Party committee's quarterly joint meeting,
  the monthly three-party meeting, the weekly residents' council, an ad-hoc doorstep 议事) and each
  meeting's agenda, invitations, check-in code, attendance and minutes.
* ``Resolution`` — what a meeting decided: an owner, a deadline, progress with evidence, children; a
  parent's progress follows its children. The next meeting of a series opens with the open ones.
* ``Topic`` / ``Support`` — a resident's (or member's, or unit's) proposal for their building, grid or
  community; verified residents support it; enough support puts it on an agenda.
* ``Vote`` / ``VoterRoll`` / ``Tally`` — one household one vote (or one person one vote). The roll
  says who voted (a household once, online or on paper); the tally counts choices. A secret ballot's
  choice is only ever a count: no row links a voter to a choice.
* ``Convention`` / ``ConventionVersion`` — 居民公约, 村规民约, 小区自治章程 with their versions and the
  vote that adopted each.

Resolutions marked 为民办实事 make the public list of practical matters of a community and street.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Series(models.Model):
    class Kind(models.TextChoices):
        JOINT = "joint", _("大党委联席会议（每季度）")
        THREE_PARTY = "three_party", _("三方联席会议（每月）")
        COUNCIL = "council", _("居民议事会（每周）")
        ADHOC = "adhoc", _("议事协商（随时）")

    RHYTHM_DAYS = {Kind.JOINT: 91, Kind.THREE_PARTY: 30, Kind.COUNCIL: 7, Kind.ADHOC: 0}

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="meeting_series")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=60)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("会议系列")
        ordering = ["community__code", "kind", "title"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("待召开")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    series = models.ForeignKey(Series, verbose_name=_("会议系列"), on_delete=models.PROTECT, related_name="meetings")
    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("会议名称"), max_length=80)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    invite_seats = models.BooleanField(_("邀请大党委兼职委员单位"), default=False)
    invite_units = models.ManyToManyField("orgs.Unit", verbose_name=_("邀请单位"), blank=True, related_name="+",
                                          through="MeetingInvitedUnit")
    invite_area = models.ForeignKey("areas.Area", verbose_name=_("邀请居民（楼栋/网格）"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    checkin_code = models.CharField(_("签到码"), max_length=6, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    held_at = models.DateTimeField(_("召开确认时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("召集人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("会议")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["community", "-starts_at"], name="meeting_community")]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", _("居民议题")
        CARRIED = "carried", _("上次会议未办结决议")
        CASE = "case", _("反复反映的诉求")
        OTHER = "other", _("其他")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("来源"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("议程"), max_length=120)
    topic = models.ForeignKey("Topic", verbose_name=_("议题"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="agenda_items")
    resolution = models.ForeignKey("Resolution", verbose_name=_("决议"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="agenda_items")
    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    # the meeting's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("议程")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.meeting.district_code
        super().save(*args, **kwargs)


class Attendance(models.Model):
    class Via(models.TextChoices):
        CODE = "code", _("签到码")
        MANUAL = "manual", _("工作人员登记")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("参会人"), on_delete=models.CASCADE,
                             related_name="meetings_attended")
    via = models.CharField(_("方式"), max_length=8, choices=Via.choices, default=Via.CODE)
    at = models.DateTimeField(_("签到时间"), default=timezone.now)
    # the meeting's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("签到")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attend_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.user_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.meeting.district_code
        super().save(*args, **kwargs)


class MeetingInvitedUnit(models.Model):
    """A unit invited to a meeting: the table Django made for ``Meeting.invite_units`` (same name and
    columns), with the meeting's district (the shard key). Writers pass it in ``through_defaults``."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "deliberation_meeting_invite_units"
        unique_together = [("meeting", "unit")]
        verbose_name = verbose_name_plural = _("邀请单位")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.unit_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.meeting.district_code
        super().save(*args, **kwargs)


class Resolution(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("推进中")
        DONE = "done", _("已办结")
        DROPPED = "dropped", _("已撤销")

    class Owner(models.TextChoices):
        COMMUNITY = "community", _("社区")
        UNIT = "unit", _("单位")
        MEMBER = "member", _("党员/个人")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="resolutions")
    parent = models.ForeignKey("self", verbose_name=_("上级决议"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    topic = models.ForeignKey("Topic", verbose_name=_("来自议题"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="resolutions")
    title = models.CharField(_("决议事项"), max_length=120)
    detail = models.TextField(_("内容与承诺"), blank=True, max_length=2000)
    owner_kind = models.CharField(_("责任方类型"), max_length=16, choices=Owner.choices, default=Owner.COMMUNITY)
    owner_unit = models.ForeignKey("orgs.Unit", verbose_name=_("责任单位"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="resolutions")
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="resolutions")
    deadline = models.DateField(_("完成时限"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    practical = models.BooleanField(_("列入为民办实事"), default=False)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("所答复的诉求"), blank=True, related_name="+",
                                   through="ResolutionCase", help_text=_("决议办结时，这些诉求收到答复"))
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("决议")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["community", "status", "deadline"], name="resolution_open"),
                   models.Index(fields=["practical", "community", "status"], name="resolution_practical")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="resolution_progress_max")]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.deadline < timezone.localdate()

    def owner_label(self) -> str:
        if self.owner_kind == self.Owner.UNIT and self.owner_unit_id:
            return self.owner_unit.name
        if self.owner_kind == self.Owner.MEMBER and self.owner_user_id:
            return self.owner_user.display_name or self.owner_user.username
        return self.community.name


class ResolutionCase(models.Model):
    """A case a resolution answers: the table Django made for ``Resolution.cases`` (same name and
    columns), with the resolution's district (the shard key). Writers pass it in ``through_defaults``."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "deliberation_resolution_cases"
        unique_together = [("resolution", "case")]
        verbose_name = verbose_name_plural = _("所答复的诉求")

    def __str__(self) -> str:
        return f"{self.resolution_id} {self.case_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.resolution.district_code
        super().save(*args, **kwargs)


class ProgressNote(models.Model):
    resolution = models.ForeignKey(Resolution, verbose_name=_("决议"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("进展"), max_length=500)
    progress = models.PositiveSmallIntegerField(_("进度（%）"))
    photo = models.FileField(_("佐证照片"), upload_to="deliberation/%Y/%m/", blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # the resolution's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("决议进展")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.progress}% {self.text[:30]}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.resolution.district_code
        super().save(*args, **kwargs)


class Rules(models.Model):
    """A community's settings of deliberation."""

    community = models.OneToOneField("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT,
                                     related_name="deliberation_rules")
    topic_threshold = models.PositiveSmallIntegerField(_("议题上会所需支持数"), default=10)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("议事规则")

    def __str__(self) -> str:
        return str(self.community)


class Topic(models.Model):
    class Status(models.TextChoices):
        GATHERING = "gathering", _("征集支持")
        READY = "ready", _("支持已够，待上会")
        AGENDA = "agenda", _("已列入议程")
        DECIDED = "decided", _("已议定")
        CLOSED = "closed", _("未采纳")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("范围（楼栋/网格/社区）"), on_delete=models.PROTECT,
                             related_name="+")
    title = models.CharField(_("议题"), max_length=60)
    body = models.TextField(_("说明"), max_length=2000)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT,
                                 related_name="topics")
    proposer_label = models.CharField(_("提出人（公开）"), max_length=40)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.GATHERING)
    supports = models.PositiveIntegerField(_("支持数"), default=0)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("议题")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "status", "-created_at"], name="topic_community")]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    topic = models.ForeignKey(Topic, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="support_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("支持人"), on_delete=models.CASCADE,
                             related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # the topic's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("议题支持")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.user_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.topic.district_code
        super().save(*args, **kwargs)


class Vote(models.Model):
    class Unit(models.TextChoices):
        HOUSEHOLD = "household", _("一户一票")
        PERSON = "person", _("一人一票")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("过半数同意")
        TWO_THIRDS = "two_thirds", _("三分之二以上同意")

    class Status(models.TextChoices):
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已结束")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("投票范围"), on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, verbose_name=_("议题"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="votes")
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="votes")
    question = models.CharField(_("表决事项"), max_length=120)
    unit = models.CharField(_("计票单位"), max_length=16, choices=Unit.choices, default=Unit.HOUSEHOLD)
    secret = models.BooleanField(_("无记名投票"), default=True)
    quorum_percent = models.PositiveSmallIntegerField(_("参与率下限（%）"), default=50)
    majority = models.CharField(_("通过规则"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE)
    electorate = models.PositiveIntegerField(_("应投票数"), default=0)
    opens_at = models.DateTimeField(_("开始"), default=timezone.now)
    closes_at = models.DateTimeField(_("截止"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    result_note = models.CharField(_("结果说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    CHOICES = (("yes", _("同意")), ("no", _("反对")), ("abstain", _("弃权")))

    class Meta:
        verbose_name = verbose_name_plural = _("表决")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.question


class VoterRoll(models.Model):
    """Who voted (a household, or a person): once per vote, online or on paper. For an open ballot
    it also carries the choice; for a secret one it never does."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("线上")
        PAPER = "paper", _("纸质（入户收集）")

    vote = models.ForeignKey(Vote, verbose_name=_("表决"), on_delete=models.CASCADE, related_name="roll")
    household = models.ForeignKey("areas.Area", verbose_name=_("住户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("投票人/录入人"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    open_choice = models.CharField(_("选择（记名投票）"), max_length=8, blank=True)
    # the vote's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("投票登记")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], condition=Q(household__isnull=False),
                                    name="one_ballot_per_household"),
            models.UniqueConstraint(fields=["vote", "user"], condition=Q(household__isnull=True),
                                    name="one_ballot_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.get_channel_display()}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.vote.district_code
        super().save(*args, **kwargs)


class Tally(models.Model):
    """The count of one choice by one channel: the only place a secret ballot's choice exists."""

    vote = models.ForeignKey(Vote, verbose_name=_("表决"), on_delete=models.CASCADE, related_name="tallies")
    choice = models.CharField(_("选择"), max_length=8)
    channel = models.CharField(_("方式"), max_length=8)
    count = models.PositiveIntegerField(_("票数"), default=0)
    # the vote's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("计票")
        constraints = [models.UniqueConstraint(fields=["vote", "choice", "channel"], name="tally_once")]

    def __str__(self) -> str:
        return f"{self.choice} {self.count}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.vote.district_code
        super().save(*args, **kwargs)


class Convention(models.Model):
    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("居民公约")
        VILLAGE = "village", _("村规民约")
        ESTATE = "estate", _("小区自治章程")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("适用范围"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=60)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("公约章程")

    def __str__(self) -> str:
        return self.title


class ConventionVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        VOTING = "voting", _("表决中")
        ADOPTED = "adopted", _("已通过")
        REJECTED = "rejected", _("未通过")

    convention = models.ForeignKey(Convention, verbose_name=_("公约"), on_delete=models.CASCADE,
                                   related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("条文"), max_length=20000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    vote = models.OneToOneField(Vote, verbose_name=_("通过它的表决"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="convention_version")
    adopted_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    # the convention's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("公约版本")
        ordering = ["convention", "-number"]
        constraints = [models.UniqueConstraint(fields=["convention", "number"], name="convention_version_once")]

    def __str__(self) -> str:
        return f"{self.convention_id} v{self.number}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.convention.district_code
        super().save(*args, **kwargs)
