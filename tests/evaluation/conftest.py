"""A case dispatched by community 1 to the district's 住建局, and helpers to walk more cases."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from tests.factories import make_user


def dispatch(case, *, by, unit):
    svc.case_accept(case=case, actor=by)
    svc.case_dispatch(case=case, actor=by, to_unit=unit)
    return case


def reply(case, *, by, text="已派人维修，灯已修好。"):
    svc.case_take(case=case, actor=by)
    svc.case_reply(case=case, actor=by, reply=text)
    return case


@pytest.fixture
def people(tree):
    """Users beyond the tree's: the second street's admin and a worker of its first community, and a
    handler of the property company (another unit)."""
    return {
        "street_admin_2": make_user("street_admin_2", Role.STREET_ADMIN, area=tree.streets[1]),
        "community_worker_3": make_user("community_worker_3", Role.COMMUNITY_WORKER, area=tree.communities[2]),
        "property_handler": make_user("property_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["property"]),
    }


@pytest.fixture
def dispatched(tree, new_case):
    """Case in grid A, dispatched to 区住建局 by community 1's worker (not replied yet)."""
    return dispatch(new_case(), by=tree.user("community_worker_1"), unit=tree.units["dept"])


@pytest.fixture
def replied(tree, dispatched):
    return reply(dispatched, by=tree.user("dept_handler"))


@pytest.fixture
def other_street_case(tree, new_case, people):
    """Case in grid E (street 2), dispatched by community 3's worker to 区住建局 and replied."""
    case = dispatch(new_case("E"), by=people["community_worker_3"], unit=tree.units["dept"])
    return reply(case, by=tree.user("dept_handler"))
