"""The single-record services the registers write through (also usable by forms)."""

import pytest
from django.core.exceptions import ValidationError

from grassroots.core.models import AuditEntry
from grassroots.orgs.models import PartyLevel, PartyOrg
from grassroots.orgs.services import unit_create
from grassroots.people.models import Person
from grassroots.people.services import (
    grid_staff_create,
    party_member_create,
    person_ensure,
    resident_create,
)

from .util import new_id


def test_resident_create_checks_household_head_and_duplicates(tree):
    household = tree.households[0]
    resident = resident_create(household=household, name="新人", id_number=new_id(1), phone="13900000001",
                               relation="child", care_tags=["disabled"], actor=tree.user("community_worker_1"))
    assert resident.district_code == "420303" and resident.person.phone_masked == "139****0001"
    assert AuditEntry.objects.filter(action="resident.create", object_id=str(resident.pk)).exists()
    with pytest.raises(ValidationError, match="已登记在该户"):
        resident_create(household=household, name="新人", id_number=new_id(1))
    with pytest.raises(ValidationError, match="已有户主"):
        resident_create(household=household, name="又一人", id_number=new_id(2), relation="head")
    with pytest.raises(ValidationError, match="不是户"):
        resident_create(household=tree.buildings[0], name="又一人", id_number=new_id(2))


def test_person_ensure_keeps_the_recorded_name_and_fills_a_missing_phone(tree):
    person, created = person_ensure(name="甲", district_code="420303", id_number=new_id(1))
    assert created and person.phone_index == ""
    again, created = person_ensure(name="乙", district_code="420303", id_number=new_id(1), phone="13900000009")
    assert not created and again.pk == person.pk
    person.refresh_from_db()
    assert person.name == "甲" and person.phone_masked == "139****0009"
    assert Person.objects.filter(name="乙").count() == 0


def test_unit_party_member_and_grid_staff_services(tree):
    unit = unit_create(name="新单位", kind="social", area=tree.communities[0])
    assert unit.district_code == "420303"
    with pytest.raises(ValidationError, match="已有名为"):
        unit_create(name="新单位", kind="social", area=tree.communities[1])
    org = PartyOrg.objects.create(name="大党委", level=PartyLevel.COMMUNITY_COMMITTEE, area=tree.communities[0])
    member = party_member_create(org=org, name="党员", id_number=new_id(3), employer=unit, in_service=True)
    assert member.district_code == "420303" and member.employer == unit
    with pytest.raises(ValidationError, match="已登记"):
        party_member_create(org=org, name="党员", id_number=new_id(3))
    staff = grid_staff_create(grid=tree.grid("A"), name="网格员", id_number=new_id(4), phone="13900000004",
                              role="grid_worker")
    assert staff.person.grid_posts.count() == 1
    with pytest.raises(ValidationError, match="手机号不能为空"):
        grid_staff_create(grid=tree.grid("A"), name="网格员", id_number=new_id(5), phone="", role="grid_worker")
