"""A small, fully-built place tree for tests: one district, two streets, two communities each,
two grids per community (unit squares side by side), two buildings per grid, two households per
building, one resident per household; and a user for each role at the obvious place.

    tree = build_tree()
    tree.grid("A")            # grid A = first grid of the first community of the first street
    tree.user("grid_worker_A")
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grassroots.accounts.models import Role, RoleAssignment, User
from grassroots.areas.models import Area
from grassroots.areas.services import area_create
from grassroots.core.crypto import id_number_with_check
from grassroots.orgs.models import PartyLevel, PartyOrg, Unit, UnitKind
from grassroots.people.models import Person, Resident
from grassroots.people.services import person_upsert

PASSWORD = "test-pass-123"


def square(lng0: float, lat0: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lng0, lat0], [lng0 + size, lat0], [lng0 + size, lat0 + size],
                         [lng0, lat0 + size], [lng0, lat0]]],
    }


@dataclass
class Tree:
    district: Area
    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    grids: list[Area] = field(default_factory=list)
    buildings: list[Area] = field(default_factory=list)
    households: list[Area] = field(default_factory=list)
    residents: list[Resident] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)

    def grid(self, letter: str) -> Area:
        """Grids are lettered A, B, C, … in code order: A and B share community 1, C and D community 2."""
        return self.grids["ABCDEFGH".index(letter)]

    def user(self, name: str) -> User:
        return self.users[name]


def make_user(username: str, role: str | None = None, *, area: Area | None = None,
              unit: Unit | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username, **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, area=area, unit=unit)
    return user


def resident_user(tree: Tree, n: int) -> User:
    """An account tied to the n-th resident of the tree's register, as a verified resident account is
    (residents 1–8 live in community 1)."""
    resident = tree.residents[n - 1]
    user = make_user(f"resident_{n}", Role.RESIDENT, area=resident.household)
    Person.objects.filter(pk=resident.person_id).update(user=user)
    user.refresh_from_db()
    return user


def build_tree(district_code: str = "420303", lng0: float = 110.70, lat0: float = 32.60) -> Tree:
    district = area_create(name="张湾区", code=district_code, level="district")
    tree = Tree(district=district)
    n = 0
    for s in range(2):
        street = area_create(name=f"测试街道{s + 1}", parent=district)
        tree.streets.append(street)
        PartyOrg.objects.create(name=f"{street.name}党工委", level=PartyLevel.STREET_COMMITTEE, area=street)
        for c in range(2):
            community = area_create(name=f"测试社区{s + 1}-{c + 1}", parent=street)
            tree.communities.append(community)
            for _g in range(2):
                x = lng0 + 0.01 * (len(tree.grids))
                grid = area_create(name=f"网格{len(tree.grids) + 1}", parent=community,
                                   boundary=square(x, lat0))
                tree.grids.append(grid)
                for b in range(2):
                    building = area_create(name=f"{b + 1}栋", parent=grid,
                                           lat=lat0 + 0.002 + 0.004 * b, lng=x + 0.005)
                    tree.buildings.append(building)
                    for h in range(2):
                        household = area_create(name=f"{b + 1}栋{h + 1}01室", parent=building)
                        tree.households.append(household)
                        n += 1
                        id17 = f"{district_code}19800101{n:03d}"
                        person = person_upsert(name=f"居民{n}", district_code=district_code,
                                               id_number=id_number_with_check(id17),
                                               phone=f"138{n:08d}")
                        tree.residents.append(Resident.objects.create(
                            person=person, household=household, relation="head",
                            care_tags=["elderly_alone"] if n % 4 == 0 else []))
    tree.units["dept"] = Unit.objects.create(name="区住建局", kind=UnitKind.DEPARTMENT, area=district)
    tree.units["property"] = Unit.objects.create(name="阳光物业", kind=UnitKind.PROPERTY,
                                                 area=tree.communities[0])
    tree.users["district_admin"] = make_user("district_admin", Role.DISTRICT_ADMIN, area=district)
    tree.users["street_admin_1"] = make_user("street_admin_1", Role.STREET_ADMIN, area=tree.streets[0])
    tree.users["community_worker_1"] = make_user("community_worker_1", Role.COMMUNITY_WORKER,
                                                 area=tree.communities[0])
    tree.users["community_worker_2"] = make_user("community_worker_2", Role.COMMUNITY_WORKER,
                                                 area=tree.communities[1])
    for letter in "AB":
        tree.users[f"grid_worker_{letter}"] = make_user(f"grid_worker_{letter}", Role.GRID_WORKER,
                                                        area=tree.grid(letter))
    tree.users["dept_handler"] = make_user("dept_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["dept"])
    tree.users["nobody"] = make_user("nobody")
    tree.users["root"] = make_user("root", is_superuser=True, is_staff=True)
    return tree
