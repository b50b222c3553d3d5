"""The test of a week's count against its baseline, as pure functions (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.hotspots import stats

counts = st.integers(min_value=0, max_value=60)
baselines = st.lists(st.integers(min_value=0, max_value=40), min_size=0, max_size=12)


def test_a_surge_is_found():
    s = stats.rising_score(12, [2, 3, 1, 2, 3, 2, 2, 1])
    assert s.rising and s.count == 12 and s.baseline == 2.0 and s.p_value < 1e-4 and s.ratio == 6.0


def test_a_steady_series_is_not():
    for week in ([5, 6, 4, 5, 6, 5, 4, 5], [0, 1, 0, 1, 1, 0, 0, 1]):
        assert not stats.rising_score(round(sum(week) / len(week)) + 1, week).rising


def test_tiny_counts_raise_no_alarm():
    # never seen before, and now two cases: surprising for a Poisson of rate 0, not for the floor
    assert not stats.rising_score(2, [0] * 8).rising
    assert not stats.rising_score(1, []).rising
    assert stats.rising_score(2, [0] * 8).expected == stats.RATE_FLOOR
    # four in a week where there were none is not yet (p≈0.002), five is
    assert not stats.rising_score(4, [0] * 8).rising
    assert stats.rising_score(5, [0] * 8).rising


def test_a_large_steady_count_needs_a_real_excess():
    # 40 a week on average: 50 is within the noise (p≈0.07), 65 is not
    base = [38, 42, 40, 41, 39, 40, 40, 40]
    assert not stats.rising_score(50, base).rising
    assert stats.rising_score(65, base).rising


@given(counts, baselines)
def test_more_cases_this_week_never_lower_the_score(count, baseline):
    a, b = stats.rising_score(count, baseline), stats.rising_score(count + 1, baseline)
    assert b.score >= a.score and b.p_value <= a.p_value
    assert b.rising or not a.rising  # once rising, a bigger week is rising too


@given(counts, baselines, st.integers(min_value=0, max_value=len(range(12)) - 1))
def test_more_cases_in_the_baseline_never_raise_the_score(count, baseline, index):
    if not baseline:
        return
    more = list(baseline)
    more[index % len(more)] += 1
    assert stats.rising_score(count, more).score <= stats.rising_score(count, baseline).score


@given(counts, baselines)
def test_score_is_bounded_and_p_is_a_probability(count, baseline):
    s = stats.rising_score(count, baseline)
    assert 0 <= s.p_value <= 1 and 0 <= s.score <= stats.MAX_SCORE
    if count < stats.MIN_COUNT:
        assert not s.rising


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        stats.rising_score(-1, [1])


def test_iso_weeks():
    monday = stats.week_parse("2026-W48")
    assert monday == date(2026, 11, 23) and stats.week_label(monday) == "2026-W48"
    assert stats.week_parse("2026w48") == monday
    assert stats.week_monday(date(2026, 11, 29)) == monday
    assert stats.week_parse("2021-W01") == date(2021, 1, 4)  # ISO year differs from the calendar year
    assert stats.weeks_back(monday, 2) == [date(2026, 11, 9), date(2026, 11, 16)]
    for bad in ("", "2026-W60", "48", "下周"):
        with pytest.raises(ValueError, match="ISO 周"):
            stats.week_parse(bad)
