"""The 0–100 score on a worked example and as a property, the selectors the assessment app reads,
the rankings' order and the period."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from grassroots.evaluation import selectors
from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation
from grassroots.evaluation.periods import SHANGHAI, Period, period_from
from grassroots.evaluation.selectors import Score
from grassroots.evaluation.services import dispatch_evaluation_create, unit_evaluation_create
from tests.evaluation.conftest import dispatch, reply

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))


def test_worked_example():
    # two evaluations (5, 4, 5) and (3, 2, 4): means 4, 3, 4.5 → 3.8333… → (3.8333 − 1) / 4 × 100 = 70.8
    assert Score.of((4.0, 3.0, 4.5)) == 70.8
    assert Score.of((5, 5, 5)) == 100 and Score.of((1, 1, 1)) == 0 and Score.of((3, 3, 3)) == 50


@given(st.lists(st.tuples(*[st.integers(1, 5)] * 3), min_size=1, max_size=30))
def test_score_is_the_mean_of_all_stars_scaled(rows):
    means = tuple(sum(r[i] for r in rows) / len(rows) for i in range(3))
    score = Score.of(means)
    assert 0 <= score <= 100
    overall = sum(sum(r) for r in rows) / (3 * len(rows))
    assert score == pytest.approx((overall - 1) / 4 * 100, abs=0.0501)


def _at(row, when: datetime) -> None:
    type(row).objects.filter(pk=row.pk).update(created_at=when)


@pytest.fixture
def two_rated(tree, new_case, people):
    """Two cases of community 1 rated for 住建局 in March: (5,4,5) and (3,2,4); dispatches (5,5,5), (1,2,3)."""
    worker, handler, dept = tree.user("community_worker_1"), tree.user("dept_handler"), tree.units["dept"]
    rows = []
    for stars, dstars in (((5, 4, 5), (5, 5, 5)), ((3, 2, 4), (1, 2, 3))):
        case = reply(dispatch(new_case(), by=worker, unit=dept), by=handler)
        u = unit_evaluation_create(case=case, unit=dept, actor=worker, **dict(zip(("speed", "attitude", "result"),
                                                                               stars, strict=True)))
        d = dispatch_evaluation_create(case=case, unit=dept, actor=handler,
                                       **dict(zip(("clear", "owner", "deadline"), dstars, strict=True)))
        _at(u, datetime(2026, 3, 10, 9, tzinfo=SHANGHAI))
        _at(d, datetime(2026, 3, 10, 9, tzinfo=SHANGHAI))
        rows.append(case)
    return rows


def test_unit_scores_selector(tree, two_rated):
    scores = selectors.unit_scores(area_code_prefix=tree.district.code, start_at=MARCH.start_at, end_at=MARCH.end_at)
    s = scores[tree.units["dept"].pk]
    assert (s.count, s.speed, s.attitude, s.result, s.score) == (2, 4.0, 3.0, 4.5, 70.8)
    assert selectors.unit_scores(area_code_prefix=tree.streets[1].code, start_at=MARCH.start_at,
                                 end_at=MARCH.end_at) == {}
    assert selectors.unit_scores(unit_ids=[tree.units["property"].pk], area_code_prefix="",
                                 start_at=MARCH.start_at, end_at=MARCH.end_at) == {}


def test_end_is_exclusive(tree, two_rated):
    row = UnitEvaluation.objects.first()
    _at(row, datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI))  # the first moment of April (Beijing time)
    s = selectors.unit_scores(area_code_prefix="", start_at=MARCH.start_at, end_at=MARCH.end_at)
    assert s[tree.units["dept"].pk].count == 1
    _at(row, datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI))
    s = selectors.unit_scores(area_code_prefix="", start_at=MARCH.start_at, end_at=MARCH.end_at)
    assert s[tree.units["dept"].pk].count == 2


def test_dispatch_scores_by_level(tree, two_rated):
    kw = {"area_code_prefix": tree.district.code, "start_at": MARCH.start_at, "end_at": MARCH.end_at}
    community = selectors.dispatch_scores(level_length=12, **kw)
    street = selectors.dispatch_scores(level_length=9, **kw)
    assert list(community) == [tree.communities[0].code] and list(street) == [tree.streets[0].code]
    s = street[tree.streets[0].code]
    # (5,5,5) and (1,2,3): means 3, 3.5, 4 → 3.5 → 62.5
    assert (s.count, s.clear, s.owner, s.deadline, s.score) == (2, 3.0, 3.5, 4.0, 62.5)


def test_ranking_orders_by_score_then_count(tree, new_case, people):
    worker = tree.user("community_worker_1")
    good = reply(dispatch(new_case(), by=worker, unit=tree.units["property"]), by=people["property_handler"])
    unit_evaluation_create(case=good, unit=tree.units["property"], actor=worker, speed=5, attitude=5, result=5)
    bad = reply(dispatch(new_case("B"), by=worker, unit=tree.units["dept"]), by=tree.user("dept_handler"))
    unit_evaluation_create(case=bad, unit=tree.units["dept"], actor=worker, speed=2, attitude=3, result=1)
    period = period_from()
    rows = selectors.unit_ranking(tree.user("district_admin"), period.start_at, period.end_at)
    assert [(r.rank, r.name, r.score.score) for r in rows] == [(1, "阳光物业", 100.0), (2, "区住建局", 25.0)]


def test_period_defaults_to_this_month_and_checks_dates():
    assert period_from(today=date(2026, 12, 15)) == Period(date(2026, 12, 1), date(2027, 1, 1))
    assert period_from("2026-02-01", "") == Period(date(2026, 2, 1), date(2026, 3, 1))
    assert period_from("", "2026-03-01") == Period(date(2026, 2, 1), date(2026, 3, 1))
    with pytest.raises(ValidationError) as err:
        period_from("2026-13-01", "")
    assert err.value.message_dict == {"start": ["开始日期“2026-13-01”格式不对，应为 YYYY-MM-DD，如 2026-03-01"]}
    with pytest.raises(ValidationError) as err:
        period_from("2026-03-01", "2026-03-01")
    assert err.value.message_dict == {"end": ["结束日期（不含）应晚于开始日期"]}
    assert MARCH.end_at - MARCH.start_at == timedelta(days=31)
    assert MARCH.start_at.utcoffset() == timedelta(hours=8)


def test_one_aggregate_query_each(tree, two_rated, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.unit_scores(area_code_prefix="42", start_at=MARCH.start_at, end_at=MARCH.end_at)
    with django_assert_num_queries(1):
        selectors.dispatch_scores(area_code_prefix="42", level_length=9, start_at=MARCH.start_at, end_at=MARCH.end_at)
    assert DispatchEvaluation.objects.count() == 2
