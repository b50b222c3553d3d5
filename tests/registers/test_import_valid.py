"""A valid file of each register imports, through the services, with one audit row for the import."""

import datetime

import pytest

from grassroots.areas.models import Area
from grassroots.core import crypto
from grassroots.core.crypto import id_number_with_check
from grassroots.core.models import AuditEntry
from grassroots.orgs.models import PartyLevel, PartyOrg, Unit, UnitKind
from grassroots.people.models import GridStaff, PartyMember, Person, Resident
from grassroots.registers.cells import credit_code_with_check

from .util import messages, new_id, run_import

COMMUNITY_1 = "420303001001"
GRID_A, GRID_B = "420303001001001", "420303001001002"
BUILDING_A1, BUILDING_A2 = "420303001001001001", "420303001001001002"
HOUSEHOLD_1, HOUSEHOLD_2 = "4203030010010010010001", "4203030010010010010002"


def tree_id(n: int) -> str:
    return id_number_with_check(f"42030319800101{n:03d}")


@pytest.fixture
def worker(tree):
    return tree.user("community_worker_1")


@pytest.fixture
def orgs(tree):
    committee = PartyOrg.objects.create(name="测试社区1-1大党委", level=PartyLevel.COMMUNITY_COMMITTEE,
                                        area=tree.communities[0])
    branch = PartyOrg.objects.create(name="网格1党支部", level=PartyLevel.GRID_BRANCH, area=tree.grid("A"),
                                     parent=committee)
    return committee, branch


def assert_done(job, created: int):
    assert job.status == "done", messages(job)
    assert job.created_count == created
    assert job.processed_rows == job.total_rows == created
    assert AuditEntry.objects.filter(action="register.import", object_id=str(job.pk)).count() == 1


def test_areas_import_with_explicit_and_automatic_codes(worker):
    job = run_import(worker, "areas", [
        [COMMUNITY_1, "网格9", "网格/小区", "420303001001009", "幸福路1号", 32.61, 110.71],
        ["420303001001009", "1栋", "楼栋", "", "", None, None],
        [BUILDING_A1, "1栋301室", "户", "", "", None, None],
    ])
    assert_done(job, 3)
    grid = Area.objects.get(code="420303001001009")
    assert (grid.level, grid.name, grid.address, grid.lat) == ("grid", "网格9", "幸福路1号", 32.61)
    assert Area.objects.get(code="420303001001009001").parent == grid
    assert Area.objects.get(code="4203030010010010010003").name == "1栋301室"
    assert AuditEntry.objects.filter(action="area.create", detail__code="420303001001009").exists()


def test_units_import(worker, orgs):
    credit = credit_code_with_check("91420303MA4F0000A")
    job = run_import(worker, "units", [
        ["幸福小学", "驻区单位/共建单位", COMMUNITY_1, credit, "张老师", "幸福路2号", ""],
        ["红色物业", "物业", GRID_A, "", "", "", "测试社区1-1大党委"],
    ])
    assert_done(job, 2)
    school = Unit.objects.get(name="幸福小学")
    assert (school.kind, school.credit_code, school.district_code) == (UnitKind.COBUILD, credit, "420303")
    assert Unit.objects.get(name="红色物业").is_red_property


def test_residents_import_by_household_code_and_by_building_and_door(worker):
    persons, residents = Person.objects.count(), Resident.objects.count()
    job = run_import(worker, "residents", [
        [HOUSEHOLD_1, "", "", "新居民甲", new_id(1), "13900000001", "配偶", "独居老人，残疾人"],
        ["", BUILDING_A2, "2栋501室", "新居民乙", new_id(2), "", "户主", ""],
        ["", BUILDING_A2, "2栋501室", "新居民丙", new_id(3), "13900000003", "子女", "留守儿童"],
        [HOUSEHOLD_2, BUILDING_A1, "", "改了名字", tree_id(1), "", "", ""],
    ])
    assert_done(job, 4)
    assert job.result["households_created"] == 1 and job.result["persons_matched"] == 1
    assert Person.objects.count() == persons + 3
    assert Resident.objects.count() == residents + 4
    new_household = Area.objects.get(parent__code=BUILDING_A2, name="2栋501室")
    assert new_household.code == BUILDING_A2 + "0003"
    assert sorted(new_household.residents.values_list("relation", flat=True)) == ["child", "head"]
    first = Resident.objects.get(person__name="新居民甲")
    assert (first.household.code, first.relation, first.care_tags) == (HOUSEHOLD_1, "spouse",
                                                                       ["elderly_alone", "disabled"])
    assert first.district_code == "420303"
    person = first.person
    assert person.id_number_index == crypto.blind_index(new_id(1))
    assert person.id_number_masked == crypto.mask_id_number(new_id(1))
    assert person.phone_masked == "139****0001" and person.plain("phone") == "13900000001"
    assert person.birth_date == datetime.date(1950, 1, 2)
    existing = Person.objects.get(id_number_index=crypto.blind_index(tree_id(1)))
    assert existing.name == "居民1"  # an import never renames a registered person
    assert existing.residencies.filter(household__code=HOUSEHOLD_2).exists()
    assert AuditEntry.objects.filter(action="resident.bulk_create").count() == 1


def test_party_members_import(worker, orgs):
    committee, branch = orgs
    job = run_import(worker, "party_members", [
        ["党员甲", new_id(1), "13900000001", "测试社区1-1大党委", "阳光物业", "是", "2001-07-01"],
        ["党员乙", new_id(2), "", f"{GRID_A} 网格(小区)党支部", "", "否", datetime.datetime(1999, 7, 1)],
        ["居民1", tree_id(1), "", "测试社区1-1大党委", "", "", ""],
    ])
    assert_done(job, 3)
    first = PartyMember.objects.get(person__name="党员甲")
    assert (first.org, first.employer.name, first.in_service, first.joined_on) == (
        committee, "阳光物业", True, datetime.date(2001, 7, 1))
    assert PartyMember.objects.get(person__name="党员乙").org == branch
    assert PartyMember.objects.filter(person__residencies__isnull=False, person__name="居民1").exists()


def test_grid_staff_import(worker):
    job = run_import(worker, "grid_staff", [
        [GRID_A, "网格长甲", new_id(5), "13900000005", "网格长"],
        [GRID_B, "居民1", tree_id(1), "13800000001", "网格员"],
    ])
    assert_done(job, 2)
    assert GridStaff.objects.get(grid__code=GRID_A).role == "grid_leader"
    assert GridStaff.objects.get(grid__code=GRID_B).person.residencies.exists()
