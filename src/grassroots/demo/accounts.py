"""The demo accounts: one per role, at the places the Zhangwan article talks about.

``DEMO_ACCOUNTS`` (username, role label, place) is what the README lists; all share
``DEMO_PASSWORD``. Places are given for the Zhangwan scale; at the Changchun scale the same
accounts sit at the first street / community / grid.
"""

from __future__ import annotations

from typing import NamedTuple

DEMO_PASSWORD = "demo12345"


class DemoAccount(NamedTuple):
    username: str
    role_label: str
    place: str


class _Spec(NamedTuple):
    username: str
    role: str | None  # accounts.Role value; None for the superuser
    at: str  # district | street | community | grid | household | unit


_SPECS = [
    _Spec("admin", None, "district"),
    _Spec("district", "district_admin", "district"),
    _Spec("street", "street_admin", "street"),
    _Spec("community", "community_worker", "community"),
    _Spec("gridleader", "grid_leader", "grid"),
    _Spec("grid", "grid_worker", "grid"),
    _Spec("assistant", "grid_assistant", "grid"),
    _Spec("secretary", "party_secretary", "community"),
    _Spec("dept", "department_handler", "unit"),
    _Spec("member", "party_member", "community"),
    _Spec("leader", "leader", "district"),
    _Spec("resident", "resident", "household"),
]

DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("admin", "超级管理员", "全部（可进入后台 /admin/）"),
    DemoAccount("district", "区级管理员", "张湾区"),
    DemoAccount("street", "街道管理员", "张湾区汉江路街道"),
    DemoAccount("community", "社区工作者", "汉江路街道阳光社区"),
    DemoAccount("gridleader", "网格长", "阳光社区阳光栖谷小区网格"),
    DemoAccount("grid", "网格员", "阳光社区阳光栖谷小区网格"),
    DemoAccount("assistant", "网格辅助员", "阳光社区阳光栖谷小区网格"),
    DemoAccount("secretary", "党组织书记", "阳光社区大党委"),
    DemoAccount("dept", "部门/单位经办人", "张湾区住建局"),
    DemoAccount("member", "党员（接单）", "阳光社区（在职党员双报到）"),
    DemoAccount("leader", "领导(只读)", "张湾区"),
    DemoAccount("resident", "居民", "阳光栖谷小区1栋1单元101室"),
    DemoAccount("volunteer", "志愿者（服务队队长）", "阳光社区"),
    DemoAccount("woodpecker", "啄木鸟（外卖骑手）", "阳光社区"),
    DemoAccount("unit", "共建单位联系人", "阳光社区的一个共建单位"),
    DemoAccount("merchant", "积分商家核销员（红色物业）", "阳光社区的物业服务企业"),
]
DEMO_USERNAMES = [a.username for a in DEMO_ACCOUNTS]
DEPARTMENT_SUFFIX = "住建局"


def account_places(plan) -> dict[str, str]:
    """Area codes (or the unit name for ``unit``) where the accounts of ``plan`` sit."""
    dc = plan.district_code
    grid = f"{dc}001001001"
    return {
        "district": dc, "street": f"{dc}001", "community": f"{dc}001001", "grid": grid,
        "household": f"{grid}0010001",
        "unit": next(u.key for u in plan.units if u.kind == "department" and u.key.endswith(DEPARTMENT_SUFFIX)),
    }


def create_demo_users(plan, *, area_ids: dict[str, int], unit_ids: dict[str, int],
                      person_ids: list[int]) -> list:
    """Create the accounts of ``DEMO_ACCOUNTS`` with their role rows; link the grid staff and the
    resident to their Person rows. The password is hashed once and shared (demo only)."""
    from django.contrib.auth.hashers import make_password

    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.core.i18n import source_label
    from grassroots.people.models import Person

    places = account_places(plan)
    password = make_password(DEMO_PASSWORD)
    staff_person = {s.role: s.person for s in plan.staff if s.grid == places["grid"]}
    resident_person = next((r.person for r in plan.residents if r.household == places["household"]), None)
    secretary = next((o.secretary for o in plan.orgs
                      if o.key == f"community_committee:{places['community']}"), "")
    # The Party member who takes cases: an in-service member of one of the community's branches.
    member_person = next((m.person for m in plan.members if m.in_service and places["community"] in m.org), None)
    users = []
    for spec in _SPECS:
        if spec.at == "household" and places["household"] not in area_ids:
            continue  # --people none: no households, no resident account
        person = None
        if spec.role in staff_person:
            person = staff_person[spec.role]
        elif spec.role == "resident":
            person = resident_person
        elif spec.role == "party_member":
            person = member_person
        label = source_label(Role, spec.role) if spec.role else "超级管理员"
        display = (plan.persons[person].name if person is not None
                   else secretary if spec.role == "party_secretary" and secretary else f"演示{label}")
        user = User.objects.create(username=spec.username, password=password, display_name=display,
                                   is_superuser=spec.role is None, is_staff=spec.role is None)
        if spec.role:
            where = ({"unit_id": unit_ids[places["unit"]]} if spec.at == "unit"
                     else {"area_id": area_ids[places[spec.at]]})
            RoleAssignment.objects.create(user=user, role=spec.role, **where)
        if person is not None:
            Person.objects.filter(pk=person_ids[person]).update(user=user)
        if spec.role == "resident" and person is not None:
            _resident_account(user, Person.objects.get(pk=person_ids[person]), area_ids[places["household"]])
        users.append(user)
    return users


def _resident_account(user, person, household_id: int) -> None:
    """The demo resident signs in with a text-message code like any resident: their account is the
    verified one of their household (the phone columns copied as they are, already encrypted)."""
    from django.utils import timezone

    from grassroots.portal.models import ResidentAccount

    ResidentAccount.objects.create(
        user=user, phone_enc=person.phone_enc, phone_index=person.phone_index, phone_masked=person.phone_masked,
        status=ResidentAccount.Status.VERIFIED, method=ResidentAccount.Method.REGISTER, person=person,
        household_id=household_id, verified_at=timezone.now(), district_code=person.district_code)
