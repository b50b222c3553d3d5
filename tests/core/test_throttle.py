"""Limits every process shares (core/throttle.py): counted windows, and a cooldown for one-per-period
limits that two attempts a moment apart can never slip through, whatever the clock says."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from grassroots.core.throttle import Limit, hit, peek, wait_text

pytestmark = pytest.mark.django_db
HOURLY = Limit("test.hourly", 3, 3600)
COOLDOWN = Limit("test.cooldown", 1, 60)


@pytest.fixture(autouse=True)
def _clean():
    caches["shared"].clear()


def test_a_window_allows_its_count_then_says_when_it_ends():
    t = 7200.0 + 10
    assert [hit(HOURLY, "k", now=t).allowed for _ in range(3)] == [True, True, True]
    refused = hit(HOURLY, "k", now=t)
    assert not refused.allowed and refused.retry_after == 3590
    assert hit(HOURLY, "other", now=t).allowed  # keys apart
    assert hit(HOURLY, "k", now=t + 3590).allowed  # the next window


@pytest.mark.parametrize("start", [0.0, 59.999, 119.5])
def test_a_cooldown_holds_across_window_edges(start):
    assert hit(COOLDOWN, "p", now=start).allowed
    refused = hit(COOLDOWN, "p", now=start + 0.01)
    assert not refused.allowed and refused.retry_after == 60
    assert not peek(COOLDOWN, "p", now=start + 59).allowed
    assert hit(COOLDOWN, "p", now=start + 60.01).allowed


def test_peek_counts_nothing_and_the_cache_holds_no_plain_key():
    for _ in range(5):
        assert peek(HOURLY, "13912345678", now=100).allowed
    hit(HOURLY, "13912345678", now=100)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM grassroots_shared_cache")
        keys = [r[0] for r in cursor.fetchall()]
    assert keys and not any("13912345678" in k for k in keys)


def test_wait_text():
    assert wait_text(45) == "45秒后" and wait_text(61) == "2分钟后" and wait_text(3601) == "2小时后"


def test_a_count_outlives_quiet_minutes_in_its_window():
    """The database cache writes an increment back with its five-minute default: the window's count
    must still be there after ten quiet minutes of an hourly limit."""
    import time_machine

    start = 1_800_000_000 - 1_800_000_000 % 3600 + 60  # a minute into an hour
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            hit(HOURLY, "k")
        clock.shift(600)
        verdict = peek(HOURLY, "k")
        assert not verdict.allowed and verdict.used == 3 and verdict.retry_after == 3600 - 660
