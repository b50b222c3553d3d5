"""The arithmetic of a rating, kept apart from the database so it can be checked on its own.

* an automatic criterion earns ``max × min(value ÷ target, 1)`` points, to one decimal (half up);
  a branch with nothing to measure (no cases to rate) earns full points, nothing to fault;
* an inspector's points are taken as entered, within 0 … max;
* the total is the sum of every criterion's points, each capped at its max (a missing score is 0);
* the stars are how many of the five thresholds (ascending) the total reaches: 0 … 5.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def tenth(value) -> Decimal:
    return _dec(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def capped(points, max_points) -> Decimal:
    """Points within 0 … max (None counts as 0)."""
    if points is None:
        return Decimal(0)
    return min(max(_dec(points), Decimal(0)), _dec(max_points))


def auto_points(value, target, max_points) -> Decimal:
    """The points an automatic criterion earns for a measured ``value`` (None: nothing to measure)."""
    if value is None or target is None or _dec(target) <= 0:
        return tenth(max_points)
    share = min(max(_dec(value), Decimal(0)) / _dec(target), Decimal(1))
    return tenth(_dec(max_points) * share)


def total(scores: Iterable[tuple[object, object]]) -> Decimal:
    """Sum of (points, max) pairs, each capped at its max."""
    return tenth(sum((capped(p, m) for p, m in scores), Decimal(0)))


def stars_for(total_points, thresholds: Sequence) -> int:
    """How many of the ascending thresholds ``total_points`` reaches."""
    t = _dec(total_points)
    return sum(1 for threshold in thresholds if t >= _dec(threshold))
