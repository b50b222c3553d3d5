"""Two co-building units registered (双报到) with community 1 and their commitments approved."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role
from grassroots.orgs.models import Unit, UnitKind
from grassroots.service.services import unit_register, unit_registration_decide
from tests.factories import make_user


@pytest.fixture
def units(tree):
    c1 = tree.communities[0]
    worker = tree.user("community_worker_1")
    hospital = Unit.objects.create(name="区人民医院", kind=UnitKind.COBUILD, area=tree.district)
    make_user("hospital_staff", Role.DEPARTMENT_HANDLER, unit=hospital)
    regs = [
        unit_register(unit=hospital, community=c1, actor=worker, services="每月义诊、健康讲座", volunteers=6,
                      contact_name="王医生", contact_phone="13812345678"),
        unit_register(unit=tree.units["dept"], community=c1, actor=worker, venue_hours="周六 9:00-17:00 会议室",
                      resources="维修工具一套", contact_name="李科长", contact_phone="13812345679"),
    ]
    for reg in regs:
        unit_registration_decide(registration=reg, actor=worker, approve=True)
    return {"hospital": hospital, "dept": tree.units["dept"], "regs": regs}
