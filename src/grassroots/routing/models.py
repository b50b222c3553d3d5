"""The routing app's tables: trained models (the store), the training jobs, each street's
auto-dispatch settings and per-category thresholds, the suggestions made for each new case, and
the dispatchers' corrections that the next training learns from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_THRESHOLD = 0.85  # a new case is dispatched automatically at or above this confidence


class RoutingModel(models.Model):
    """One trained model, as a versioned blob with its figures. One active row per kind."""

    class Kind(models.TextChoices):
        CATEGORY = "category", _("类别分类器")
        UNIT = "unit", _("承办单位推荐")

    class Source(models.TextChoices):
        COLD_START = "cold_start", _("冷启动样本")
        MIXED = "mixed", _("冷启动样本＋已办结诉求与纠正")
        HISTORY = "history", _("已办结诉求与纠正")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    version = models.CharField(_("版本"), max_length=40)
    trained_at = models.DateTimeField(_("训练时间"))
    train_size = models.PositiveIntegerField(_("训练数据量"))
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices)
    labels = models.JSONField(_("类别"), default=list, blank=True)
    evaluation = models.JSONField(_("评估结果"), default=dict, blank=True)
    details = models.JSONField(_("训练说明"), default=dict, blank=True,
                               help_text=_("各来源的数量、标签层级、使用的纠正条数"))
    blob = models.BinaryField(_("模型数据"))
    active = models.BooleanField(_("当前使用"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = _("分派模型")
        ordering = ["-trained_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(active=True), name="routing_one_active_model"),
            models.UniqueConstraint(fields=["kind", "version"], name="routing_model_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class TrainingJob(models.Model):
    """A training run asked for by staff ("retrain now") or by the schedule; run by the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("训练中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=60, blank=True, default="")
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_by = models.CharField(_("执行者"), max_length=100, blank=True, default="")
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    queued_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("训练任务")
        ordering = ["-queued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_status_display()}"


class StreetSettings(models.Model):
    """A street's auto-dispatch policy (street staff edit it; community staff only read it)."""

    class Policy(models.TextChoices):
        UNCATEGORISED = "uncategorised", _("仅对未分类的诉求自动分类派单")
        ALL = "all", _("所有新诉求（置信度达标时按模型类别派单）")
        OFF = "off", _("不自动派单，只给出建议")

    street = models.OneToOneField("areas.Area", verbose_name=_("街道"), on_delete=models.CASCADE,
                                  related_name="routing_settings")
    policy = models.CharField(_("自动派单"), max_length=16, choices=Policy.choices, default=Policy.UNCATEGORISED)
    default_threshold = models.FloatField(_("默认置信度阈值"), default=DEFAULT_THRESHOLD)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = _("街道自动派单设置")

    def __str__(self) -> str:
        return f"{self.street} {self.get_policy_display()}"


class CategoryThreshold(models.Model):
    """The confidence a prediction of this category (or a category below it) needs in this street."""

    street = models.ForeignKey("areas.Area", verbose_name=_("街道"), on_delete=models.CASCADE,
                               related_name="routing_thresholds")
    category = models.ForeignKey("cases.Category", verbose_name=_("事项类别"), on_delete=models.CASCADE,
                                 related_name="+")
    threshold = models.FloatField(_("置信度阈值"))
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("类别置信度阈值")
        ordering = ["street", "category__code"]
        constraints = [models.UniqueConstraint(fields=["street", "category"], name="routing_threshold_once")]

    def __str__(self) -> str:
        return f"{self.street} · {self.category} ≥ {self.threshold:.2f}"


class RoutingSuggestion(models.Model):
    """What routing proposed for a new case (top 3 categories, each with its suggested unit) and
    what it did, so that the board and the case page show it without computing again."""

    class Decision(models.TextChoices):
        AUTO = "auto", _("已自动分类派单")
        CATEGORISED = "categorised", _("已自动分类（疑似重复，未派单）")
        SUGGESTED = "suggested", _("置信度不足，请人工确认")
        POLICY = "policy", _("按街道设置不自动派单")
        FAILED = "failed", _("自动派单未成功，请人工处理")

    case = models.OneToOneField("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE,
                                related_name="routing_suggestion")
    model_version = models.CharField(_("分类模型版本"), max_length=40)
    unit_model_version = models.CharField(_("单位推荐版本"), max_length=40, blank=True, default="")
    items = models.JSONField(_("建议"), default=list,
                             help_text=_("[{category, code, path, p, unit, unit_name, unit_p, unit_basis}]"))
    top_confidence = models.FloatField(_("最高置信度"))
    threshold = models.FloatField(_("阈值"))
    decision = models.CharField(_("处理"), max_length=16, choices=Decision.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True, default="")
    applied_rank = models.PositiveSmallIntegerField(_("采用第几条"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("采用人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("分派建议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_decision_display()}"

    def item_for(self, category_id: int | None) -> dict | None:
        return next((i for i in self.items if i.get("category") == category_id), None)


class RoutingCorrection(models.Model):
    """A dispatcher chose another category, or another holder, than routing suggested or chose."""

    class Kind(models.TextChoices):
        CATEGORY = "category", _("类别")
        UNIT = "unit", _("承办单位")

    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE,
                             related_name="routing_corrections")
    kind = models.CharField(_("纠正内容"), max_length=12, choices=Kind.choices)
    predicted_category = models.ForeignKey("cases.Category", verbose_name=_("模型类别"), null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    chosen_category = models.ForeignKey("cases.Category", verbose_name=_("人工类别"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    predicted_unit = models.ForeignKey("orgs.Unit", verbose_name=_("推荐单位"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    chosen_unit = models.ForeignKey("orgs.Unit", verbose_name=_("实际派给单位"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    chosen_area = models.ForeignKey("areas.Area", verbose_name=_("实际派给网格/社区/街道"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    was_auto = models.BooleanField(_("纠正的是自动派单"), default=False)
    model_version = models.CharField(_("模型版本"), max_length=40, blank=True, default="")
    used_in_version = models.CharField(_("已用于训练的版本"), max_length=40, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("纠正人"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    area_code = models.CharField(_("区域编码"), max_length=22, default="")
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("分派纠正")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["area_code"], name="routing_corr_area",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"
