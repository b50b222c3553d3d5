"""The KPIs of the hand-computed set in conftest.py (the worked example of docs/kpi.md)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from grassroots.assessment import rollups
from grassroots.assessment.models import KpiSettings
from grassroots.assessment.periods import TZ, Period
from grassroots.assessment.selectors import area_ranking, unit_ranking
from grassroots.cases.models import Case
from tests.assessment.factories import MARCH, S, put_case

NOW = datetime(2026, 4, 15, 12, 0, tzinfo=TZ)


def ranking(tree, area, **kw):
    return area_ranking(user=tree.user("district_admin"), area=area, period=kw.pop("period", MARCH), now=NOW,
                        **kw)


def row(r, name):
    return next(k for k in r.rows if k.name == name)


def test_grid_a_by_hand(tree, hand):
    a = row(ranking(tree, tree.communities[0]), tree.grid("A").name)
    assert (a.received, a.excluded, a.counted) == (7, 2, 5)  # the rejected and the merged case are not counted
    assert (a.responded, a.resolved, a.rated, a.satisfied, a.basic, a.unsatisfied) == (3, 2, 3, 1, 1, 1)
    assert (a.replied, a.on_time, a.overdue, a.reopened) == (3, 2, 2, 1)
    assert a.response_rate == pytest.approx(3 / 5)  # a3 responded after 30 h, over the 24 h limit
    assert a.resolution_rate == pytest.approx(2 / 5)  # a3 closed 不满意: not resolved
    assert a.satisfaction_rate == pytest.approx((1 + 0.9 * 1) / 3)
    assert a.on_time_rate == pytest.approx(2 / 4)  # a3 replied late, a4 open past its deadline
    assert a.reopen_rate == pytest.approx(1 / 3)
    assert a.median_reply_hours == pytest.approx(30)
    assert a.composite == pytest.approx(0.1 * 0.6 + 0.5 * 0.4 + 0.4 * 1.9 / 3)


def test_community_ranks_its_grids_and_shows_its_own_figures(tree, hand):
    r = ranking(tree, tree.communities[0])
    assert r.level == "grid"
    assert [(k.name, k.rank) for k in r.rows] == [("网格2", 1), ("网格1", 2)]
    b = r.rows[0]
    assert (b.counted, b.rated, b.composite, b.median_reply_hours) == (2, 1, pytest.approx(1.0), pytest.approx(11))
    t = r.totals
    assert (t.received, t.excluded, t.counted, t.responded, t.resolved, t.rated) == (10, 2, 8, 5, 4, 4)
    assert t.response_rate == pytest.approx(0.625)
    assert t.satisfaction_rate == pytest.approx(2.9 / 4)
    assert t.on_time_rate == pytest.approx(4 / 6)
    assert t.reopen_rate == pytest.approx(1 / 5)
    assert t.median_reply_hours == pytest.approx(20)
    assert t.composite == pytest.approx(0.0625 + 0.25 + 0.29)
    # c0 is placed at the community itself: in the community's figures, not in any grid's
    assert r.unplaced is not None and (r.unplaced.received, r.unplaced.composite) == (1, None)
    assert sum(k.received for k in r.rows) + r.unplaced.received == t.received


def test_street_ranks_its_communities(tree, hand):
    r = ranking(tree, tree.streets[0])
    assert r.level == "community"
    assert [(k.name, k.rank) for k in r.rows] == [("测试社区1-2", 1), ("测试社区1-1", 2)]
    assert r.totals.received == 11 and r.unplaced is None


def test_district_can_rank_any_level_below_it(tree, hand):
    r = ranking(tree, tree.district, level="grid")
    assert len(r.rows) == 8 and r.levels == ["street", "community", "grid"]
    assert [k.name for k in r.rows[:2]] == ["网格2", "网格3"]  # equal scores share rank 1
    assert [k.rank for k in r.rows[:3]] == [1, 1, 3]
    assert r.rows[-1].composite is None and r.rows[-1].rank is None  # grids without cases come last
    assert r.unplaced.received == 1  # c0


def test_units_count_the_cases_they_hold(tree, hand):
    r = unit_ranking(user=tree.user("district_admin"), period=MARCH, area=tree.district, now=NOW)
    assert [(k.name, k.rank) for k in r.rows] == [("阳光物业", 1), ("区住建局", 2)]
    dept = r.rows[1]
    assert (dept.counted, dept.responded, dept.resolved, dept.rated, dept.overdue) == (4, 3, 3, 4, 1)
    assert dept.composite == pytest.approx(0.1 * 0.75 + 0.5 * 0.75 + 0.4 * 0.725)
    assert r.totals.received == 5  # the cases some unit holds


def test_edited_weights_are_used(tree, hand):
    KpiSettings.objects.create(district_code=tree.district.code, response_weight=Decimal("0.2"),
                               resolution_weight=Decimal("0.3"), satisfaction_weight=Decimal("0.5"),
                               basic_factor=Decimal("0.5"), response_hours=48)
    rollups.rebuild(tree.district.code)  # as kpi_settings_update does when the limit changes
    a = row(ranking(tree, tree.communities[0]), "网格1")
    assert a.responded == 4  # a3's 30 h is now within the limit
    assert a.satisfaction_rate == pytest.approx(1.5 / 3)
    assert a.composite == pytest.approx(0.2 * 0.8 + 0.3 * 0.4 + 0.5 * 0.5)


def test_no_cases_gives_no_rates(tree):
    r = ranking(tree, tree.communities[0])
    for k in (r.totals, *r.rows):
        assert k.received == 0
        assert k.response_rate is k.resolution_rate is k.satisfaction_rate is None
        assert k.on_time_rate is k.reopen_rate is k.median_reply_hours is k.composite is None
        assert k.rank is None


def test_no_rated_cases(tree):
    put_case(tree.grid("A"), status=S.VERIFIED, responded=1, replied=3)
    a = row(ranking(tree, tree.communities[0]), "网格1")
    assert (a.response_rate, a.resolution_rate, a.on_time_rate) == (1.0, 1.0, 1.0)
    assert a.satisfaction_rate is None and a.composite is None


def test_only_excluded_cases(tree):
    put_case(tree.grid("A"), status=S.REJECTED)
    put_case(tree.grid("A"), status=S.MERGED)
    a = row(ranking(tree, tree.communities[0]), "网格1")
    assert (a.received, a.counted, a.response_rate, a.composite) == (2, 0, None, None)


def test_period_is_received_in_start_to_end_in_shanghai(tree):
    first = datetime(2026, 3, 1, 0, 0, tzinfo=TZ)  # 2026-02-28 16:00 UTC: in March in Shanghai
    put_case(tree.grid("A"), at=first)
    put_case(tree.grid("A"), at=first - timedelta(seconds=1))
    put_case(tree.grid("A"), at=datetime(2026, 3, 31, 23, 59, 59, tzinfo=TZ))
    put_case(tree.grid("A"), at=datetime(2026, 4, 1, 0, 0, tzinfo=TZ))
    assert ranking(tree, tree.communities[0]).totals.received == 2
    assert ranking(tree, tree.communities[0], period=Period(MARCH.start, MARCH.start + timedelta(days=1))
                   ).totals.received == 1


def test_open_case_before_its_deadline_is_not_overdue(tree):
    future = (datetime(2031, 1, 1, tzinfo=TZ) - datetime(2026, 3, 10, 9, 0, tzinfo=TZ)).total_seconds() / 3600
    put_case(tree.grid("A"), status=S.IN_PROGRESS, responded=1, deadline=future)
    put_case(tree.grid("A"), status=S.PARKED, responded=1, deadline=24)  # 挂账: the time limit is suspended
    a = row(ranking(tree, tree.communities[0]), "网格1")
    assert (a.overdue, a.on_time_rate) == (0, None)


def test_a_late_reply_counts_overdue_even_without_the_flag(tree):
    put_case(tree.grid("A"), status=S.REPLIED, responded=1, replied=50, deadline=48)
    a = row(ranking(tree, tree.communities[0]), "网格1")
    assert (a.on_time, a.overdue) == (0, 1)
    assert Case.objects.get().overdue is False
