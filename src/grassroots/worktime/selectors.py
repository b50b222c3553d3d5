"""Reads: the adapter between the database and the pure functions of ``calendar``.

Other apps compute deadlines through here::

    from grassroots.worktime.selectors import deadline_for
    case.deadline = deadline_for(start=case.received_at, urgency=case.urgency)

A sweep over many cases loads the calendar once and passes it along::

    overrides, limits = overrides_load(), limits_load()
    for case in cases:
        deadline = calendar.deadline_for(case.received_at, case.urgency, limits, overrides)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import level_of_code
from grassroots.core.memo import memoized

from . import calendar
from .calendar import CalendarMissing, HolidayGroup, Limit, Overrides
from .models import CalendarDay, CalendarYear, TimeLimit


def overrides_load() -> Overrides:
    """Every CalendarDay row and every year marked complete (two small queries)."""
    days = {
        row.date: calendar.DayOverride(row.kind, row.name)
        for row in CalendarDay.objects.only("date", "kind", "name")
    }
    years = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    return Overrides(days=days, complete_years=years)


def limits_load() -> dict[str, Limit]:
    return {row.urgency: row.as_limit() for row in TimeLimit.objects.all()}


def limits_current() -> dict[str, Limit]:
    """``limits_load()`` kept in memory for a few seconds (see core/memo.py): every new case needs it."""
    return memoized("worktime.limits", limits_load)


def overrides_current() -> Overrides:
    return memoized("worktime.overrides", overrides_load)


def deadline_for(*, start: datetime, urgency: str, overrides: Overrides | None = None,
                 limits: dict[str, Limit] | None = None) -> datetime:
    """The deadline of a case of ``urgency`` received at ``start``; raises CalendarMissing."""
    return calendar.deadline_for(
        start, urgency, limits if limits is not None else limits_current(),
        overrides if overrides is not None else overrides_current(),
    )


def fraction_elapsed_for(*, start: datetime, deadline: datetime, now: datetime, urgency: str,
                         overrides: Overrides | None = None) -> float:
    """Share of the limit used (0.0–1.0), in working time when the urgency counts working days."""
    limit = TimeLimit.objects.filter(urgency=urgency).first()
    unit = limit.unit if limit else calendar.WORKING_DAYS
    return calendar.fraction_elapsed(start, deadline, now, unit=unit,
                                     overrides=overrides if overrides is not None else overrides_load())


def can_edit_calendar(user) -> bool:
    """Superusers, and users who manage registers at a whole district (the calendar is district-wide)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    return any(level_of_code(code) == "district" for code in scope.codes(Capability.MANAGE_REGISTERS))


def actor_district(user) -> str:
    """The district code recorded on the audit row of a calendar change ("" for a superuser)."""
    codes = sorted(c for c in scope_for(user).codes(Capability.MANAGE_REGISTERS)
                   if level_of_code(c) == "district")
    return codes[0] if codes else ""


@dataclass
class YearStatus:
    year: int
    source: str  # "library", "table" or "missing"
    override_count: int
    groups: list[HolidayGroup]
    error: str = ""

    @property
    def missing(self) -> bool:
        return self.source == "missing"


def year_status(year: int, overrides: Overrides) -> YearStatus:
    """Where the calendar of ``year`` comes from, and its holidays when it is known."""
    count = sum(1 for d in overrides.days if d.year == year)
    if calendar.library_covers(year):
        source = "library"
    elif year in overrides.complete_years:
        source = "table"
    else:
        return YearStatus(year, "missing", count, [], str(CalendarMissing(year)))
    return YearStatus(year, source, count, calendar.holiday_groups(calendar.year_days(year, overrides)))


def calendar_days_from(first: date):
    return CalendarDay.objects.filter(date__gte=first).select_related("updated_by")
