"""The test tree with its Party branches (tests/people/world.py), this year's default scheme, and a
branch secretary of grid A. Street 1 holds grids A–D (communities 1 and 2), street 2 grids E–H."""

from __future__ import annotations

import pytest
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.stars.models import INSPECTOR
from grassroots.stars.services import scheme_ensure
from tests.factories import make_user

YEAR = timezone.localdate().year


@pytest.fixture
def scheme(world):
    return scheme_ensure(district_code=world.tree.district.code, year=YEAR, actor=world.tree.user("district_admin"))


@pytest.fixture
def secretary_a(world):
    return make_user("secretary_A", Role.PARTY_SECRETARY, area=world.tree.grid("A"))


@pytest.fixture
def street2_admin(world):
    return make_user("street_admin_2", Role.STREET_ADMIN, area=world.tree.streets[1])


def inspector_criteria(scheme):
    return list(scheme.criteria.filter(source=INSPECTOR))
