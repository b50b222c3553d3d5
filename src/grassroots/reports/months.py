"""Calendar months in Asia/Shanghai: "2026-03" ↔ the assessment's ``Period`` of that month."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

from grassroots.assessment.periods import Period

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_shift(month: str, months: int) -> str:
    year, mon = month_bounds_ym(month)
    index = year * 12 + mon - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(day: date) -> str:
    """The month before the one ``day`` is in (the month a report made on ``day`` is about)."""
    return month_shift(month_of(day), -1)


def month_bounds_ym(month: str) -> tuple[int, int]:
    match = MONTH_RE.match((month or "").strip())
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ValidationError({"month": [f"月份“{month}”格式不对，应为 YYYY-MM，如 2026-03"]})
    return int(match[1]), int(match[2])


def month_parse(month: str, *, today: date) -> str:
    """A month that has begun ("2026-03"), or ValidationError keyed ``month`` in Chinese."""
    year, mon = month_bounds_ym(month)
    value = f"{year:04d}-{mon:02d}"
    if value > month_of(today):
        raise ValidationError({"month": [f"{value} 还没有开始，只能生成本月及以前的月度报告"]})
    return value


def month_period(month: str) -> Period:
    year, mon = month_bounds_ym(month)
    start = date(year, mon, 1)
    end = date(year + (mon == 12), 1 if mon == 12 else mon + 1, 1)
    return Period(start, end)


def month_label(month: str) -> str:
    year, mon = month_bounds_ym(month)
    return f"{year}年{mon}月"
