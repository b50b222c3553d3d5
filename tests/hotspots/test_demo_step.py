"""The demo's hot problems (demo/hotspots.py) on the test tree: the tap-water surge is found at its
community, the voted complaints come out as a cluster across grids with their likes, and the street
account's problem of the month is in progress."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.demo import hotspots as demo_hotspots
from grassroots.hotspots import rising, stats
from grassroots.hotspots.clusters import clusters_for
from grassroots.hotspots.models import MonthlyProblem
from grassroots.orgs.models import Unit, UnitKind
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _plan(tree, monkeypatch):
    monkeypatch.setattr(demo_hotspots, "MIN_HISTORY", 0)
    street = make_user("street", Role.STREET_ADMIN, area=tree.streets[0])
    Unit.objects.create(name="十堰市水务集团张湾分公司", kind=UnitKind.UTILITY, area=tree.district)
    return street, SimpleNamespace(district_code="420303", seed=1, district_name="张湾区",
                                   units=[SimpleNamespace(kind="department", key="区住建局")])


def test_demo_step(tree, monkeypatch):
    street, plan = _plan(tree, monkeypatch)
    end = timezone.now() - timedelta(minutes=1)
    written = demo_hotspots.load_hotspots(plan, end=end)
    assert written["surge"] >= 20 and written["cluster"] == 30 and written["monthly"]

    last_week = stats.week_monday(timezone.localdate()) - timedelta(weeks=1)
    found = rising.rising_problems(street, week=last_week)
    assert any(h.code == tree.communities[1].code and h.category.endswith("城市建设和市政管理") for h in found)

    groups = clusters_for(tree.user("district_admin"), week=stats.week_monday(timezone.localdate()))
    voted = [c for c in groups if c.likes > 0]
    assert voted and all(len(c.grids) >= 2 for c in voted)

    problem = MonthlyProblem.objects.get()
    assert problem.status == "in_progress" and problem.street == tree.streets[0] and problem.cases.count() >= 10
    assert [u.action for u in problem.updates.all()] == ["promote", "start", "progress"]
    assert problem.lead_unit.name.startswith("十堰市水务集团")


@pytest.mark.parametrize("local_end", ["2026-11-30 00:10", "2026-11-30 06:59", "2026-11-30 07:00", "2026-12-02 15:00"])
def test_the_whole_surge_is_written_whenever_the_demo_is_loaded(tree, monkeypatch, local_end):
    """Loaded early on a Monday (before 07:00 in China, Sunday 16:00–23:00 UTC), this week's share of
    the surge went missing, and test_demo_step failed whenever the suite ran in those seven hours."""
    _street, plan = _plan(tree, monkeypatch)
    end = timezone.make_aware(datetime.fromisoformat(local_end))
    grids = 2  # the test tree's second community has two grids
    assert demo_hotspots.load_hotspots(plan, end=end)["surge"] == sum(sum(n[:grids]) for _w, n in demo_hotspots.SURGE)
