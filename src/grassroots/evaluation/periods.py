"""The period a ranking covers: ``start`` and ``end`` dates in Asia/Shanghai, ``end`` exclusive;
this month by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from grassroots.core.params import bounded_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONGEST = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time(), tzinfo=SHANGHAI)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, datetime.min.time(), tzinfo=SHANGHAI)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def this_month(today: date | None = None) -> Period:
    today = today or timezone.now().astimezone(SHANGHAI).date()
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return Period(start, end)


def _day(raw, field: str, label: str, errors: dict) -> date | None:
    try:
        return bounded_date(raw, label=label)  # a year of 1 or 9999 is refused: its month would overflow
    except ValidationError as exc:
        errors[field] = exc.messages
        return None


def period_from(start="", end="", *, today: date | None = None) -> Period:
    """The period the request names (either date may be left out: this month's), or a ValidationError
    keyed by ``start``/``end`` in Chinese."""
    errors: dict = {}
    first = _day(start, "start", "开始日期", errors)
    after = _day(end, "end", "结束日期", errors)
    if errors:
        raise ValidationError(errors)
    default = this_month(today)
    if first is None and after is None:
        return default
    if first is None:
        first = (after - timedelta(days=1)).replace(day=1)
    if after is None:
        after = (first + timedelta(days=32)).replace(day=1)
    if after <= first:
        raise ValidationError({"end": ["结束日期（不含）应晚于开始日期"]})
    if after - first > LONGEST:
        raise ValidationError({"end": ["时间段最长三年，请缩短"]})
    return Period(first, after)
