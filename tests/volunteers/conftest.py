"""Volunteers' fixtures: verified residents of community 1 and an activity it publishes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.volunteers.services import activity_create
from tests.factories import resident_user


@pytest.fixture
def residents(tree):
    return [resident_user(tree, n) for n in range(1, 8)]  # residents 1–8 live in community 1


@pytest.fixture
def activity(tree):
    start = timezone.now() + timedelta(hours=1)
    return activity_create(community=tree.communities[0], actor=tree.user("community_worker_1"), title="清理小区楼道",
                           place="阳光小区3栋", starts_at=start, ends_at=start + timedelta(hours=2), slots=2)
