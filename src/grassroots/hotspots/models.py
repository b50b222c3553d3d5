"""每月一题: a rising problem or a cluster a street promotes to its "problem of the month", with a
lead department, a plan and a deadline, tracked to done.

The states are a small explicit table (``transitions.py``); every write goes through
``services.py``, which appends one ``MonthlyProblemUpdate`` (who, when, from → to, note) and one
audit row in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlyProblem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("已立项")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    class Source(models.TextChoices):
        RISING = "rising", _("上升问题")
        CLUSTER = "cluster", _("多发问题")

    street = models.ForeignKey("areas.Area", verbose_name=_("街道"), on_delete=models.PROTECT,
                               related_name="monthly_problems")
    title = models.CharField(_("题目"), max_length=120)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    # What was promoted: "rising:<area code>:<category code>:<week>" or "cluster:<week>:<first case id>".
    # One street promotes the same hot problem once (a double-clicked button creates one).
    source_key = models.CharField(_("来源标识"), max_length=80, editable=False)
    source_data = models.JSONField(_("来源数据"), default=dict, blank=True, editable=False)
    category = models.ForeignKey("cases.Category", verbose_name=_("类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    lead_unit = models.ForeignKey("orgs.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                                  related_name="monthly_problems")
    plan = models.TextField(_("工作方案"), max_length=3000)
    deadline = models.DateField(_("完成时限"))
    month = models.CharField(_("月份"), max_length=7, help_text=_("立项的月份，如 2026-11"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED,
                              db_index=True)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("关联诉求"), related_name="monthly_problems",
                                   blank=True, through="MonthlyProblemCase")
    residents = models.PositiveIntegerField(_("涉及群众"), default=0,
                                            help_text=_("立项时关联诉求的反映人数加点赞数"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("立项人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始推进时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("每月一题")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["street", "source_key"], name="monthly_problem_source_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.title}"

    @property
    def overdue(self) -> bool:
        """Past its deadline and not done (shown as 已逾期; the state stays what it is)."""
        return self.status != self.Status.DONE and self.deadline < timezone.localdate()


class MonthlyProblemCase(models.Model):
    """A case linked to a monthly problem: the table Django made for ``MonthlyProblem.cases`` (same name
    and columns), with the problem's district (the shard key). Writers pass it in ``through_defaults``."""

    problem = models.ForeignKey(MonthlyProblem, on_delete=models.CASCADE, db_column="monthlyproblem_id",
                                related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        db_table = "hotspots_monthlyproblem_cases"
        unique_together = [("problem", "case")]
        verbose_name = verbose_name_plural = _("关联诉求")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.case_id}"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.problem.district_code
        super().save(*args, **kwargs)


class MonthlyProblemUpdate(models.Model):
    """One step of a problem of the month: promotion, start, a progress report, completion.
    Append-only: written by the services, never changed."""

    problem = models.ForeignKey(MonthlyProblem, verbose_name=_("每月一题"), on_delete=models.CASCADE,
                                related_name="updates")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True, choices=MonthlyProblem.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=MonthlyProblem.Status.choices)
    note = models.TextField(_("进展说明"), max_length=2000, blank=True, default="")
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("每月一题进展")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.action} {self.from_status}→{self.to_status}"
