"""双报到 fixtures: the world of tests/people (branches per grid, a member per grid), with grid A's
member in service at the district housing bureau, an account for them, and community 1's posts."""

from __future__ import annotations

import pytest

from grassroots.people.models import PartyMember
from grassroots.service.services import posts_defaults_create
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def posts(world):
    made = posts_defaults_create(community=world.tree.communities[0], actor=world.tree.user("community_worker_1"))
    return {p.name: p for p in made}


@pytest.fixture
def member(world):
    """(user, PartyMember) of grid A's member, in service at 区住建局 (which has a Party branch)."""
    from grassroots.orgs.models import PartyLevel, PartyOrg

    dept = world.tree.units["dept"]
    dept.party_org = PartyOrg.objects.create(name="区住建局机关党支部", level=PartyLevel.GRID_BRANCH,
                                             area=world.tree.district)
    dept.save()
    pm = world.party_members["A"]
    PartyMember.objects.filter(pk=pm.pk).update(in_service=True, employer=dept)
    pm.refresh_from_db()
    return make_user("member_a"), pm


def identity(pm) -> dict:
    return {"name": pm.person.name, "id_number": pm.person.plain("id_number")}
