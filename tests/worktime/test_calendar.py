"""The pure calendar functions, checked against chinese_calendar's own 2026 data."""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from grassroots.worktime import calendar as wt
from grassroots.worktime.calendar import (
    TZ,
    CalendarMissing,
    DayOverride,
    Limit,
    Overrides,
    add_hours,
    add_working_days,
    deadline_for,
    fraction_elapsed,
    is_working_day,
    working_days_between,
)

LIMITS = {
    "emergency": Limit(2, wt.HOURS),
    "utility": Limit(24, wt.HOURS),
    "general": Limit(7, wt.WORKING_DAYS),
    "complex": Limit(15, wt.WORKING_DAYS),
}


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


# ------------------------------------------------------------- what the package says about 2026


def test_package_data_for_national_day_2026():
    """The facts the deadline tests below rely on, read from the package itself."""
    for day in range(1, 8):
        assert chinese_calendar.get_holiday_detail(date(2026, 10, day)) == (True, "National Day")
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    # make-up workdays: Sunday 20 September and Saturday 10 October
    assert date(2026, 9, 20).weekday() == 6 and chinese_calendar.is_workday(date(2026, 9, 20))
    assert date(2026, 10, 10).weekday() == 5 and chinese_calendar.is_workday(date(2026, 10, 10))
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 10)) == (False, "National Day")
    assert not chinese_calendar.is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_package_does_not_cover_2027():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    assert wt.library_covers(2026) and not wt.library_covers(2027)


def test_day_info_names_the_holiday_in_chinese():
    info = wt.day_info(date(2026, 10, 3))
    assert (info.working, info.name, info.source) == (False, "国庆节", "library")
    assert wt.day_info(date(2026, 10, 10)).name == "国庆节"
    assert wt.day_info(date(2026, 10, 12)).name == ""


# ---------------------------------------------------------------- working-day deadlines


def test_general_case_received_before_national_day():
    """Received Wed 30 Sep: Oct 1–7 off; counting 8, 9, 10 (make-up Saturday), 12, 13, 14, 15."""
    deadline = add_working_days(sh(2026, 9, 30, 10, 0), 7)
    assert deadline == sh(2026, 10, 15, 17, 30)


def test_first_working_day_after_national_day_is_the_8th():
    assert add_working_days(sh(2026, 9, 30, 16, 0), 1) == sh(2026, 10, 8, 17, 30)
    assert add_working_days(sh(2026, 10, 3, 9, 0), 1) == sh(2026, 10, 8, 17, 30)


def test_make_up_saturday_counts_and_following_sunday_does_not():
    assert add_working_days(sh(2026, 10, 9, 11, 0), 1) == sh(2026, 10, 10, 17, 30)
    assert add_working_days(sh(2026, 10, 9, 11, 0), 2) == sh(2026, 10, 12, 17, 30)


def test_make_up_sunday_before_the_holiday_counts():
    assert add_working_days(sh(2026, 9, 18, 15, 0), 1) == sh(2026, 9, 20, 17, 30)


def test_complex_case_across_mid_autumn_and_national_day():
    """15 working days from Thu 24 Sep: 28, 29, 30, Oct 8, 9, 10, 12–16, 19–22."""
    assert add_working_days(sh(2026, 9, 24, 9, 0), 15) == sh(2026, 10, 22, 17, 30)


def test_weekend_is_skipped():
    # Friday 13 Nov 2026 → Mon 16 is day 1; Sat/Sun 14–15 not counted
    assert add_working_days(sh(2026, 11, 13, 9, 0), 1) == sh(2026, 11, 16, 17, 30)
    assert add_working_days(sh(2026, 11, 13, 9, 0), 7) == sh(2026, 11, 24, 17, 30)


def test_case_received_on_a_weekend_counts_from_monday():
    assert add_working_days(sh(2026, 11, 14, 20, 0), 1) == sh(2026, 11, 16, 17, 30)
    assert add_working_days(sh(2026, 11, 15, 8, 0), 7) == sh(2026, 11, 24, 17, 30)


def test_day_of_receipt_never_counts_even_before_office_hours():
    assert add_working_days(sh(2026, 11, 16, 7, 0), 1) == sh(2026, 11, 17, 17, 30)


