"""``load_demo`` once for the module (committed, removed again at the end), then read it back.

On SQLite — the database ``./dev demo`` creates — the full plan the README documents is loaded; on
PostgreSQL the light one (four households a building): every loader writes through the same services
there, with a quarter of the people. The full plan on PostgreSQL cost the suite's PostgreSQL stage
eight of its ten minutes of one worker, and the full plan's sizes are the generator's, not the database's.
"""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from shapely import STRtree
from shapely.geometry import Point, shape

from grassroots.accounts.models import RoleAssignment, User
from grassroots.areas.models import Area
from grassroots.cases.models import Case
from grassroots.core import crypto
from grassroots.core.models import AuditEntry
from grassroots.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from grassroots.demo.generator import build_plan
from grassroots.demo.loader import flush_demo
from grassroots.orgs.models import CommitteeSeat, Duty, PartyLevel, PartyOrg, Unit, UnitKind
from grassroots.people.models import GridStaff, PartyMember, Person, Resident, Volunteer
from tests.test_district_code import rows_without_district

SEED = 4242
DC = "420303"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
PEOPLE = "full" if connection.vendor == "sqlite" else "light"
HOUSEHOLDS_PER_BUILDING = {"full": (8, 16), "light": (4, 4)}[PEOPLE]
# one worker loads the demo once for the whole module (./dev test runs --dist loadgroup)
# the module's first test loads the demo district (up to 280 s on PostgreSQL here): pyproject.toml's timeout
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("load_demo"), pytest.mark.timeout(1200)]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    # the same fast hasher as tests/conftest.py, so check_password works inside the tests
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        call_command("load_demo", "--seed", str(SEED), "--people", PEOPLE, "--cases", "0", stdout=StringIO())
        try:
            yield
        finally:
            flush_demo()
            # the district's whole audit chain goes, not a part of it (a later module verifies its own chain)
            AuditEntry.objects.filter(Q(action__startswith="demo.") | Q(district_code=DC)).delete()


