"""Verified residents of the test tree (households under grids A–D), a council series."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.deliberation.services import series_create
from grassroots.portal.models import ResidentAccount
from tests.factories import make_user


def verified(tree, n: int, *, household=None, username: str | None = None):
    """An account of the n-th resident, verified to their household (or to ``household``)."""
    resident = tree.residents[n - 1]
    household = household or resident.household
    user = make_user(username or f"res{n}", Role.RESIDENT, area=household)
    account = ResidentAccount(user=user, status=ResidentAccount.Status.VERIFIED, person=None if username else
                              resident.person, household=household, verified_at=timezone.now(),
                              district_code=household.code[:6])
    account.set_phone(f"139{n:04d}{len(username or ''):04d}")
    account.save()
    return user


@pytest.fixture
def residents(tree):
    """Verified residents 1–8: households of community 1 (two per building, grids A and B)."""
    return [verified(tree, n) for n in range(1, 9)]


@pytest.fixture
def council(tree):
    return series_create(community=tree.communities[0], actor=tree.user("community_worker_1"), kind="council")


def later(days: int = 7):
    return timezone.now() + timedelta(days=days)