def test_start_is_read_in_shanghai_time():
    """17:00 UTC on Fri 9 Oct is 01:00 on Sat 10 Oct (a make-up workday) in Shanghai."""
    utc = datetime(2026, 10, 9, 17, 0, tzinfo=UTC)
    assert add_working_days(utc, 1) == sh(2026, 10, 12, 17, 30)  # not the 10th: received that day
    assert add_working_days(utc.replace(hour=15), 1) == sh(2026, 10, 10, 17, 30)  # 23:00 on the 9th


def test_naive_datetimes_and_bad_counts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 10, 9, 9, 0), 1)
    with pytest.raises(ValueError):
        add_working_days(sh(2026, 10, 9, 9, 0), 0)


def test_working_days_between_is_the_inverse():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 15)) == 7
    assert working_days_between(date(2026, 10, 15), date(2026, 9, 30)) == -7
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 11)) == 1


# ----------------------------------------------------------------------- hour deadlines


def test_emergency_two_hours_across_midnight():
    assert deadline_for(sh(2026, 11, 20, 23, 15), "emergency", LIMITS) == sh(2026, 11, 21, 1, 15)


def test_emergency_during_the_holiday_is_still_two_hours():
    assert deadline_for(sh(2026, 10, 2, 3, 0), "emergency", LIMITS) == sh(2026, 10, 2, 5, 0)


def test_utilities_24_hours_ignore_weekends_and_holidays():
    assert deadline_for(sh(2026, 9, 30, 18, 40), "utility", LIMITS) == sh(2026, 10, 1, 18, 40)
    assert deadline_for(sh(2026, 11, 21, 9, 0), "utility", LIMITS) == sh(2026, 11, 22, 9, 0)


def test_hour_deadlines_are_shown_in_shanghai_time():
    deadline = add_hours(datetime(2026, 11, 20, 16, 0, tzinfo=UTC), 2)
    assert deadline.tzinfo == TZ and deadline == sh(2026, 11, 21, 2, 0)


def test_general_and_complex_through_deadline_for():
    start = sh(2026, 9, 30, 10, 0)
    assert deadline_for(start, "general", LIMITS) == sh(2026, 10, 15, 17, 30)
    assert deadline_for(start, "complex", LIMITS) == add_working_days(start, 15)


def test_edited_limit_changes_the_deadline():
    start = sh(2026, 9, 30, 10, 0)
    edited = {**LIMITS, "general": Limit(5, wt.WORKING_DAYS), "emergency": Limit(1, wt.HOURS)}
    assert deadline_for(start, "general", edited) == sh(2026, 10, 13, 17, 30)
    assert deadline_for(start, "emergency", edited) == sh(2026, 9, 30, 11, 0)


def test_unknown_urgency_is_a_clear_error():
    with pytest.raises(ValueError, match="办理时限"):
        deadline_for(sh(2026, 9, 30, 10, 0), "whenever", LIMITS)


# ------------------------------------------------------------------ 2027 and the overrides


def test_2027_raises_calendar_missing_in_chinese():
    with pytest.raises(CalendarMissing) as caught:
        is_working_day(date(2027, 3, 1))
    assert caught.value.year == 2027
    assert str(caught.value) == "2027年的法定节假日安排尚未录入，请在工作日历中补录后再计算期限"


def test_deadline_reaching_into_2027_raises():
    with pytest.raises(CalendarMissing):
        add_working_days(sh(2026, 12, 28, 10, 0), 7)
    # a deadline that stays in 2026 is fine
    assert add_working_days(sh(2026, 12, 28, 10, 0), 3) == sh(2026, 12, 31, 17, 30)


def test_rows_without_the_year_marked_complete_are_not_a_calendar():
    partial = Overrides(days={date(2027, 1, 1): DayOverride(wt.HOLIDAY, "元旦")})
    assert not is_working_day(date(2027, 1, 1), partial)  # the row itself is known …
    with pytest.raises(CalendarMissing):  # … but the days around it are not
        is_working_day(date(2027, 1, 4), partial)
    with pytest.raises(CalendarMissing):
        wt.year_days(2027, partial)


