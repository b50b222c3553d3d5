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
from grassroots.privacy.models import PrivacyRequest
from grassroots.reports.services import report_request
from grassroots.volunteers.services import activity_create
from grassroots.wishes.services import wish_publish
from grassroots.woodpeckers.services import woodpecker_apply
from tests.factories import build_tree, make_user
from tests.people.world import populate
from tests.scope.world_gaps import build_gaps

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
    users_extra: dict[str, object] = field(default_factory=dict)  # staff of street 2's side (not under test)
    star_scheme: object = None
    person_markers: dict[int, list[str]] = field(default_factory=dict)  # person pk → the markers of them
    # markers that are bare digits (redemption codes): found only standing alone, not inside a
    # longer number (an ID number, a timestamp), where eight random digits turn up by chance
    bounded: set[str] = field(default_factory=set)

    def put(self, kind: str, place: str, obj) -> None:
        self.objects.setdefault(kind, {})[place] = obj

    def mark(self, marker: str, *tags: str) -> None:
        assert marker not in self.markers, marker
        self.markers[marker] = frozenset(tags)

    def tag(self, markers, *tags: str) -> None:
        """Add tags to markers already made (a user who may also see them: their own name, …)."""
        for marker in markers:
            self.markers[marker] = self.markers[marker] | frozenset(tags)

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
    made = world.person_markers.setdefault(person.pk, [])
    made.append(name)
    person.refresh_from_db()
    for field_name, mask in (("phone", mask_phone), ("id_number", mask_id_number)):
        plain = person.plain(field_name)
        if plain:
            world.mark(plain, *tags)
            world.mark(mask(plain), *tags)
            made += [plain, mask(plain)]


def build_world(*, files: bool = True) -> ScopeWorld:
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
    _more(world)
    build_gaps(world, files=files)
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
    # the other staff roles, each where the role works: a 网格长 and a 网格辅助员 of grid A, the secretary of
    # community 1's Party committee (the role is held at the organisation's area), a read-only leader
    # of street 1. (The 接单 Party member is made with the 双报到 registrations: _members.)
    for name, role, place in (("grid_leader_A", Role.GRID_LEADER, "A"), ("grid_assistant_A", Role.GRID_ASSISTANT, "A"),
                              ("party_secretary_c1", Role.PARTY_SECRETARY, "c1"), ("leader_s1", Role.LEADER, "s1")):
        user = make_user(name, role, area=world.areas[place], is_staff=True)
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
        # a resident's pending correction request: decided by their community, seen by nobody else
        household = people.residents[letter].household
        request = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.CORRECTION, person=people.residents[letter].person, field="name",
            reason=f"MKR{letter}privZ", area_code=household.code, district_code=household.code[:6])
        world.mark(f"MKR{letter}privZ", *tags)
        world.put("privacy.privacyrequest", letter, request)
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
    month = timezone.localdate().strftime("%Y-%m")  # this month's: its problem of the month is in it
    for s in STREETS:
        report, _ = report_request(area=world.areas[s], month=month, actor=admin)
        world.put("reports.monthlyreport", s, report)


PLACE_OF_USER = {"grid_worker_A": "A", "grid_worker_B": "B", "community_worker_1": "c1", "community_worker_2": "c2",
                 "street_admin_1": "s1", "dept_handler": "u1", "district_admin": "district"}


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
        # … and under the recipient's place, so that the matrix throws its id at the others
        world.put("notifications.notification", PLACE_OF_USER[username], note)


