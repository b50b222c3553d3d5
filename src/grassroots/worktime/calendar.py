"""Working days, working hours and deadlines: pure functions, no database.

The statutory calendar comes from the ``chinese_calendar`` package (holidays and make-up workdays
published each year by the State Council). Years the package does not know yet are filled in by
administrators: ``Overrides`` carries their rows (``CalendarDay``) and the years they have marked
complete (``CalendarYear``); ``selectors.overrides_load()`` builds it from the database.

Rules (docs/worktime.md explains them for people):

* An override row decides its date, whatever the package says.
* Otherwise the package decides, for the years it covers.
* Otherwise, in a year an administrator marked complete, Monday–Friday work and weekends rest.
* Otherwise the year is unknown and ``CalendarMissing`` is raised: never guess a holiday calendar.
* Working-day limits count from the day after receipt (受理当日不计入, as 12345 hotlines do): the
  deadline is the close of business (17:30) of the n-th working day after the day of receipt.
* Hour limits are calendar hours: the deadline is the start plus that many hours, nights and
  holidays included.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import Holiday

TZ = ZoneInfo("Asia/Shanghai")

# Office hours of street and community staff (Asia/Shanghai). Constants on purpose: they are the
# same across a district and change rarely; a change is a code review, not a setting.
WORKING_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
DAY_START = WORKING_PERIODS[0][0]
DAY_END = WORKING_PERIODS[-1][1]
# Office hours in one working day (Asia/Shanghai keeps no summer time: every day has them all).
WORKING_DAY_SECONDS = float(sum((closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) * 60
                                for opens, closes in WORKING_PERIODS))

HOLIDAY = "holiday"
WORKDAY = "workday"
HOURS = "hours"
WORKING_DAYS = "working_days"

_HOLIDAY_NAMES = {h.value: h.chinese for h in Holiday}


class CalendarMissing(Exception):
    """The holiday calendar of ``year`` is neither in chinese_calendar nor entered by an admin."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年的法定节假日安排尚未录入，请在工作日历中补录后再计算期限")


@dataclass(frozen=True)
class DayOverride:
    kind: str  # HOLIDAY or WORKDAY
    name: str = ""


@dataclass(frozen=True)
class Overrides:
    """The admin-entered calendar: per-date rows and the years marked complete."""

    days: Mapping[date, DayOverride] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()


NO_OVERRIDES = Overrides()


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # HOURS or WORKING_DAYS


@dataclass(frozen=True)
class DayInfo:
    date: date
    working: bool
    name: str  # 国庆节, 春节, … ; "" for an ordinary day
    source: str  # "override", "library" or "weekday"


# ---------------------------------------------------------------------------------------- days


# The library's answers never change in a process (they come with the installed package), and a board
# of 50 cases asks them about a thousand times: kept per process. The admin's corrections (overrides)
# are looked at before them on every call.
@lru_cache(maxsize=64)
def library_covers(year: int) -> bool:
    """True when chinese_calendar has the holiday arrangement of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def year_covered(year: int, overrides: Overrides = NO_OVERRIDES) -> bool:
    return library_covers(year) or year in overrides.complete_years


@lru_cache(maxsize=8192)
def library_day(day: date) -> DayInfo:
    """What chinese_calendar says about ``day``; NotImplementedError outside its years."""
    resting, name = chinese_calendar.get_holiday_detail(day)
    return DayInfo(day, not resting, _HOLIDAY_NAMES.get(name, name or ""), "library")


def day_info(day: date, overrides: Overrides = NO_OVERRIDES) -> DayInfo:
    """Whether ``day`` is a working day, why, and the holiday's name; raises CalendarMissing."""
    row = overrides.days.get(day)
    if row is not None:
        return DayInfo(day, row.kind == WORKDAY, row.name, "override")
    if library_covers(day.year):
        return library_day(day)
    if day.year in overrides.complete_years:
        return DayInfo(day, day.weekday() < 5, "", "weekday")
    raise CalendarMissing(day.year)


def is_working_day(day: date, overrides: Overrides = NO_OVERRIDES) -> bool:
    return day_info(day, overrides).working


def working_days_after(day: date, overrides: Overrides = NO_OVERRIDES) -> Iterator[date]:
    """The working days strictly after ``day``, in order (endless)."""
    while True:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            yield day


def next_working_day(day: date, overrides: Overrides = NO_OVERRIDES) -> date:
    return next(working_days_after(day, overrides))


def working_days_between(start: date, end: date, overrides: Overrides = NO_OVERRIDES) -> int:
    """Working days d with start < d <= end (negative when end is before start).

    It is the inverse of ``add_working_days``: the deadline of an n-working-day limit received on
    ``start`` falls on a day ``end`` with ``working_days_between(start, end) == n``.
    """
    if end < start:
        return -working_days_between(end, start, overrides)
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(1 for d in days if is_working_day(d, overrides))


# ----------------------------------------------------------------------------------- datetimes