def test_year_marked_complete_uses_rows_then_weekdays():
    overrides = Overrides(
        days={date(2027, 1, 1): DayOverride(wt.HOLIDAY, "元旦"),
              date(2027, 1, 9): DayOverride(wt.WORKDAY, "元旦")},  # a make-up Saturday (invented)
        complete_years=frozenset({2027}),
    )
    assert not is_working_day(date(2027, 1, 1), overrides)
    assert is_working_day(date(2027, 1, 4), overrides)  # Monday
    assert not is_working_day(date(2027, 1, 2), overrides)  # Saturday
    assert is_working_day(date(2027, 1, 9), overrides)
    # Thu 31 Dec 2026 + 7: Jan 4, 5, 6, 7, 8, 9 (make-up), 11
    assert add_working_days(sh(2026, 12, 31, 9, 0), 7, overrides) == sh(2027, 1, 11, 17, 30)


def test_overrides_take_precedence_over_the_package():
    overrides = Overrides(days={
        date(2026, 10, 8): DayOverride(wt.HOLIDAY, "国庆节（本地顺延）"),
        date(2026, 10, 11): DayOverride(wt.WORKDAY, "加班"),
    })
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert not is_working_day(date(2026, 10, 8), overrides)
    assert is_working_day(date(2026, 10, 11), overrides)
    # 9, 10 (make-up), 11 (override), 12, 13, 14, 15
    assert add_working_days(sh(2026, 9, 30, 10, 0), 7, overrides) == sh(2026, 10, 15, 17, 30)
    assert add_working_days(sh(2026, 9, 30, 10, 0), 1, overrides) == sh(2026, 10, 9, 17, 30)
    assert wt.day_info(date(2026, 10, 8), overrides).source == "override"


# ---------------------------------------------------------------------- fraction elapsed


def test_fraction_in_working_time_skips_the_holiday():
    start = sh(2026, 9, 30, 10, 0)
    deadline = add_working_days(start, 7)
    assert fraction_elapsed(start, deadline, sh(2026, 10, 5, 12, 0)) == 0.0  # holiday: nothing used
    assert fraction_elapsed(start, deadline, sh(2026, 10, 8, 17, 30)) == pytest.approx(1 / 7)
    # end of day 5 (Tue 13 Oct) is 5/7; the 75 % mark falls during day 6
    assert fraction_elapsed(start, deadline, sh(2026, 10, 13, 17, 30)) == pytest.approx(5 / 7)
    assert fraction_elapsed(start, deadline, sh(2026, 10, 14, 12, 0)) == pytest.approx(5.5 / 7)
    assert fraction_elapsed(start, deadline, sh(2026, 10, 14, 13, 0)) == pytest.approx(5.5 / 7)  # lunch


def test_fraction_in_calendar_time_for_hour_limits():
    start = sh(2026, 11, 20, 23, 0)
    deadline = add_hours(start, 2)
    assert fraction_elapsed(start, deadline, sh(2026, 11, 21, 0, 30), unit=wt.HOURS) == pytest.approx(0.75)


def test_fraction_is_clamped():
    start = sh(2026, 11, 16, 9, 0)
    deadline = add_working_days(start, 2)
    assert fraction_elapsed(start, deadline, start - timedelta(days=1)) == 0.0
    assert fraction_elapsed(start, deadline, deadline) == 1.0
    assert fraction_elapsed(start, deadline, deadline + timedelta(days=400)) == 1.0  # no 2027 needed


def test_working_seconds_counts_office_hours_only():
    assert wt.working_seconds(sh(2026, 11, 16, 0, 0), sh(2026, 11, 17, 0, 0)) == 7 * 3600
    assert wt.working_seconds(sh(2026, 10, 1, 0, 0), sh(2026, 10, 8, 0, 0)) == 0
    assert wt.working_seconds(sh(2026, 11, 16, 11, 0), sh(2026, 11, 16, 15, 0)) == 2 * 3600


# -------------------------------------------------------------------------- year summary


def test_holiday_groups_of_2026_show_national_day_with_its_make_up_days():
    groups = {g.name: g for g in wt.holiday_groups(wt.year_days(2026))}
    national = groups["国庆节"]
    assert national.rest == [(date(2026, 10, 1), date(2026, 10, 7))]
    assert national.work == [date(2026, 9, 20), date(2026, 10, 10)]
    assert "春节" in groups and "中秋" in groups
    order = [g.name for g in wt.holiday_groups(wt.year_days(2026))]
    assert order.index("中秋") < order.index("国庆节")  # by first day off, not by the 20 Sep make-up day
