"""The period of an assessment: cases *received* (上报) in [start, end), dates in Asia/Shanghai.

``start`` is the first day counted, ``end`` the first day not counted, so a month is
``2026-03-01`` → ``2026-04-01`` and consecutive periods never overlap or leave a gap. Pages and the
API accept a preset (``month``, ``last_month``, ``quarter``, ``year``) or ``start``/``end`` dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grassroots.core.params import bounded_date

TZ = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 366 * 5 + 1
PRESETS = {
    "month": _("本月"),
    "last_month": _("上月"),
    "quarter": _("本季度"),
    "year": _("本年"),
}
DEFAULT_PRESET = "month"
EARLY_DAYS = 5  # in a month's first days there is little to rank yet: the default is last month


def default_preset(today: date) -> str:
    """This month — except in its first EARLY_DAYS days, when last month (the one a monthly
    assessment is about) is what a leader opening the page wants to see."""
    return "last_month" if today.day <= EARLY_DAYS else DEFAULT_PRESET


@dataclass(frozen=True)
class Period:
    start: date  # first day counted
    end: date  # first day not counted
    preset: str = ""  # the preset it came from, or "" for a custom range

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0, 0), tzinfo=TZ)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(0, 0), tzinfo=TZ)

    @property
    def last_day(self) -> date:
        """The last day counted (for display: 「2026-03-01 至 2026-03-31」)."""
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.last_day:%Y-%m-%d}"

    def previous(self) -> Period:
        """The period just before, of the same length: the month before a calendar month (or months),
        else as many days before."""
        if self.start.day == 1 and self.end.day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
            return Period(_add_months(self.start, -months), self.start)
        return Period(self.start - (self.end - self.start), self.start)

    def query(self) -> dict[str, str]:
        """The query parameters that give this period back."""
        if self.preset:
            return {"period": self.preset}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def preset_period(preset: str, today: date) -> Period:
    if preset == "month":
        start = _month_start(today)
        return Period(start, _add_months(start, 1), preset)
    if preset == "last_month":
        start = _month_start(today, 1)
        return Period(start, _add_months(start, 1), preset)
    if preset == "quarter":
        start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return Period(start, _add_months(start, 3), preset)
    if preset == "year":
        return Period(date(today.year, 1, 1), date(today.year + 1, 1, 1), preset)
    raise ValidationError({"period": f"未知的统计周期“{preset}”，可选：本月、上月、本季度、本年或自定义起止日期"})


def _date(value: str, key: str, label: str) -> date:
    try:
        return bounded_date(value, label=label)
    except ValidationError as exc:
        raise ValidationError({key: exc.messages}) from None


def period_parse(*, today: date, preset: str = "", start: str = "", end: str = "") -> Period:
    """The period a request asks for: ``start``/``end`` when given (both), else the preset, else
    the default (``default_preset``). Raises ValidationError with a Chinese message keyed by the parameter."""
    start, end, preset = (start or "").strip(), (end or "").strip(), (preset or "").strip()
    if start or end:
        if not start:
            raise ValidationError({"start": "请填写开始日期（含当天）"})
        if not end:
            raise ValidationError({"end": "请填写结束日期（不含当天，如统计3月填 4月1日）"})
        first, stop = _date(start, "start", "开始日期"), _date(end, "end", "结束日期")
        if stop <= first:
            raise ValidationError({"end": "结束日期应晚于开始日期（结束日期当天不计入）"})
        if (stop - first).days > MAX_DAYS:
            raise ValidationError({"end": "统计区间不能超过5年"})
        return Period(first, stop)
    if preset and preset != "custom":
        return preset_period(preset, today)
    return preset_period(default_preset(today), today)


def period_from(params, *, today: date) -> tuple[Period, str]:
    """The period a page's query asks for (``period`` or ``start``/``end``), or — when it is wrong —
    the default period and the Chinese message saying why (pages show both; the API answers 422)."""
    try:
        return period_parse(today=today, preset=params.get("period", ""), start=params.get("start", ""),
                            end=params.get("end", "")), ""
    except ValidationError as exc:
        return preset_period(default_preset(today), today), "；".join(exc.messages)
