"""Who sees which case: by the case's place, by the unit holding it, by having reported it."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.models import Case
from grassroots.cases.selectors import case_get_by_tracking_code, case_get_for, cases_visible_to
from tests.factories import make_user

VIEWERS = {
    "A": {"grid_worker_A", "community_worker_1", "street_admin_1", "district_admin", "root", "resident"},
    "B": {"grid_worker_B", "community_worker_1", "street_admin_1", "district_admin", "root"},
    "C": {"community_worker_2", "street_admin_1", "district_admin", "root"},
    "hotline": {"district_admin", "root"},
}


@pytest.fixture
def placed(tree, new_case):
    tree.users["resident"] = make_user("resident", Role.RESIDENT, area=tree.households[0])
    return {
        "A": new_case("A", actor=tree.user("resident")),
        "B": new_case("B"),
        "C": new_case("C"),
        "hotline": new_case(area=None, district_code=tree.district.code, channel="hotline"),
    }


@pytest.mark.parametrize("username", ["grid_worker_A", "grid_worker_B", "community_worker_1",
                                      "community_worker_2", "street_admin_1", "district_admin", "root",
                                      "dept_handler", "nobody", "resident"])
def test_scope(tree, placed, username):
    user = tree.user(username)
    visible = set(cases_visible_to(user).values_list("pk", flat=True))
    for place, case in placed.items():
        expected = username in VIEWERS[place]
        assert (case.pk in visible) is expected, place
        if not expected:
            with pytest.raises(Case.DoesNotExist):
                case_get_for(user, case.pk)


def test_a_unit_sees_what_it_holds_and_loses_it_when_reassigned(tree, placed):
    dept, cw2 = tree.user("dept_handler"), tree.user("community_worker_2")
    case = placed["C"]
    svc.case_accept(case=case, actor=cw2)
    svc.case_dispatch(case=case, actor=cw2, to_unit=tree.units["dept"])
    assert list(cases_visible_to(dept)) == [case]
    svc.case_reassign(case=case, actor=cw2, to_area=tree.grid("C"))
    assert not cases_visible_to(dept).exists()


def test_anonymous_sees_nothing_but_finds_a_case_by_its_tracking_code(tree, placed):
    from django.contrib.auth.models import AnonymousUser

    assert not cases_visible_to(AnonymousUser()).exists()
    case = placed["B"]
    code = case.tracking_code
    assert case_get_by_tracking_code(f" {code[:4].lower()}-{code[4:]} ") == case
    with pytest.raises(Case.DoesNotExist):
        case_get_by_tracking_code("")
    with pytest.raises(Case.DoesNotExist):
        case_get_by_tracking_code("0000-0000-0000")
