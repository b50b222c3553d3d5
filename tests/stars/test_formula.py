"""The arithmetic of a rating (docs/stars.md, "Formulas")."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from grassroots.stars import formula

points = st.decimals(min_value=-20, max_value=150, places=1, allow_nan=False, allow_infinity=False)
maxes = st.integers(min_value=1, max_value=30)
THRESHOLDS = (Decimal(50), Decimal(60), Decimal(70), Decimal(80), Decimal(90))


@given(st.lists(st.tuples(points | st.none(), maxes), max_size=15))
def test_total_is_the_sum_of_scores_each_capped_at_its_max(pairs):
    total = formula.total(pairs)
    expected = sum((min(max(p or Decimal(0), Decimal(0)), Decimal(m)) for p, m in pairs), Decimal(0))
    assert total == expected
    assert Decimal(0) <= total <= sum(Decimal(m) for _p, m in pairs)


@given(st.decimals(min_value=0, max_value=100, places=1), st.decimals(min_value=0, max_value=100, places=1))
def test_stars_follow_the_thresholds_and_never_drop_as_the_total_rises(a, b):
    low, high = sorted((a, b))
    assert formula.stars_for(low, THRESHOLDS) <= formula.stars_for(high, THRESHOLDS)
    n = formula.stars_for(a, THRESHOLDS)
    assert 0 <= n <= 5
    assert n == 0 or a >= THRESHOLDS[n - 1]
    assert n == 5 or a < THRESHOLDS[n]


def test_thresholds_exactly():
    assert [formula.stars_for(t, THRESHOLDS) for t in (0, 49.9, 50, 69.9, 70, 89.9, 90, 100)] == [0, 0, 1, 2, 3, 4, 5, 5]


@given(st.decimals(min_value=0, max_value=1000, places=2), st.decimals(min_value=0, max_value=1000, places=2),
       st.decimals(min_value=Decimal("0.1"), max_value=500, places=1), maxes)
def test_automatic_points_rise_with_the_value_up_to_full_marks(a, b, target, max_points):
    low, high = sorted((a, b))
    p_low, p_high = (formula.auto_points(v, target, max_points) for v in (low, high))
    assert Decimal(0) <= p_low <= p_high <= max_points
    if high >= target:
        assert p_high == max_points


def test_automatic_points_are_proportional_and_nothing_to_measure_is_full_marks():
    assert formula.auto_points(6, 12, 10) == Decimal("5.0")
    assert formula.auto_points(1, 3, 10) == Decimal("3.3")
    assert formula.auto_points(30, 12, 10) == Decimal("10.0")
    assert formula.auto_points(None, 90, 5) == Decimal("5.0")