def _more(world: ScopeWorld) -> None:
    """Objects of the remaining kinds, one per community (or street), made through their services."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.deliberation.services import meeting_plan, resolution_add, series_create
    from grassroots.hotspots.services import monthly_problem_promote
    from grassroots.matching.services import need_add, project_add
    from grassroots.points.services import merchant_save, offer_save
    from grassroots.service.services import unit_register
    from grassroots.volunteers.services import signup
    from grassroots.woodpeckers.services import quick_report_submit, woodpecker_decide
    from tests.portal.conftest import photo_bytes

    admin = world.tree.user("district_admin")
    today = timezone.localdate()
    for i, c in enumerate(COMMUNITIES):
        community = world.areas[c]
        grid = GRIDS[2 * i]
        # a woodpecker's quick report from the community's first grid
        rider = world.objects["woodpeckers.woodpecker"][c]
        woodpecker_decide(woodpecker=rider, actor=admin, approve=True)
        done = quick_report_submit(reporter=rider.user, key=f"5f1c9a0e-5b7d-4c2e-9a1b-0c2d4e6f8a1{i}",
                                   category="fire", lat=32.605, lng=110.705 + 0.01 * GRIDS.index(grid),
                                   photo=SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg"),
                                   note=f"MKR{c}qrZ")
        world.mark(f"MKR{c}qrZ", c, grid)
        world.put("woodpeckers.quickreport", c, done.report)
        world.put("cases.caseattachment", c, done.report.case.attachments.first())
        # a unit's 双报到 registration with its contact's phone
        phone = f"1350000{i:04d}"
        reg = unit_register(unit=world.units["u1"], community=community, actor=world.tree.user("dept_handler"),
                            services="义诊", contact_name=f"MKR{c}ucontactZ", contact_phone=phone)
        world.mark(f"MKR{c}ucontactZ", c, "u1")
        world.put("service.unitregistration", c, reg)
        # a volunteer's sign-up (the community's first resident)
        volunteer = make_user(f"volunteer_{c}", Role.RESIDENT, area=world.tree.residents[8 * i + 1].household)
        Person.objects.filter(pk=world.tree.residents[8 * i + 1].person_id).update(user=volunteer)
        row = signup(activity=world.objects["volunteers.activity"][c], user=volunteer)
        world.put("volunteers.signup", c, row)
        # deliberation: a meeting of the council, a resolution
        series = series_create(community=community, actor=admin, kind="council")
        meeting = meeting_plan(series=series, actor=admin, starts_at=timezone.now() + timedelta(days=3),
                               place="会议室")
        world.put("deliberation.meeting", c, meeting)
        resolution = resolution_add(community=community, actor=admin, title=f"更换路灯{c}",
                                    deadline=today + timedelta(days=30))
        world.put("deliberation.resolution", c, resolution)
        # the three lists: a need entered by staff, a project
        need = need_add(actor=admin, area=world.areas[grid], title=f"助餐{c}", detail=f"MKR{c}needZ")
        world.mark(f"MKR{c}needZ", c, grid)
        world.put("matching.need", c, need)
        project = project_add(community=community, actor=admin, title=f"助餐点{c}",
                              deadline=today + timedelta(days=60))
        world.put("matching.project", c, project)
        # points: a merchant and an offer
        handler = make_user(f"merchant_{c}")
        merchant = merchant_save(community=community, actor=admin, name=f"便民超市{c}", kind="shop",
                                 handlers=handler.username)
        world.put("points.merchant", c, merchant)
        offer = offer_save(merchant=merchant, actor=handler, values={
            "title": f"洗衣液{c}", "price": "100", "stock": "5", "per_person": "1",
            "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=60)).isoformat()})
        world.put("points.offer", c, offer)
    _members(world)
    _pairs_and_agreements(world)
    for s in STREETS:
        street = world.areas[s]
        problem, _ = monthly_problem_promote(
            actor=admin, street=street, title=f"停车难MKR{s}mpZ", lead_unit=world.units["u1"], plan=f"MKR{s}planZ",
            deadline=(today + timedelta(days=20)).isoformat(), source="rising", source_key=f"scope-{s}")
        world.mark(f"MKR{s}planZ", s)
        world.mark(f"MKR{s}mpZ", s)
        world.put("hotspots.monthlyproblem", s, problem)


def _members(world: ScopeWorld) -> None:
    """双报到: in each community the member of its second grid registers, is approved and records a
    service (its text is a marker). Community 1's member also holds the 接单 post, so they hold the
    party_member role there (the matrix's ``party_member_c1``), and a case of grid A is dispatched to
    them personally."""
    from grassroots.orgs.models import PartyLevel, PartyOrg
    from grassroots.people.models import PartyMember
    from grassroots.service.services import (
        member_register,
        member_registration_decide,
        posts_defaults_create,
        service_record_submit,
    )

    admin = world.tree.user("district_admin")
    dept = world.units["u1"]
    dept.party_org = PartyOrg.objects.create(name="区住建局机关党支部", level=PartyLevel.GRID_BRANCH,
                                             area=world.tree.district)
    dept.save()
    for i, c in enumerate(COMMUNITIES):
        letter = GRIDS[2 * i + 1]
        pm = world.people.party_members[letter]
        PartyMember.objects.filter(pk=pm.pk).update(in_service=True, employer=dept)
        posts = posts_defaults_create(community=world.areas[c], actor=admin)
        user = make_user(f"member_{c}")
        takes = [p for p in posts if p.takes_cases] if c == "c1" else []
        reg = member_register(user=user, name=pm.person.name, id_number=pm.person.plain("id_number"),
                              community=world.areas[c], household=world.people.residents[letter].household,
                              posts=posts[:1] + takes)
        reg = member_registration_decide(registration=reg, actor=admin, approve=True)
        world.put("service.memberregistration", c, reg)
        record = service_record_submit(registration=reg, actor=user, what=f"MKR{c}srZ",
                                       served_on=timezone.localdate(), hours="2")
        world.mark(f"MKR{c}srZ", c, letter, "u1")  # the member's employer reads their record
        world.put("service.servicerecord", c, record)
        if takes:
            member = "@party_member_c1"
            world.users["party_member_c1"] = user
            world.tag([f"MKR{c}srZ", *world.person_markers[pm.person_id]], member)  # their own record, name, …
            case = case_create(title="MKRAtakeZ", body="楼道堆物 MKRAtakebodyZ", channel=Channel.RESIDENT_WEB,
                               area=world.areas["A"])
            case_accept(case=case, actor=admin)
            case_dispatch(case=case, to_user=user, actor=admin)
            world.mark("MKRAtakeZ", "A", member)
            world.mark("MKRAtakebodyZ", "A", member)
            world.put("cases.case", member, case)


def _pairs_and_agreements(world: ScopeWorld) -> None:
    """A second report of each grid's problem (the duplicate finder pairs it with the first), a
    双向服务协议 of unit 1 with community 1 (it may take part there: propose topics, …)."""
    from grassroots.duplicates.models import DuplicateCandidate
    from grassroots.matching.services import agreement_create
    from grassroots.service.services import unit_registration_decide

    admin = world.tree.user("district_admin")
    for letter in "ACE":
        first = world.objects["cases.case"][letter]
        again = case_create(title=first.title, body=first.body, channel=Channel.RESIDENT_WEB,
                            area=world.areas[letter])
        pair = DuplicateCandidate.objects.filter(case=again).first()
        if pair is not None:
            world.put("duplicates.duplicatecandidate", letter, pair)
    for c in ("c1",):  # unit 1 is a co-building unit of community 1 only
        unit_registration_decide(registration=world.objects["service.unitregistration"][c], actor=admin,
                                 approve=True)
        world.put("matching.agreement", c, agreement_create(
            unit=world.units["u1"], community=world.areas[c], actor=admin, year=2026,
            signed_on=timezone.localdate(), items=[("unit", "每月义诊一次", None)]))
