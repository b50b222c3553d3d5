"""Is this week's count of a problem unusual for its place? Pure functions, no Django.

A *series* is the count of cases of one category in one area per ISO week. This week's count
``x`` is compared with the area's own baseline: the mean ``m`` of the previous ``BASELINE_WEEKS``
weeks. Under a steady rate, ``x`` is roughly Poisson with mean ``m``; the upper tail
``p = P(X ≥ x | λ)`` says how surprising the week is. Three rules keep small numbers quiet:

* the expected rate is never taken below ``RATE_FLOOR`` cases a week (a category that was never
  seen in a grid is not "infinitely" surprising when it appears once or twice);
* the week needs at least ``MIN_COUNT`` cases, and at least ``MIN_EXCESS`` more than expected;
* ``p`` must be below ``ALPHA`` (one in a thousand: a street has a few hundred non-empty series a
  week, so about one false alarm in several weeks).

The score used for ranking is ``-log10(p)`` (capped at ``MAX_SCORE``): more cases this week never
lower it, more cases in the baseline never raise it (tests/hotspots/test_stats.py, hypothesis).
docs/hotspots.md gives the reasoning and the figures on the demo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from scipy.stats import poisson

from grassroots.core.params import bounded_year

BASELINE_WEEKS = 8
RATE_FLOOR = 0.5
MIN_COUNT = 3
MIN_EXCESS = 2.0
ALPHA = 0.001
MAX_SCORE = 30.0
SERIES_WEEKS = 12  # weeks shown on the chart (the week itself and the ones before)


@dataclass(frozen=True)
class Score:
    count: int
    baseline: float  # the mean of the baseline weeks
    expected: float  # the rate tested against: max(baseline, RATE_FLOOR)
    p_value: float
    score: float  # -log10(p), capped
    ratio: float  # count / expected
    rising: bool


def poisson_tail(count: int, rate: float) -> float:
    """P(X ≥ count) for X ~ Poisson(rate)."""
    if count <= 0:
        return 1.0
    return float(poisson.sf(count - 1, rate))


def rising_score(count: int, baseline: list[int] | tuple[int, ...], *, floor: float = RATE_FLOOR,
                 min_count: int = MIN_COUNT, min_excess: float = MIN_EXCESS, alpha: float = ALPHA) -> Score:
    """This week's ``count`` against the ``baseline`` weeks' counts (oldest first, any length ≥ 0)."""
    if count < 0 or any(c < 0 for c in baseline):
        raise ValueError("counts cannot be negative")
    mean = sum(baseline) / len(baseline) if baseline else 0.0
    expected = max(mean, floor)
    p = poisson_tail(count, expected)
    score = MAX_SCORE if p <= 0 else min(MAX_SCORE, -math.log10(p))
    rising = count >= min_count and count - expected >= min_excess and p < alpha
    return Score(count=count, baseline=round(mean, 3), expected=round(expected, 3), p_value=p,
                 score=round(max(score, 0.0), 3), ratio=round(count / expected, 2), rising=rising)


# --- ISO weeks -------------------------------------------------------------------------------------


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """2026-W48 (the value of an ``<input type="week">``)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_parse(text: str) -> date:
    """The Monday of "2026-W48" (also "2026W48", "2026-w48"); ValueError with a Chinese message."""
    raw = (text or "").strip().upper().replace("W", "-W").replace("--", "-")
    try:
        year_s, week_s = raw.split("-W")
        if not bounded_year(int(year_s)):
            raise ValueError
        return date.fromisocalendar(int(year_s), int(week_s), 1)
    except (ValueError, TypeError):
        raise ValueError(f"周次“{text[:20]}”格式不对，请填写如 2026-W48 的 ISO 周（年-W周数）") from None


def weeks_back(monday: date, n: int) -> list[date]:
    """The ``n`` Mondays before ``monday`` (oldest first)."""
    return [monday - timedelta(weeks=k) for k in range(n, 0, -1)]
