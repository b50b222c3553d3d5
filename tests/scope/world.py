"""The scope matrix's world: two streets of one district, objects of many kinds in each place, each
carrying a marker that must never reach a user who may not see that place.

Places (``tests.factories.build_tree``): street s1 holds community c1 (grids A, B) and c2 (grids C,
D); street s2 holds c3 (E, F) and c4 (G, H). Two departments: u1 (区住建局, the handler
``dept_handler``) and u2 (区水务局). A marker is an ASCII string (``MKRAresZ``, a masked phone …) so it
reads the same in HTML, JSON (escaped or not), a spreadsheet cell and a PDF's text.

Each object is filed under a kind (its model label, "cases.case", …) and a place; each marker under
the *tags* of what it belongs to (a place, a unit "u1", a user "@grid_worker_A"). A user may see a
marker when one of its tags is among the user's places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.cases.models import Channel
from grassroots.cases.services import case_accept, case_create, case_dispatch
from grassroots.core.crypto import mask_id_number, mask_phone
from grassroots.notifications.services import notify
from grassroots.orgs.models import Unit, UnitKind
from grassroots.people.models import Person
from grassroots.reports.services import report_request
from grassroots.volunteers.services import activity_create
from grassroots.wishes.services import wish_publish
from grassroots.woodpeckers.services import woodpecker_apply
from tests.factories import build_tree, make_user
from tests.people.world import populate

GRIDS = "ABCDEFGH"
COMMUNITIES = ["c1", "c2", "c3", "c4"]
STREETS = ["s1", "s2"]


@dataclass
class ScopeWorld:
    tree: object
    people: object
    areas: dict[str, object] = field(default_factory=dict)          # place → Area
    objects: dict[str, dict[str, object]] = field(default_factory=dict)  # kind → place → object
    markers: dict[str, frozenset[str]] = field(default_factory=dict)  # marker → tags
    users: dict[str, object] = field(default_factory=dict)          # role name → user (None: anonymous)
    units: dict[str, Unit] = field(default_factory=dict)

    def put(self, kind: str, place: str, obj) -> None:
        self.objects.setdefault(kind, {})[place] = obj

    def mark(self, marker: str, *tags: str) -> None:
        assert marker not in self.markers, marker
        self.markers[marker] = frozenset(tags)

    def community_of(self, place: str) -> str:
        if place in GRIDS:
            return COMMUNITIES[GRIDS.index(place) // 2]
        return place

    def street_of(self, place: str) -> str:
        place = self.community_of(place)
        if place in COMMUNITIES:
            return STREETS[COMMUNITIES.index(place) // 2]
        return place


def _mark_person(world: ScopeWorld, person: Person, name: str, *tags: str) -> None:
    Person.objects.filter(pk=person.pk).update(name=name)
    world.mark(name, *tags)
    person.refresh_from_db()
    for field_name, mask in (("phone", mask_phone), ("id_number", mask_id_number)):
        plain = person.plain(field_name)
        if plain:
            world.mark(plain, *tags)
            world.mark(mask(plain), *tags)


def build_world() -> ScopeWorld:
    tree = build_tree()
    people = populate(tree)
    world = ScopeWorld(tree=tree, people=people)
    for letter in GRIDS:
        world.areas[letter] = tree.grid(letter)
    for i, c in enumerate(COMMUNITIES):
        world.areas[c] = tree.communities[i]
    for i, s in enumerate(STREETS):
        world.areas[s] = tree.streets[i]
    world.areas["district"] = tree.district
    world.units["u1"] = tree.units["dept"]
    world.units["u2"] = Unit.objects.create(name="区水务局", kind=UnitKind.DEPARTMENT, area=tree.district)
    world.put("orgs.unit", "u1", world.units["u1"])
    world.put("orgs.unit", "u2", world.units["u2"])
    world.put("orgs.unit", "c2", people.units["c2"])
    _users(world)
    _people(world)
    _cases(world)
    _serving(world)
    _notes(world)
    return world


def _users(world: ScopeWorld) -> None:
    tree = world.tree
    view_all = list(Permission.objects.filter(codename__startswith="view_"))
    for name in ("grid_worker_A", "community_worker_1", "street_admin_1", "dept_handler", "district_admin"):
        user = tree.user(name)
        user.is_staff = True  # the admin is scoped like the pages: let them in and check what they see
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(*view_all)
        world.users[name] = user
    # a verified resident: the account of grid A's first resident
    resident = world.people.residents["A"]
    user = make_user("resident_A", Role.RESIDENT, area=resident.household)
    Person.objects.filter(pk=resident.person_id).update(user=user)
    world.users["resident_A"] = user
    world.users["anonymous"] = None


def _people(world: ScopeWorld) -> None:
    people = world.people
    for letter in GRIDS:
        tags = (letter, "@resident_A") if letter == "A" else (letter,)
        _mark_person(world, people.residents[letter].person, f"MKR{letter}resZ", *tags)
        world.put("people.resident", letter, people.residents[letter])
        world.put("people.person", letter, people.residents[letter].person)
        world.put("people.partymember", letter, people.party_members[letter])
        _mark_person(world, people.grid_staff[letter].person, f"MKR{letter}staffZ", letter)
        world.put("people.gridstaff", letter, people.grid_staff[letter])
        world.put("orgs.partyorg", letter, people.branches[letter])
    for c in COMMUNITIES:
        _mark_person(world, people.volunteers[c].person, f"MKR{c}volZ", c)
        world.put("people.volunteer", c, people.volunteers[c])
        world.put("orgs.partyorg", c, people.committees[c])
    for place, area in world.areas.items():
        world.put("areas.area", place, area)


def _cases(world: ScopeWorld) -> None:
    admin = world.tree.user("district_admin")
    for i, letter in enumerate(GRIDS):
        phone = f"1360000{i:04d}"
        case = case_create(title=f"MKR{letter}caseZ", body=f"楼道灯不亮 MKR{letter}bodyZ",
                           channel=Channel.RESIDENT_WEB, area=world.areas[letter],
                           contact_name=f"MKR{letter}contactZ", contact_phone=phone)
        tags = [letter]
        unit = {"B": "u1", "E": "u2"}.get(letter)
        if unit:  # B's case is dispatched to unit 1, E's to unit 2
            case_accept(case=case, actor=admin)
            case_dispatch(case=case, to_unit=world.units[unit], actor=admin)
            tags.append(unit)
        for m in (f"MKR{letter}caseZ", f"MKR{letter}bodyZ", f"MKR{letter}contactZ", phone, mask_phone(phone)):
            world.mark(m, *tags)
        case.refresh_from_db()
        world.put("cases.case", letter, case)
        if unit:
            world.put("cases.case", unit, case)


def _serving(world: ScopeWorld) -> None:
    admin = world.tree.user("district_admin")
    start = timezone.now() + timedelta(days=2)
    for c in COMMUNITIES:
        community = world.areas[c]
        wish = wish_publish(community=community, actor=admin, title=f"收音机{c}", story="想听广播",
                            private_name=f"MKR{c}wishZ", private_contact=f"MKR{c}wcontactZ")
        world.mark(f"MKR{c}wishZ", c)
        world.mark(f"MKR{c}wcontactZ", c)
        world.put("wishes.wish", c, wish)
        activity = activity_create(community=community, actor=admin, title=f"义诊{c}", place="卫生站",
                                   starts_at=start, ends_at=start + timedelta(hours=2), slots=5)
        world.put("volunteers.activity", c, activity)
        rider = woodpecker_apply(user=make_user(f"rider_{c}"), name=f"MKR{c}riderZ", community=community,
                                 group="rider", duties=["patroller"])
        world.mark(f"MKR{c}riderZ", c)
        world.put("woodpeckers.woodpecker", c, rider)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for s in STREETS:
        report, _ = report_request(area=world.areas[s], month=month, actor=admin)
        world.put("reports.monthlyreport", s, report)


def _notes(world: ScopeWorld) -> None:
    """A notification in the inbox of a user of each place (only its recipient may read it)."""
    tree = world.tree
    for username in ("grid_worker_A", "grid_worker_B", "community_worker_1", "community_worker_2",
                     "street_admin_1", "dept_handler", "district_admin"):
        marker = f"MKR{username}noteZ"
        (note,) = notify(recipients=[tree.user(username)], kind="system", title=marker, body="x",
                         key=f"scope-{username}")
        world.mark(marker, f"@{username}")
        world.put("notifications.notification", f"@{username}", note)