def stats(*args) -> dict:
    out = StringIO()
    call_command("stats", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_stats_show_the_documented_counts():
    s = stats()
    assert {k: s["areas"][k] for k in ("district", "street", "community", "grid", "building")} == {
        "district": 1, "street": 4, "community": 34, "grid": 335, "building": 1077}
    low, high = HOUSEHOLDS_PER_BUILDING
    assert low * 1077 <= s["areas"]["household"] <= high * 1077
    orgs = s["party_orgs"]
    assert (orgs["street_committee"], orgs["community_committee"], orgs["grid_branch"],
            orgs["building_group"]) == (4, 34, 335, 1077)
    assert 100 <= orgs["member_household"] <= 1000
    assert s["units"]["cobuild"] == 84
    assert all(s["units"][k] > 0 for k in UnitKind.values)
    assert s["people"]["in_service_party_members"] == 2497
    assert s["people"]["party_members"] > 2497
    assert s["people"]["grid_staff"] >= 2 * 335
    assert s["people"]["residents"] >= s["areas"]["household"]
    assert s["cases"] == {status: 0 for status in Case.Status.values}
    assert stats("--district", DC)["areas"] == s["areas"]
    assert set(stats("--district", "110101")["areas"].values()) == {0}


def test_every_demo_row_carries_its_district():
    """Every writer the demo goes through (saves, bulk loaders, the ledger's hot path) sets district_code:
    no row of any table that carries the column is left with it empty."""
    from grassroots.ledger.models import Entry

    assert Entry.objects.exists()  # the points year was loaded: the ledger's legs are among the rows checked
    assert rows_without_district() == {}


def test_stats_text_is_a_chinese_table():
    out = StringIO()
    call_command("stats", stdout=out)
    text = out.getvalue()
    assert "网格(小区)党支部" in text and "楼栋党小组" in text
    assert re.search(r"楼栋\s+1,077", text)


def test_loaded_data_is_the_plan_of_the_seed():
    plan = build_plan("zhangwan", SEED, PEOPLE)
    grids = list(Area.objects.filter(level="grid").order_by("code").values_list("code", "name"))
    assert grids == [(a.code, a.name) for a in plan.areas if a.level == "grid"]
    households = Area.objects.filter(level="household").order_by("code").values_list("code", "name")
    assert list(households[:50]) == [(a.code, a.name) for a in plan.areas if a.level == "household"][:50]
    for row in plan.persons[::997]:
        person = Person.objects.get(id_number_index=crypto.blind_index(row.id_number))
        assert person.name == row.name and person.birth_date == row.birth


def test_five_level_party_structure_follows_the_area_tree():
    org = {o.pk: o for o in PartyOrg.objects.select_related("area")}
    expected_parent = {
        PartyLevel.COMMUNITY_COMMITTEE: PartyLevel.STREET_COMMITTEE,
        PartyLevel.GRID_BRANCH: PartyLevel.COMMUNITY_COMMITTEE,
        PartyLevel.BUILDING_GROUP: PartyLevel.GRID_BRANCH,
        PartyLevel.MEMBER_HOUSEHOLD: PartyLevel.BUILDING_GROUP,
    }
    for o in org.values():
        assert o.district_code == DC
        if o.level == PartyLevel.STREET_COMMITTEE:
            assert o.parent_id is None
            continue
        parent = org[o.parent_id]
        assert parent.level == expected_parent[o.level]
        assert o.area.parent_id == parent.area_id
    grids_with_branch = PartyOrg.objects.filter(level=PartyLevel.GRID_BRANCH).values("area").distinct().count()
    assert grids_with_branch == 335
    assert PartyOrg.objects.get(level=PartyLevel.COMMUNITY_COMMITTEE, area__name="阳光社区").secretary == "马丽"


def test_members_live_where_their_branch_is():
    members = PartyMember.objects.select_related("org__area", "employer")
    assert members.filter(in_service=True, employer__isnull=True).count() == 0
    assert members.exclude(org__level=PartyLevel.GRID_BRANCH).count() == 0
    for m in members.filter(in_service=True)[:200]:
        household = Resident.objects.filter(person=m.person_id).values_list("household__code", flat=True).get()
        assert household.startswith(m.org.area.code)
        assert m.employer.kind in (UnitKind.COBUILD, UnitKind.DEPARTMENT)
    assert members.filter(in_service=False).exists()


def test_units_seats_duties_and_red_property():
    cobuild = Unit.objects.filter(kind=UnitKind.COBUILD)
    assert "东风公司总医院" in set(cobuild.values_list("name", flat=True))
    assert all(u.seats.exists() for u in cobuild)
    seats = CommitteeSeat.objects.select_related("committee")
    assert seats.count() >= 200
    assert {s.committee.level for s in seats} == {PartyLevel.COMMUNITY_COMMITTEE}
    assert seats.values("committee").distinct().count() == 34
    housing = Unit.objects.get(kind=UnitKind.DEPARTMENT, name__endswith="住建局")
    assert Duty.objects.filter(unit=housing, category__name="城乡建设", category__level=1).exists()
    for short in ("城管局", "公安", "生态环境", "民政局", "卫健局", "市场监管局", "交通运输局"):
        assert Duty.objects.filter(unit__kind=UnitKind.DEPARTMENT, unit__name__contains=short).exists(), short
    for utility in ("水务", "供电", "燃气", "热力"):
        unit = Unit.objects.get(kind=UnitKind.UTILITY, name__contains=utility)
        assert unit.duties.filter(category__parent__name="城市建设和市政管理").exists()
    red = [u for u in Unit.objects.filter(kind=UnitKind.PROPERTY) if u.is_red_property]
    assert red and all(u.party_org.level == PartyLevel.GRID_BRANCH for u in red)
    assert any(u.party_org.area.name == "阳光栖谷小区" for u in red)
    assert Volunteer.objects.filter(team="红卫红志愿服务队").exists()
    assert Volunteer.objects.filter(team="爱心食堂志愿服务队").exists()


def test_grid_polygons_do_not_overlap_and_buildings_are_inside():
    grids = list(Area.objects.filter(level="grid").order_by("code"))
    polys = [shape(g.boundary) for g in grids]
    assert all(p.is_valid and p.area > 0 for p in polys)
    tree = STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert polys[i].intersection(polys[j]).area < 1e-12, (grids[i].code, grids[j].code)
    community = {c.code: shape(c.boundary) for c in Area.objects.filter(level="community")}
    for code, cpoly in community.items():
        inside = [p for g, p in zip(grids, polys, strict=True) if g.code.startswith(code)]
        assert abs(sum(p.area for p in inside) - cpoly.area) < 1e-9
    index = {g.pk: p for g, p in zip(grids, polys, strict=True)}
    for b in Area.objects.filter(level="building"):
        assert index[b.parent_id].contains(Point(b.lng, b.lat)), b.code
    for lng, lat in Area.objects.filter(level="building").values_list("lng", "lat")[:50]:
        assert 110.6 < lng < 111.0 and 32.5 < lat < 32.8


def test_id_numbers_are_valid_and_stored_encrypted():
    sample = list(Person.objects.order_by("pk")[::Person.objects.count() // 60])
    assert len(sample) > 50
    with connection.cursor() as cur:
        for person in sample:
            plain = person.plain("id_number")
            phone = person.plain("phone")
            assert crypto.id_number_problem(plain) is None
            assert plain.startswith(DC)
            assert person.birth_date.strftime("%Y%m%d") == plain[6:14]
            assert re.fullmatch(r"1[3-9]\d{9}", phone)
            assert person.id_number_masked == crypto.mask_id_number(plain)
            assert person.phone_masked == crypto.mask_phone(phone)
            assert person.id_number_index == crypto.blind_index(plain)
            cur.execute(f"SELECT * FROM {Person._meta.db_table} WHERE id = %s", [person.pk])
            raw = " ".join(str(v) for v in cur.fetchone())
            assert plain not in raw and phone not in raw


def test_a_year_of_points_consistent_with_the_events():
    from grassroots.ledger.models import Account, Transfer
    from grassroots.points.models import Award, Merchant, Redemption
    from grassroots.service.models import ServiceRecord

    points = stats()["points"]
    assert points["ledger_sum"] == 0 and points["accounts_sum"] == 0 and points["balanced"]
    assert points["merchants"] >= 34 and points["fee_vouchers"] >= 34 and points["redemptions"]["settled"] > 100
    assert points["expired"] > 0 and points["issued"] == (points["redeemed"] + points["expired"]
                                                          + points["outstanding"])
    # every verified service record was paid once, at the time it was verified
    verified = ServiceRecord.objects.filter(status="verified")
    assert Award.objects.filter(event="service_record").count() == verified.count()
    record = verified.order_by("verified_at").first()
    paid = Transfer.objects.get(key=f"award:service.record:{record.pk}")
    assert paid.created_at == record.verified_at
    assert Merchant.objects.filter(handlers__username="merchant", kind="property").exists()
    volunteer = User.objects.get(username="volunteer")
    account = Account.objects.get(owner=f"user:{volunteer.pk}")
    assert account.posted > 0
    assert set(Redemption.objects.filter(user=volunteer).values_list("status", flat=True)) >= {"settled", "held"}


def test_a_year_of_meetings_topics_votes_and_resolutions():
    from grassroots.deliberation.models import Attendance, Meeting, ProgressNote, Resolution

    d = stats()["deliberation"]
    assert d["meetings"]["held"] >= 34 * 20 and sum(d["topics"].values()) >= 34
    assert d["votes"]["passed"] > 0 and d["resolutions"]["done"] > d["resolutions"]["open"] > 0
    assert d["resolutions"]["practical"] > 34
    assert d["conventions"] >= 10 and d["convention_versions_adopted"] >= 10  # every third community
    assert Attendance.objects.count() > 5 * d["meetings"]["held"] // 2
    first = Meeting.objects.order_by("starts_at").first()
    assert first.starts_at < Meeting.objects.order_by("-starts_at").first().starts_at - timedelta(days=300)
    done = Resolution.objects.filter(status="done", parent__isnull=True).first()
    assert ProgressNote.objects.filter(resolution__in=[done, *done.children.all()], progress=100).exists()
    # attending paid points at the time of the check-in
    from grassroots.points.models import Award
    attended = Attendance.objects.order_by("at").first()
    assert Award.objects.get(source=f"deliberation.attendance:{attended.pk}").occurred_at == attended.at


def test_the_three_lists_and_agreements():
    from grassroots.matching.models import Need, Project, ProjectNote, Resource

    m = stats()["matching"]
    assert m["resources"] > 34 and m["matches"] > 34 and stats()["deliberation"]["matches"] == m["matches"]
    assert m["needs"]["met"] > 0 and m["needs"]["open"] > 0 and m["projects"]["done"] > 0
    assert 0 < m["delivered"] < m["promises"] and m["agreements"] > 0
    assert Resource.objects.filter(registration__isnull=False).exists()  # from the 双报到 commitments
    assert set(Need.objects.values_list("source", flat=True)) >= {"resident", "survey"}
    done = Project.objects.filter(status="done").first()
    assert ProjectNote.objects.filter(project=done, progress=100).exists()
    assert not Need.objects.filter(status="met").exclude(projects__status="done").exists()


def test_every_row_carries_the_district():
    for model in (Person, Resident, PartyMember, GridStaff, Volunteer, PartyOrg, Unit):
        assert not model.objects.exclude(district_code=DC).exists(), model
    assert Resident.objects.exclude(care_tags=[]).exists()


def test_demo_accounts_sit_where_they_say():
    usernames = [a.username for a in DEMO_ACCOUNTS]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    assert set(users) == set(usernames)
    assert users["admin"].is_superuser and users["district"].check_password(DEMO_PASSWORD)
    role = {r.user.username: r for r in RoleAssignment.objects.select_related("user", "area", "unit")}
    assert role["district"].area.code == DC and role["leader"].area.code == DC
    assert role["street"].area.name == "汉江路街道"
    assert role["community"].area.name == "阳光社区" and role["secretary"].area.name == "阳光社区"
    for name in ("gridleader", "grid", "assistant"):
        assert role[name].role == {"gridleader": "grid_leader", "grid": "grid_worker",
                                   "assistant": "grid_assistant"}[name]
        assert role[name].area.name == "阳光栖谷小区"
        assert GridStaff.objects.filter(person__user=users[name], grid=role[name].area).exists()
    assert role["dept"].unit.name.endswith("住建局")
    household = role["resident"].area
    assert household.level == "household" and household.code.startswith(role["grid"].area.code)
    assert Resident.objects.filter(person__user=users["resident"], household=household).exists()


def test_one_audit_row_records_the_load():
    entry = AuditEntry.objects.get(action="demo.load")
    assert entry.district_code == DC
    assert entry.detail["seed"] == SEED and entry.detail["counts"]["areas"]["grid"] == 335


def test_a_second_load_is_refused_without_flush():
    before = Area.objects.count()
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo", stdout=StringIO())
    assert Area.objects.count() == before


def test_flush_replaces_the_demo_district():
    # inside this test's transaction: rolled back afterwards, the module's data stays
    call_command("load_demo", "--flush", "--seed", "1", "--people", "none", "--cases", "0", stdout=StringIO())
    s = stats()
    assert s["areas"]["grid"] == 335 and s["areas"]["household"] == 0
    assert s["people"]["persons"] == 0
    assert not User.objects.filter(username="resident").exists()
    assert User.objects.filter(username="grid").exists()
    assert AuditEntry.objects.filter(action="demo.flush", district_code=DC).exists()
