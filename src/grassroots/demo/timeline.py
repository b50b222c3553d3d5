"""Moments for the demo's walk: office hours, and when the time-limit sweep would act.

Pure functions over ``worktime.calendar`` (the same rules the engine uses): ``next_office_moment``
for staff steps, ``warn_moment`` for the sweep's 75 % warning (the inverse of
``calendar.fraction_elapsed``), ``sweep_delay`` for "the worker runs once a minute".
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from grassroots.worktime import calendar

WARN_AT = 0.75  # cases.sweep.WARN_AT


def is_working_day(day, overrides) -> bool:
    try:
        return calendar.is_working_day(day, overrides)
    except calendar.CalendarMissing:
        return day.weekday() < 5


def next_office_moment(t: datetime, rng: random.Random, overrides) -> datetime:
    """``t`` if it falls in office hours of a working day, else a few minutes after the next opening."""
    local = calendar.local(t)
    for _ in range(40):
        if is_working_day(local.date(), overrides):
            for opens, closes in calendar.WORKING_PERIODS:
                start, stop = calendar.at(local.date(), opens), calendar.at(local.date(), closes)
                if local < start:
                    return start + timedelta(minutes=rng.uniform(2, 50))
                if local < stop:
                    return local
        local = calendar.at(local.date() + timedelta(days=1), time(0, 0))
    return local


def warn_moment(start: datetime, deadline: datetime, unit: str, overrides) -> datetime:
    """The first moment at which ``calendar.fraction_elapsed`` reaches ``WARN_AT``; ``deadline`` (no
    warning before it) when the span reaches into a year whose holidays are not entered: the sweep
    cannot tell the fraction then either, and warns of none (cases/sweep.py)."""
    if unit == calendar.HOURS:
        return start + (deadline - start) * WARN_AT
    try:
        begin = calendar.clock_start(start, overrides)
        target = calendar.working_seconds(begin, deadline, overrides) * WARN_AT
    except calendar.CalendarMissing:  # a deadline extended past the years known (casework.extend)
        return deadline
    if target <= 0:
        return deadline
    day, used = calendar.local(begin).date(), 0.0
    end_day = calendar.local(deadline).date()
    while day <= end_day:
        if is_working_day(day, overrides):
            for opens, closes in calendar.WORKING_PERIODS:
                lo = max(calendar.local(begin), calendar.at(day, opens))
                hi = calendar.at(day, closes)
                span = (hi - lo).total_seconds()
                if span <= 0:
                    continue
                if used + span >= target:
                    return lo + timedelta(seconds=target - used)
                used += span
        day += timedelta(days=1)
    return deadline


def sweep_delay(rng: random.Random) -> timedelta:
    """The sweep runs about once a minute: it notices a due step within a minute or two."""
    return timedelta(seconds=rng.uniform(5, 110))
