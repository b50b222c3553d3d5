"""The demo walk's clock (demo/timeline.py): when the sweep would warn of a running case."""

from datetime import datetime
from itertools import count

from grassroots.demo.timeline import WARN_AT, warn_moment
from grassroots.worktime import calendar
from grassroots.worktime.calendar import NO_OVERRIDES, TZ

FIRST_UNKNOWN = next(y for y in count(2026) if not calendar.library_covers(y))


def test_warns_three_quarters_into_the_working_time():
    start = datetime(FIRST_UNKNOWN - 1, 3, 2, 9, 0, tzinfo=TZ)  # a Monday in a year the package knows
    deadline = calendar.add_working_days(start, 4, NO_OVERRIDES)
    moment = warn_moment(start, deadline, calendar.WORKING_DAYS, NO_OVERRIDES)
    assert start < moment < deadline
    assert calendar.fraction_elapsed(start, deadline, moment, unit=calendar.WORKING_DAYS,
                                     overrides=NO_OVERRIDES) >= WARN_AT - 0.01


def test_a_deadline_in_a_year_not_entered_gets_no_warning_instead_of_stopping_the_demo():
    # ./dev demo on 2026-12-07 stopped here: a deadline extended into 2027, whose holidays nobody had
    # entered yet (the sweep warns of none such either: cases/sweep.py)
    start = datetime(FIRST_UNKNOWN - 1, 12, 21, 9, 0, tzinfo=TZ)
    deadline = datetime(FIRST_UNKNOWN, 1, 8, 17, 30, tzinfo=TZ)
    assert warn_moment(start, deadline, calendar.WORKING_DAYS, NO_OVERRIDES) == deadline
