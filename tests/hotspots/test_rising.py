"""Rising problems from cases in the database: a surge in one grid is found at the grid, its
community and its street; a steady series and a handful of cases are not; counts are scoped."""

from __future__ import annotations

import pytest

from grassroots.cases.models import Case
from grassroots.hotspots import rising, stats
from tests.hotspots.conftest import add_cases, category, steady, this_week

pytestmark = pytest.mark.django_db


def _found(user, **kw):
    return {(h.code, h.category_id): h for h in rising.rising_problems(user, week=this_week(), **kw)}


def test_a_surge_in_one_grid_is_found_at_each_level(tree):
    cat = category()
    steady(tree, "A", 8, 1, cat=cat)
    steady(tree, "C", 8, 1, cat=cat)
    add_cases(tree, "A", this_week(), 9, cat=cat)
    add_cases(tree, "C", this_week(), 1, cat=cat)
    found = _found(tree.user("district_admin"))
    level2 = cat.parent_id  # counted at the taxonomy's second level
    grid, community, street = tree.grid("A"), tree.communities[0], tree.streets[0]
    assert {(grid.code, level2), (street.code, level2)} <= set(found)
    # all of the community's cases are grid A's: its entry would repeat the grid's, so it is left out
    assert (community.code, level2) not in found
    hot = found[(grid.code, level2)]
    assert (hot.score.count, hot.score.baseline, hot.level) == (9, 1.0, "grid")
    assert hot.series[-1] == 9 and hot.series[-9:-1] == [1] * 8
    assert len(hot.case_ids) == 9 and hot.name == grid.name and hot.category.endswith(cat.parent.name)
    assert (tree.grid("C").code, level2) not in found  # one case, as usual
    # the grid's own surge ranks above the totals it is diluted in
    ranked = rising.rising_problems(tree.user("district_admin"), week=this_week())
    assert ranked[0].code == grid.code


def test_a_steady_series_is_not_rising(tree):
    steady(tree, "A", 8, 4)
    add_cases(tree, "A", this_week(), 5)
    assert _found(tree.user("district_admin")) == {}


def test_tiny_counts_raise_no_alarm(tree):
    add_cases(tree, "A", this_week(), 2)  # never seen before, now two
    assert _found(tree.user("district_admin")) == {}


def test_rejected_and_unclassified_cases_are_not_counted(tree):
    cases = add_cases(tree, "A", this_week(), 6)
    Case.objects.filter(pk__in=[c.pk for c in cases[:4]]).update(status=Case.Status.REJECTED)
    add_cases(tree, "A", this_week(), 1)
    Case.objects.filter(pk=cases[4].pk).update(category=None)
    assert _found(tree.user("district_admin")) == {}


def test_counts_are_scoped(tree):
    add_cases(tree, "A", this_week(), 6)
    add_cases(tree, "C", this_week(), 6)
    worker = _found(tree.user("grid_worker_A"))
    assert {code for code, _ in worker} == {tree.grid("A").code}  # not the community: they see one grid of it
    community = _found(tree.user("community_worker_1"))
    assert {code for code, _ in community} == {tree.grid("A").code}  # (the community's total is the grid's)
    street = _found(tree.user("street_admin_1"))
    assert tree.grid("C").code in {code for code, _ in street}
    assert {code for code, _ in _found(tree.user("community_worker_2"))} == {tree.grid("C").code}
    assert rising.hot_roots(tree.user("dept_handler")) == [] and not rising.can_view(tree.user("nobody"))


def test_area_filter_and_level(tree):
    add_cases(tree, "A", this_week(), 6)
    add_cases(tree, "E", this_week(), 6)
    admin = tree.user("district_admin")
    only = _found(admin, area=tree.streets[1])
    assert {code for code, _ in only} == {tree.grid("E").code}
    grids = _found(admin, level="grid")
    assert {code for code, _ in grids} == {tree.grid("A").code, tree.grid("E").code}
    with pytest.raises(rising.OutOfScope):
        rising.area_get(tree.user("street_admin_1"), tree.streets[1].code)


def test_series_has_a_baseline_and_threshold_per_week(tree):
    cat = category()
    steady(tree, "A", 8, 2, cat=cat)
    add_cases(tree, "A", this_week(), 10, cat=cat)
    s = rising.series_for(tree.user("community_worker_1"), area=tree.grid("A"), category_id=cat.parent_id,
                          week=this_week())
    assert len(s.weeks) == len(s.counts) == len(s.baselines) == len(s.thresholds) == stats.SERIES_WEEKS
    assert s.counts[-1] == 10 and s.baselines[-1] == 2.0 and s.score.rising
    assert s.thresholds[-1] == rising.alarm_threshold([2] * 8) and 3 <= s.thresholds[-1] < 10
    assert s.thresholds[0] == rising.alarm_threshold([0] * 8) == 5
