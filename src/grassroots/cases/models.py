"""Case categories (the taxonomy), the Case itself and its append-only CaseEvent log.

The category tree is seeded from the real three-level taxonomy shipped in ``cases/data/``.
Statuses change only through ``services.case_transition`` under the table in ``transitions.py``;
every change appends exactly one ``CaseEvent``, so ``status`` always equals the ``to_status`` of
the case's last event.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core import crypto
from grassroots.core.sensitive import get_sensitive, set_sensitive
from grassroots.worktime.models import Urgency


class Category(models.Model):
    code = models.CharField(_("编码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("级别"))
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = _("事项类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def path_names(self) -> list[str]:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]


class Channel(models.TextChoices):
    RESIDENT_WEB = "resident_web", _("居民网页")
    PATROL = "patrol", _("网格巡查")
    WOODPECKER = "woodpecker", _("啄木鸟随手拍")
    HOTLINE = "hotline", _("12345热线")
    WALK_IN = "walk_in", _("服务站窗口")
    OPEN311 = "open311", _("Open311")
    API = "api", _("系统对接")


class Tier(models.TextChoices):
    """分级响应: 需求收集在楼院、小事协商在网格、大事解决在社区、难事化解在街道、专业事项到部门."""

    BUILDING = "building", _("楼院")
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("部门")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


def mask_name(value: str) -> str:
    """张*, 张*明, 欧阳**: the surname and, for three characters or more, the last character."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


class Case(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("已上报")
        ACCEPTED = "accepted", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        IN_PROGRESS = "in_progress", _("办理中")
        REPLIED = "replied", _("已答复")
        VERIFIED = "verified", _("已核实")
        CLOSED = "closed", _("已办结")
        RETURNED = "returned", _("已退单")
        EXTENDED = "extended", _("已延期")
        PARKED = "parked", _("挂账")
        ESCALATED = "escalated", _("已上提")
        WHISTLED = "whistled", _("吹哨中")
        REOPENED = "reopened", _("已重办")
        REJECTED = "rejected", _("不予受理")
        MERGED = "merged", _("已合并")

    code = models.CharField(_("编号"), max_length=24, unique=True)
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False,
                                     help_text=_("居民凭此码查看办理进度并评价，不可猜测"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=5000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REPORTED,
                              db_index=True)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices,
                               default=Channel.RESIDENT_WEB)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.GENERAL)
    tier = models.CharField(_("响应层级"), max_length=16, choices=Tier.choices, default=Tier.GRID)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    area = models.ForeignKey("areas.Area", verbose_name=_("所在网格/区域"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cases")
    # The area's code (or the district's code when the place is unknown): scope filters are one
    # indexed prefix match on this column, without a join.
    area_code = models.CharField(_("区域编码"), max_length=22, editable=False, default="")
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    # Who reported it. The contact's name and phone are encrypted at rest and masked for display;
    # ``anonymous`` hides the name from handlers (it is kept for the call-back).
    reporter = models.ForeignKey("people.Person", verbose_name=_("反映人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="cases")
    reporter_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("居民账号"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="reported_cases",
                                      help_text=_("跟踪进度并评价的账号"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    contact_name_enc = models.TextField(_("联系人（密文）"), blank=True, default="", editable=False)
    contact_name_masked = models.CharField(_("联系人"), max_length=60, blank=True, default="", editable=False)
    contact_phone_enc = models.TextField(_("联系电话（密文）"), blank=True, default="", editable=False)
    contact_phone_index = models.CharField(_("联系电话（索引）"), max_length=64, blank=True, default="",
                                           db_index=True, editable=False)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=32, blank=True, default="",
                                            editable=False)

    # Who holds it. ``assigned_area`` is the grid/community/street team that owns the case at its
    # tier; ``assigned_unit``, when set, is the unit doing the work (the team supervises).
    assigned_area = models.ForeignKey("areas.Area", verbose_name=_("责任网格/社区/街道"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="assigned_cases")
    assigned_unit = models.ForeignKey("orgs.Unit", verbose_name=_("承办单位"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="assigned_cases")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text=_("接单或就地办理的人"))

    deadline = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    parked_until = models.DateField(_("挂账复查日期"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="duplicates")
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True, default="")
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("诉求")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["district_code", "status"], name="case_district_status"),
            models.Index(fields=["area_code"], name="case_area_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["assigned_unit", "status"], name="case_unit_status"),
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def set_contact(self, *, name: str = "", phone: str = "") -> None:
        self.contact_name_enc = crypto.encrypt((name or "").strip())
        self.contact_name_masked = mask_name(name)
        set_sensitive(self, "contact_phone", phone, crypto.mask_phone)

    def plain_contact(self) -> tuple[str, str]:
        """The decrypted name and phone, for the call-back. Callers must check and audit the access."""
        return crypto.decrypt(self.contact_name_enc), get_sensitive(self, "contact_phone")

    @property
    def scope_code(self) -> str:
        """The code scope rules match against: the case's place, else its district."""
        return self.area_code or self.district_code


class CaseEvent(models.Model):
    """One step of a case's life. Append-only: written by the services, never updated or deleted."""

    case = models.ForeignKey(Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", help_text=_("为空表示系统"))
    action = models.CharField(_("操作"), max_length=24, db_index=True)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True, choices=Case.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Case.Status.choices)
    note = models.TextField(_("说明"), blank=True, default="", max_length=5000)
    public = models.BooleanField(_("居民可见"), default=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at"),
            models.Index(fields=["district_code", "action", "at"], name="caseevent_district_action"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"
