"""Case categories (the taxonomy), the Case itself and its append-only CaseEvent log.

The category tree is seeded from the real three-level taxonomy shipped in ``cases/data/``.
Statuses change only through ``services.case_transition`` under the table in ``transitions.py``;
every change appends exactly one ``CaseEvent``, so ``status`` always equals the ``to_status`` of
the case's last event.
"""

import math

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, Floor
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.core import crypto
from grassroots.core.chain import ChainedModel
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


# What waits for a dispatcher (the board, cases.selectors.board_cases_for), besides pending extensions.
BOARD_STATUSES = ("reported", "accepted", "returned", "escalated")

# Map cells of 1/200 degree (about 555 m north-south, 470 m east-west at 32°N): a case's ``cell``.
CELLS_PER_DEGREE = 200
CELL_ROW = 100_000  # a row of cells (one latitude step) apart; longitudes stay within ±36,000 steps


def cell_of(lat: float, lng: float) -> int:
    """The ``cell`` the database stores for a point (the same floor arithmetic)."""
    return math.floor(lat * CELLS_PER_DEGREE) * CELL_ROW + math.floor(lng * CELLS_PER_DEGREE)


def cells_in_box(lat0: float, lat1: float, lng0: float, lng1: float) -> list[int]:
    """Every cell a box touches (a duplicate finder's radius of 250 m touches at most four)."""
    rows = range(math.floor(lat0 * CELLS_PER_DEGREE), math.floor(lat1 * CELLS_PER_DEGREE) + 1)
    cols = range(math.floor(lng0 * CELLS_PER_DEGREE), math.floor(lng1 * CELLS_PER_DEGREE) + 1)
    return [r * CELL_ROW + c for r in rows for c in cols]


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
    address = models.CharField(_("地址"), max_length=200, blank=True, default="",
                               help_text=_("居民填写的地点描述，如“阳光栖谷小区3栋门口”"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    # The map cell of the case's own point (cell_of), kept by the database from lat/lng on every write —
    # a bulk insert or an import included. The duplicate finder reads the few cells around a point
    # (index case_district_cell) instead of every case of a district's recent weeks.
    cell = models.GeneratedField(
        expression=Cast(
            Floor(models.F("lat") * CELLS_PER_DEGREE) * CELL_ROW
            + Floor(models.F("lng") * CELLS_PER_DEGREE), models.BigIntegerField()),
        output_field=models.BigIntegerField(), db_persist=True, verbose_name=_("地图格"))
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
    # tier; ``assigned_unit`` (a unit) or ``assigned_user`` (a Party member personally), when set, is
    # who does the work (the team supervises).
    assigned_area = models.ForeignKey("areas.Area", verbose_name=_("责任网格/社区/街道"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="assigned_cases")
    assigned_unit = models.ForeignKey("orgs.Unit", verbose_name=_("承办单位"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="assigned_cases")
    assigned_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接单党员"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="assigned_cases",
                                      help_text=_("派给个人接单的在职党员（点单-派单-接单）"))
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text=_("接单或就地办理的人"))

    deadline = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True,
                                    help_text=_("当前时限：延期批准或上提后更新"))
    deadline_started_at = models.DateTimeField(_("时限起算时间"), null=True, blank=True, editable=False,
                                               help_text=_("当前时限开始计算的时间：受理、重办、解除挂账或超时上提时"))
    first_deadline = models.DateTimeField(_("初始时限"), null=True, blank=True, editable=False,
                                          help_text=_("受理时按紧急程度算出的时限"))
    overdue = models.BooleanField(_("曾超时"), default=False,
                                  help_text=_("在时限内未答复（超时上提或超时后才答复）"))
    warned_at = models.DateTimeField(_("临期预警时间"), null=True, blank=True, editable=False,
                                     help_text=_("当前时限已发出75%临期预警的时间；时限变更后清空"))
    overdue_at = models.DateTimeField(_("超时记录时间"), null=True, blank=True, editable=False,
                                      help_text=_("当前时限已过、系统已记录超时并督办的时间；时限变更后清空"))
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True, editable=False,
                                        help_text=_("首次受理、接单或就地办理的时间"))
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True,
                                         help_text=_("为空表示未列入督办"))
    extension_requested_until = models.DateTimeField(_("申请延期至"), null=True, blank=True,
                                                     help_text=_("承办方申请延期、尚待审批时的新时限"))
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # True from a receive that left the figures derived from the row (the writers of ``hooks``: the KPI
    # rollups) to the worker, until the worker has run them: a resident's submit does not wait for them.
    # A step taken meanwhile leaves them to the worker too, which counts the case as it is then.
    # (A database default too: a process still on the code before this column inserts without it.)
    writers_pending = models.BooleanField(_("统计待计入"), default=False, db_default=False, editable=False)
    parked_until = models.DateField(_("挂账复查日期"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="duplicates")
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True, default="")
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # Residents' support on channels that show it (a message board's 点赞/点踩, a hotline's 附议):
    # the hot-problem clusters rank by the residents a problem touches (docs/hotspots.md).
    likes = models.PositiveIntegerField(_("点赞数"), default=0, help_text=_("来源渠道上其他居民的点赞/附议数"))
    dislikes = models.PositiveIntegerField(_("点踩数"), default=0)

    # Where it came from outside the platform: a 12345 hotline's own id (imports are idempotent on
    # it), and the key a form or an API client sends so that a double submit creates one case.
    external_source = models.CharField(_("外部系统"), max_length=32, blank=True, default="",
                                       help_text=_("如 12345、Open311 客户端名称"))
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True, default="")
    intake_key = models.CharField(_("提交幂等键"), max_length=64, blank=True, default="", editable=False)
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
            # The few new cases not counted in the figures yet (the sweep's look for any left behind).
            models.Index(fields=["created_at"], name="case_writers_pending",
                         condition=models.Q(writers_pending=True)),
            # Running cases not replied nor flagged overdue yet, by place: the clock's part of the
            # overdue count (assessment.kpis.late_open) is read from these, never from the history.
            models.Index(fields=["area_code", "deadline"], name="case_late_unflagged",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                         condition=models.Q(replied_at__isnull=True, overdue=False)
                         & ~models.Q(status__in=["rejected", "merged", "parked"])),
            # The backlog (not verified, closed, rejected or merged) by place: the command center's
            # open cases per grid and its overdue and supervised list.
            models.Index(fields=["area_code", "deadline"], name="case_open_area",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                         condition=~models.Q(status__in=["verified", "closed", "rejected", "merged"])),
            # A district's newest cases first (Open311's GET requests, the API's lists): read from the
            # end of the index and stopped at the page, whatever the history.
            # The point columns too: the duplicate finder's box over a district's recent cases is read from
            # the index alone (duplicates.selectors._open_near), not from the table's rows.
            models.Index(fields=["district_code", "created_at", "lat", "lng"], name="case_district_created"),
            # The duplicate finder: a district's cases in the cells around a point, by date — the cases
            # near the point, not every case of the window (whose number grows with the intake rate).
            models.Index(fields=["district_code", "cell", "created_at"], name="case_district_cell"),
            # ... and the cases without a point of their own (placed by their building or grid), by date.
            models.Index(fields=["district_code", "created_at"], name="case_district_nopoint",
                         condition=models.Q(lat__isnull=True)),
            # The dispatch board (cases.selectors.board_cases_for): what waits for a dispatcher, oldest
            # deadline first. The condition is the board's own filter word for word, so SQLite's planner
            # matches it too; a street's board reads its backlog, not 100,000 cases of history.
            # It carries the columns a board filters on by place and person, and the case's id, so a
            # street's count and its page's ids are read from the index without visiting the table
            # (PostgreSQL: the ids 10.4 → 4.2 ms at a street's 1,700 waiting cases; SQLite's indexes hold
            # the id anyway).
            models.Index(fields=["deadline", "created_at", "area_code", "assigned_area", "reporter_user",
                                 "assigned_user", "id"], name="case_on_board",
                         condition=models.Q(status__in=BOARD_STATUSES)
                         | models.Q(extension_requested_until__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "external_source", "external_id"],
                                    condition=~models.Q(external_id=""), name="case_external_id_unique"),
            models.UniqueConstraint(fields=["intake_key"], condition=~models.Q(intake_key=""),
                                    name="case_intake_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def status_label(self) -> str:
        """The status's name for a page (``get_status_display`` builds the choices' dict again for each
        row; a board or a list shows hundreds)."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def channel_label(self) -> str:
        """The channel's name for a list row (see ``status_label``)."""
        return CHANNEL_LABELS.get(self.channel, self.channel)

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


STATUS_LABELS = dict(Case.Status.choices)  # lazy labels: each is translated when shown
CHANNEL_LABELS = dict(Channel.choices)


class CaseEvent(ChainedModel):
    """One step of a case's life. Append-only: written by the services, never updated or deleted; chained per
    district (core/chain.py) so ``grassroots audit_verify`` finds a row changed behind the application."""

    chain_fields = ("case_id", "at", "actor_ref", "action", "from_status", "to_status", "note", "public", "data",
                    "district_code")
    chain_refs = {"actor_id": "actor_ref"}

    case = models.ForeignKey(Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", help_text=_("为空表示系统"))
    actor_ref = models.BigIntegerField(_("操作人编号"), null=True, blank=True, editable=False,
                                       help_text=_("操作人账号删除后仍保留"))
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
            models.Index(fields=["district_code", "id"], name="caseevent_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"


def attachment_path(instance: "CaseAttachment", filename: str) -> str:
    """cases/<district>/<yyyy>/<mm>/<random>.<ext>: never the uploader's file name (it may hold a name)."""
    import secrets

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"cases/{instance.district_code or 'x'}/{now:%Y/%m}/{secrets.token_hex(12)}.{ext[:5]}"


class CaseAttachment(models.Model):
    """A photo attached to a case (up to 6 at intake; type and size checked by the service)."""

    case = models.ForeignKey(Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, default="")
    content_type = models.CharField(_("类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    exif_lat = models.FloatField(_("照片纬度"), null=True, blank=True)
    exif_lng = models.FloatField(_("照片经度"), null=True, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    stage = models.CharField(_("环节"), max_length=16, default="report",
                             help_text=_("report：反映时上传；reply：答复时上传"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("诉求附件")
        ordering = ["case", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.original_name or self.file.name}"


class WhistleTask(models.Model):
    """吹哨报到: one summoned unit's part of a whistled case — the lead's or an assisting unit's task,
    with its own deadline and reply. The case replies (and can close) when the lead's task is replied."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        ASSIST = "assist", _("协办单位")

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        REPLIED = "replied", _("已回复")
        CANCELLED = "cancelled", _("已撤销")

    case = models.ForeignKey(Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="whistle_tasks")
    event = models.ForeignKey(CaseEvent, verbose_name=_("吹哨记录"), on_delete=models.PROTECT,
                              related_name="whistle_tasks")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="whistle_tasks")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices)
    task = models.TextField(_("任务"), max_length=2000)
    deadline = models.DateTimeField(_("任务时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("回复"), blank=True, default="", max_length=5000)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回复人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    overdue_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("召集时间"), auto_now_add=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("吹哨任务")
        ordering = ["case", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "unit"], name="whistle_task_unit_once")]
        indexes = [models.Index(fields=["unit", "status"], name="whistle_task_unit_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_role_display()} {self.unit_id}"


class TierRule(models.Model):
    """分级响应: which tier a new case starts at, by category (and its descendants) and urgency.

    The most specific rule wins: a rule for a third-level category beats its second- and first-level
    ancestors, and a rule with an urgency beats one for any urgency. No rule, or no place: the street.
    """

    category = models.ForeignKey(Category, verbose_name=_("事项类别"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="tier_rules",
                                 help_text=_("为空表示所有类别"))
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, blank=True, default="",
                               help_text=_("为空表示任意紧急程度"))
    tier = models.CharField(_("响应层级"), max_length=16, choices=Tier.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("分级响应规则")
        ordering = ["category__code", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], condition=models.Q(category__isnull=False),
                                    name="tier_rule_unique"),
            models.UniqueConstraint(fields=["urgency"], condition=models.Q(category__isnull=True),
                                    name="tier_rule_default_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category or '全部'} · {self.get_urgency_display() or '任意'} → {self.get_tier_display()}"
