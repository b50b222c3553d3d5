"""Properties of add_working_days and working_seconds over the years the package covers (and a completed 2027)."""

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.worktime import calendar as wt
from grassroots.worktime.calendar import TZ, Overrides, add_working_days, is_working_day

# 2027 marked complete (weekdays only) so that a deadline late in 2026 can spill into it
OVERRIDES = Overrides(complete_years=frozenset({2027}))

starts = st.builds(
    lambda day, minute: datetime.combine(day, time(0, 0), tzinfo=TZ) + timedelta(minutes=minute),
    st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
counts = st.integers(min_value=1, max_value=40)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts)
def test_lands_on_a_working_day_at_close_of_business(start, n):
    deadline = add_working_days(start, n, OVERRIDES)
    assert is_working_day(deadline.date(), OVERRIDES)
    assert deadline.timetz().replace(tzinfo=None) == wt.DAY_END
    assert deadline.date() > start.date()
    assert wt.working_days_between(start.date(), deadline.date(), OVERRIDES) == n


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts)
def test_monotone_in_n(start, n):
    assert add_working_days(start, n, OVERRIDES) < add_working_days(start, n + 1, OVERRIDES)


@settings(max_examples=100, deadline=None)
@given(start=starts, later=st.integers(min_value=0, max_value=10 * 24 * 60), n=counts)
def test_monotone_in_start(start, later, n):
    assert add_working_days(start, n, OVERRIDES) <= add_working_days(
        start + timedelta(minutes=later), n, OVERRIDES)


def _office_seconds_day_by_day(start: datetime, end: datetime) -> float:
    """The definition, walked plainly: every day's office periods cut to [start, end]."""
    total, day = 0.0, start.date()
    while day <= end.date():
        if is_working_day(day, OVERRIDES):
            for opens, closes in wt.WORKING_PERIODS:
                lo, hi = max(start, wt.at(day, opens)), min(end, wt.at(day, closes))
                total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


@settings(max_examples=300, deadline=None)
@given(start=starts, minutes=st.integers(min_value=-60, max_value=40 * 24 * 60))
def test_working_seconds_is_the_office_time_between(start, minutes):
    end = start + timedelta(minutes=minutes)
    assert wt.working_seconds(start, end, OVERRIDES) == _office_seconds_day_by_day(start, end)


def test_a_working_day_holds_seven_office_hours():
    assert wt.WORKING_DAY_SECONDS == 7 * 3600