def local(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; refuses naive datetimes (their meaning is a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("需要带时区的时间（aware datetime）")
    return moment.astimezone(TZ)


def at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=TZ)


def add_hours(start: datetime, hours: float) -> datetime:
    """Calendar hours: nights, weekends and holidays count."""
    return local(local(start) + timedelta(hours=hours))


def add_working_days(start: datetime, n: int, overrides: Overrides = NO_OVERRIDES) -> datetime:
    """Close of business of the n-th working day after the day of ``start`` (n >= 1)."""
    if n < 1:
        raise ValueError("工作日数应至少为1")
    days = working_days_after(local(start).date(), overrides)
    for _ in range(n - 1):
        next(days)
    return at(next(days), DAY_END)


def deadline_after(start: datetime, limit: Limit, overrides: Overrides = NO_OVERRIDES) -> datetime:
    if limit.unit == HOURS:
        return add_hours(start, limit.amount)
    if limit.unit == WORKING_DAYS:
        return add_working_days(start, limit.amount, overrides)
    raise ValueError(f"未知的期限单位：{limit.unit}")


def deadline_for(start: datetime, urgency: str, limits: Mapping[str, Limit],
                 overrides: Overrides = NO_OVERRIDES) -> datetime:
    """The deadline of a case of ``urgency`` received at ``start`` (``limits`` from TimeLimit)."""
    try:
        limit = limits[urgency]
    except KeyError:
        raise ValueError(f"未设置“{urgency}”的办理时限") from None
    return deadline_after(start, limit, overrides)


def working_seconds(start: datetime, end: datetime, overrides: Overrides = NO_OVERRIDES) -> float:
    """Seconds of office hours on working days between ``start`` and ``end`` (0 when end <= start).
    Only the first and the last day are cut by ``start`` and ``end``; a working day in between counts
    whole (a page of 50 cases walks their limits three times each: the dispatch board)."""
    start, end = local(start), local(end)
    if end <= start:
        return 0.0
    first, last = start.date(), end.date()
    total = 0.0
    day = first
    while day <= last:
        if is_working_day(day, overrides):
            if first < day < last:
                total += WORKING_DAY_SECONDS
            else:
                for opens, closes in WORKING_PERIODS:
                    lo, hi = max(start, at(day, opens)), min(end, at(day, closes))
                    total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


def clock_start(start: datetime, overrides: Overrides = NO_OVERRIDES) -> datetime:
    """When a working-day limit starts to run: opening time of the first working day after receipt."""
    return at(next_working_day(local(start).date(), overrides), DAY_START)


def fraction_elapsed(start: datetime, deadline: datetime, now: datetime, *, unit: str = WORKING_DAYS,
                     overrides: Overrides = NO_OVERRIDES) -> float:
    """How much of the time limit has been used, between 0.0 and 1.0 (1.0 once the deadline passed).

    Hour limits measure calendar time; working-day limits measure office hours on working days from
    ``clock_start``, so a case is not 30 % used up by a weekend. Warn at 0.75; overdue is
    ``now >= deadline``.
    """
    if local(now) >= local(deadline):
        return 1.0
    if unit == HOURS:
        used, allowed = (local(now) - local(start)).total_seconds(), (deadline - start).total_seconds()
    else:
        begin = clock_start(start, overrides)
        used, allowed = working_seconds(begin, now, overrides), working_seconds(begin, deadline, overrides)
    if allowed <= 0:
        return 1.0
    return min(1.0, max(0.0, used / allowed))


# ------------------------------------------------------------------------------ year summaries


def year_days(year: int, overrides: Overrides = NO_OVERRIDES) -> list[DayInfo]:
    """The special days of ``year``: named holidays, make-up workdays and every override row.

    Raises CalendarMissing when the year is not covered (override rows alone are not a calendar).
    """
    if not year_covered(year, overrides):
        raise CalendarMissing(year)
    day, out = date(year, 1, 1), []
    while day.year == year:
        info = day_info(day, overrides)
        if info.source == "override" or (info.name and (not info.working or day.weekday() >= 5)):
            out.append(info)
        day += timedelta(days=1)
    return out


@dataclass
class HolidayGroup:
    """One named holiday of a year: its days off (as date ranges) and its make-up workdays."""

    name: str
    rest: list[tuple[date, date]] = field(default_factory=list)
    work: list[date] = field(default_factory=list)


def holiday_groups(days: list[DayInfo]) -> list[HolidayGroup]:
    """Group special days by holiday name, merging consecutive days off into ranges; the groups
    come in the order of their first day off (make-up days may fall before it)."""
    groups: dict[str, HolidayGroup] = {}
    for info in sorted(days, key=lambda i: i.date):
        group = groups.setdefault(info.name, HolidayGroup(info.name))
        if info.working:
            group.work.append(info.date)
        elif group.rest and group.rest[-1][1] + timedelta(days=1) == info.date:
            group.rest[-1] = (group.rest[-1][0], info.date)
        else:
            group.rest.append((info.date, info.date))
    return sorted(groups.values(), key=lambda g: g.rest[0][0] if g.rest else g.work[0])
