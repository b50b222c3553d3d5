"""The demo's hot problems (demo/hotspots.py) on the test tree: the tap-water surge is found at its
community, the voted complaints come out as a cluster across grids with their likes, and the street
account's problem of the month is in progress."""

from __future__ import annotations

from datetime import timedelta
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


def test_demo_step(tree, monkeypatch):
    monkeypatch.setattr(demo_hotspots, "MIN_HISTORY", 0)
    street = make_user("street", Role.STREET_ADMIN, area=tree.streets[0])
    Unit.objects.create(name="十堰市水务集团张湾分公司", kind=UnitKind.UTILITY, area=tree.district)
    plan = SimpleNamespace(district_code="420303", seed=1, district_name="张湾区",
                           units=[SimpleNamespace(kind="department", key="区住建局")])
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
