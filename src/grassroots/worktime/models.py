"""The working calendar administrators maintain, and the time limits by urgency.

The calendar is national (the State Council publishes one holiday arrangement a year), so these
tables carry no district: a few dozen rows a year, read whole by ``selectors.overrides_load()``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import calendar


class DayKind(models.TextChoices):
    HOLIDAY = calendar.HOLIDAY, _("放假")
    WORKDAY = calendar.WORKDAY, _("上班（调休）")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("紧急")
    UTILITY = "utility", _("水电气热")
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂")


class LimitUnit(models.TextChoices):
    HOURS = calendar.HOURS, _("小时（自然时间）")
    WORKING_DAYS = calendar.WORKING_DAYS, _("工作日")


UNIT_SHORT = {LimitUnit.HOURS: _("小时"), LimitUnit.WORKING_DAYS: _("个工作日")}


class CalendarDay(models.Model):
    """One date whose status an administrator sets: a day off, or a make-up working day.

    Takes precedence over chinese_calendar, so it both fills years the package does not cover and
    corrects a date the package has wrong.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("节日名称"), max_length=50, blank=True, help_text=_("如：国庆节、春节"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("工作日历（调整日）")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """An administrator's statement that every holiday and make-up workday of ``year`` is entered.

    Only for years chinese_calendar does not cover: until the row says ``complete``, deadlines that
    reach into the year raise CalendarMissing instead of treating every weekday as a working day.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    complete = models.BooleanField(_("已录入完整"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如：依据国务院办公厅通知（国办发明电〔2026〕×号）"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("工作日历（年度）")
        ordering = ["year"]

    def __str__(self) -> str:
        state = _("已录入完整") if self.complete else _("未完成")
        return f"{self.year}年（{state}）"


class TimeLimit(models.Model):
    """The time limit of one urgency. Seeded with 12345 practice; administrators may change it."""

    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, unique=True)
    label = models.CharField(_("名称"), max_length=30)
    amount = models.PositiveIntegerField(_("时限"), validators=[MinValueValidator(1), MaxValueValidator(1000)])
    unit = models.CharField(_("单位"), max_length=16, choices=LimitUnit.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("办理时限")
        ordering = ["position", "urgency"]

    def __str__(self) -> str:
        return f"{self.label}：{self.amount}{UNIT_SHORT.get(self.unit, self.unit)}"

    def as_limit(self) -> calendar.Limit:
        return calendar.Limit(self.amount, self.unit)
