"""Residents of the test tree tied to accounts (as verified residents are), and closed cases they reported."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from grassroots.assessment.periods import TZ
from grassroots.cases import hooks
from grassroots.cases.models import Case
from grassroots.cases.services import case_receive
from tests.factories import resident_user

T0 = datetime(2022, 3, 10, 9, 0, tzinfo=TZ)


@pytest.fixture
def me(tree):
    return resident_user(tree, 1)  # community 1


@pytest.fixture
def closed_case(tree):
    def make(*, user=None, person=None, at=T0, grid="A", title="楼道灯不亮", status=Case.Status.CLOSED):
        case, _ = case_receive(title=title, body=f"{title}，请尽快处理。", channel="resident_web",
                               area=tree.grid(grid), reporter=person, contact_name="王小明",
                               contact_phone="13812345678", address="阳光小区3栋2单元501")
        fields = {"created_at": at, "status": status, "responded_at": at + timedelta(hours=2),
                  "replied_at": at + timedelta(hours=20),
                  "closed_at": at + timedelta(hours=44) if status == Case.Status.CLOSED else None,
                  "rating": "satisfied", "deadline": at + timedelta(hours=48), "reporter_user": user}
        before = hooks.snapshot(case)
        Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
        hooks.run_case_written(before, case)
        return case

    return make
