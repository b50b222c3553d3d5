"""Party organisations, members, grid staff, volunteers, seats and duties on top of ``build_tree``.

    world = populate(tree)
    world.party_members["A"]   # the member of grid A's branch (the first resident of grid A)
    world.residents["B"]       # the first resident of grid B

Objects are keyed by place: "A".."H" for grids, "c1".."c4" for communities, "district".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grassroots.cases.models import Category
from grassroots.orgs.models import CommitteeSeat, Duty, PartyLevel, PartyOrg, Unit, UnitKind
from grassroots.people.models import GridStaff, PartyMember, Resident, StaffRole, Volunteer
from grassroots.people.services import person_upsert
from tests.factories import Tree

LETTERS = "ABCDEFGH"


@dataclass
class World:
    tree: Tree
    residents: dict[str, Resident] = field(default_factory=dict)
    committees: dict[str, PartyOrg] = field(default_factory=dict)
    branches: dict[str, PartyOrg] = field(default_factory=dict)
    groups: list[PartyOrg] = field(default_factory=list)
    party_members: dict[str, PartyMember] = field(default_factory=dict)
    grid_staff: dict[str, GridStaff] = field(default_factory=dict)
    volunteers: dict[str, Volunteer] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    red_branch: PartyOrg | None = None
    duty: Duty | None = None
    seat: CommitteeSeat | None = None


def populate(tree: Tree) -> World:
    world = World(tree=tree)
    street_committees = {o.area_id: o for o in PartyOrg.objects.filter(level=PartyLevel.STREET_COMMITTEE)}
    for i, community in enumerate(tree.communities):
        world.committees[f"c{i + 1}"] = PartyOrg.objects.create(
            name=f"{community.name}大党委", level=PartyLevel.COMMUNITY_COMMITTEE, area=community,
            parent=street_committees[community.parent_id], secretary=f"书记{i + 1}")
    for i, grid in enumerate(tree.grids):
        letter = LETTERS[i]
        committee = world.committees[f"c{i // 2 + 1}"]
        branch = PartyOrg.objects.create(name=f"网格{letter}党支部", level=PartyLevel.GRID_BRANCH,
                                         area=grid, parent=committee)
        world.branches[letter] = branch
        for building in tree.buildings[2 * i:2 * i + 2]:
            world.groups.append(PartyOrg.objects.create(
                name=f"网格{letter}{building.name}党小组", level=PartyLevel.BUILDING_GROUP,
                area=building, parent=branch))
        resident = tree.residents[4 * i]
        world.residents[letter] = resident
        world.party_members[letter] = PartyMember.objects.create(person=resident.person, org=branch)
        staff = person_upsert(name=f"网格员{letter}", district_code=tree.district.code,
                              phone=f"139{i:08d}")
        world.grid_staff[letter] = GridStaff.objects.create(person=staff, grid=grid,
                                                            role=StaffRole.GRID_WORKER)
    for i, community in enumerate(tree.communities):
        person = person_upsert(name=f"志愿者{i + 1}", district_code=tree.district.code,
                               phone=f"137{i:08d}")
        world.volunteers[f"c{i + 1}"] = Volunteer.objects.create(person=person, area=community,
                                                                 team="红马甲")
    _units(world)
    return world


def _units(world: World) -> None:
    tree = world.tree
    world.red_branch = PartyOrg.objects.create(name="阳光物业党支部", level=PartyLevel.GRID_BRANCH,
                                               area=tree.grid("A"), parent=world.committees["c1"])
    prop = tree.units["property"]
    prop.party_org = world.red_branch
    prop.save()
    world.units["c1"] = prop
    world.units["district"] = tree.units["dept"]
    world.units["c2"] = Unit.objects.create(name="和美物业", kind=UnitKind.PROPERTY, area=tree.communities[1])
    world.seat = CommitteeSeat.objects.create(unit=prop, committee=world.committees["c1"],
                                              holder="王经理", title="兼职委员")
    category = Category.objects.filter(level=3).order_by("code").first()
    world.duty = Duty.objects.create(unit=tree.units["dept"], category=category, area=tree.district,
                                     note="负责房屋安全")
