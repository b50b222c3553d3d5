"""Writes about people. Personal data goes in through ``person_upsert`` and out through
``person_reveal`` only; both append an audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core import crypto
from grassroots.core.i18n import source_label
from grassroots.core.services import audit_record

from .models import GridStaff, PartyMember, Person, Resident, StaffRole


def person_find(*, id_number: str = "", phone: str = "") -> Person | None:
    """Exact look-up by ID number (or, failing that, phone) through the blind index."""
    if id_number:
        return Person.objects.filter(id_number_index__in=crypto.blind_indexes(id_number)).first()
    if phone:
        return Person.objects.filter(phone_index__in=crypto.blind_indexes(phone)).first()
    return None


@transaction.atomic
def person_upsert(*, name: str, district_code: str, id_number: str = "", phone: str = "",
                  actor=None) -> Person:
    """The person with this ID number, updated; or a new person. Validates both numbers."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "姓名不能为空"})
    if len(name) > 50:
        raise ValidationError({"name": "姓名不能超过50个字"})
    if id_number and (problem := crypto.id_number_problem(id_number)):
        raise ValidationError({"id_number": problem})
    if phone and (problem := crypto.phone_problem(phone)):
        raise ValidationError({"phone": problem})
    person = person_find(id_number=id_number) if id_number else None
    created = person is None
    if created:
        person = Person(name=name, district_code=district_code)
    else:
        person.name = name
    if id_number:
        person.set_id_number(id_number)
    if phone:
        person.set_phone(phone)
    person.save()
    audit_record(actor=actor, action="person.create" if created else "person.update", obj=person,
                 detail={"name": name})
    return person


REVEALABLE = {"id_number": "身份证号", "phone": "手机号"}


@transaction.atomic
def person_reveal(*, person: Person, field: str, actor, area_code: str) -> str:
    """The plain value of one sensitive field, for a user allowed to see it at ``area_code``.

    ``area_code`` is the area through which the user reached this person (their household, grid…);
    the caller has already fetched the person through a scoped selector. Every reveal is audited.
    """
    if field not in REVEALABLE:
        raise ValidationError(f"不能查看字段{field}")
    if not scope_for(actor).can_at(Capability.REVEAL_PERSONAL, area_code):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    audit_record(actor=actor, action="person.reveal", obj=person,
                 detail={"field": field, "via_area": area_code})
    return person.plain(field)


# --- the roles a person plays (used by the register imports and by forms) ------------------------


def _check_numbers(*, name: str, id_number: str, phone: str, phone_required: bool = False) -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "姓名不能为空"})
    if len(name) > 50:
        raise ValidationError({"name": "姓名不能超过50个字"})
    if not id_number:
        raise ValidationError({"id_number": "身份证号不能为空"})
    if problem := crypto.id_number_problem(id_number):
        raise ValidationError({"id_number": problem})
    if phone_required and not phone:
        raise ValidationError({"phone": "手机号不能为空"})
    if phone and (problem := crypto.phone_problem(phone)):
        raise ValidationError({"phone": problem})


@transaction.atomic
def person_ensure(*, name: str, district_code: str, id_number: str, phone: str = "",
                  actor=None) -> tuple[Person, bool]:
    """The person with this ID number, or a new one; ``(person, created)``.

    Unlike ``person_upsert`` an existing person's name is left as recorded (an import by one
    community must not rename someone registered by another); only a missing phone is filled in.
    """
    _check_numbers(name=name, id_number=id_number, phone=phone)
    person = person_find(id_number=id_number)
    if person is None:
        return person_upsert(name=name, district_code=district_code, id_number=id_number, phone=phone,
                             actor=actor), True
    if phone and not person.phone_index:
        person.set_phone(phone)
        person.save(update_fields=["phone_enc", "phone_index", "phone_masked"])
        audit_record(actor=actor, action="person.update", obj=person, detail={"filled": "phone"})
    return person, False


def _resident_problems(*, household, person: Person | None, relation: str, care_tags) -> dict:
    from .models import CareTag, Relation

    if household.level != "household":
        return {"household": f"“{household.name}”不是户，居民只能登记在户下"}
    if relation not in Relation.values:
        return {"relation": f"与户主关系“{relation}”不存在"}
    if unknown := [t for t in care_tags if t not in CareTag.values]:
        return {"care_tags": f"关爱标签“{'、'.join(unknown)}”不存在"}
    if person is not None and Resident.objects.filter(person=person, household=household).exists():
        return {"id_number": f"{person.name}已登记在该户，无需重复登记"}
    if relation == Relation.HEAD and Resident.objects.filter(household=household, relation=relation).exists():
        return {"relation": f"{household.name}已有户主，一户只能有一个户主"}
    return {}


@transaction.atomic
def resident_create(*, household, name: str, id_number: str, phone: str = "", relation: str = "other",
                    care_tags: list[str] | tuple[str, ...] = (), actor=None) -> Resident:
    """Register a person (found by ID number, or created) as a resident of ``household``."""
    _check_numbers(name=name, id_number=id_number, phone=phone)
    found = person_find(id_number=id_number)
    if problems := _resident_problems(household=household, person=found, relation=relation,
                                      care_tags=care_tags):
        raise ValidationError(problems)
    person, _ = person_ensure(name=name, district_code=household.code[:6], id_number=id_number,
                              phone=phone, actor=actor)
    resident = Resident.objects.create(person=person, household=household, relation=relation,
                                       care_tags=list(care_tags))
    audit_record(actor=actor, action="resident.create", obj=resident,
                 detail={"household": household.code, "relation": relation})
    return resident


@transaction.atomic
def party_member_create(*, org, name: str, id_number: str, phone: str = "", employer=None,
                        in_service: bool = False, joined_on=None, actor=None) -> PartyMember:
    """Register a Party member in ``org`` (the person is found by ID number, or created)."""
    _check_numbers(name=name, id_number=id_number, phone=phone)
    found = person_find(id_number=id_number)
    if found is not None and PartyMember.objects.filter(person=found).exists():
        raise ValidationError({"id_number": "该身份证号的党员已登记，不能重复登记"})
    if employer is not None and employer.district_code != org.district_code:
        raise ValidationError({"employer": f"工作单位“{employer.name}”不在本区县"})
    person, _ = person_ensure(name=name, district_code=org.district_code, id_number=id_number,
                              phone=phone, actor=actor)
    member = PartyMember.objects.create(person=person, org=org, employer=employer, in_service=in_service,
                                        joined_on=joined_on)
    audit_record(actor=actor, action="party_member.create", obj=member,
                 detail={"org": org.pk, "in_service": in_service})
    return member


@transaction.atomic
def grid_staff_create(*, grid, name: str, id_number: str, phone: str, role: str, actor=None) -> GridStaff:
    """Post a person (found by ID number, or created) as 网格长/网格员/网格辅助员 of ``grid``."""
    _check_numbers(name=name, id_number=id_number, phone=phone, phone_required=True)
    if grid.level != "grid":
        raise ValidationError({"grid": f"“{grid.name}”不是网格"})
    if role not in StaffRole.values:
        raise ValidationError({"role": f"岗位“{role}”不存在"})
    found = person_find(id_number=id_number)
    if found is not None and GridStaff.objects.filter(person=found, grid=grid, role=role).exists():
        raise ValidationError({"id_number": f"{found.name}已是该网格的{source_label(StaffRole, role)}"})
    person, _ = person_ensure(name=name, district_code=grid.code[:6], id_number=id_number, phone=phone,
                              actor=actor)
    staff = GridStaff.objects.create(person=person, grid=grid, role=role)
    audit_record(actor=actor, action="grid_staff.create", obj=staff, detail={"grid": grid.code, "role": role})
    return staff


@dataclass(frozen=True)
class ResidentRow:
    """One validated resident for ``residents_bulk_create``."""

    household_id: int
    household_code: str
    name: str
    id_number: str
    phone: str = ""
    relation: str = "other"
    care_tags: tuple[str, ...] = ()


def _persons_by_index(indexes: dict[str, str]) -> dict[str, Person]:
    """The persons stored under a key of ``indexes`` (any data key's index, while a key rotation runs), by
    its value (the current key's index)."""
    stored = list(indexes)
    found: dict[str, Person] = {}
    for start in range(0, len(stored), 500):
        for person in Person.objects.filter(id_number_index__in=stored[start:start + 500]):
            found[indexes[person.id_number_index]] = person
    return found


@transaction.atomic
def residents_bulk_create(*, rows: Sequence[ResidentRow], actor=None, source: str = "",
                          batch_size: int = 1000) -> dict[str, int]:
    """Many residents in a few statements (a register import of tens of thousands of rows).

    The caller has validated every row (numbers, scope, duplicates); the person invariants hold as in
    ``resident_create``: one person per ID number (matched through the blind index, names of existing
    persons left as recorded, missing phones filled in), ciphertext + index + mask for both numbers,
    district codes set. One audit row records the counts.
    """
    indexed = [(crypto.blind_index(r.id_number), r) for r in rows]
    by_index = dict(indexed)
    persons = _persons_by_index({i: ix[0] for ix in map(crypto.blind_indexes, {r.id_number for r in rows}) for i in ix})
    new_persons, filled = [], []
    for index, row in by_index.items():
        person = persons.get(index)
        if person is None:
            person = Person(name=row.name.strip(), district_code=row.household_code[:6])
            person.set_id_number(row.id_number)
            if row.phone:
                person.set_phone(row.phone)
            new_persons.append(person)
            persons[index] = person
        elif row.phone and not person.phone_index:
            person.set_phone(row.phone)
            filled.append(person)
    Person.objects.bulk_create(new_persons, batch_size=batch_size)
    if any(p.pk is None for p in new_persons):  # databases that do not return ids from bulk inserts
        persons.update(_persons_by_index({p.id_number_index: p.id_number_index for p in new_persons}))
    Person.objects.bulk_update(filled, ["phone_enc", "phone_index", "phone_masked"], batch_size=batch_size)
    residents = [
        Resident(person_id=persons[index].pk, household_id=row.household_id, relation=row.relation,
                 care_tags=list(row.care_tags), district_code=row.household_code[:6])
        for index, row in indexed
    ]
    Resident.objects.bulk_create(residents, batch_size=batch_size)
    counts = {"residents_created": len(residents), "persons_created": len(new_persons),
              "persons_matched": len(by_index) - len(new_persons), "phones_filled": len(filled)}
    districts = {r.household_code[:6] for r in rows}
    audit_record(actor=actor, action="resident.bulk_create", object_type="people.resident",
                 object_id=source, district_code=districts.pop() if len(districts) == 1 else "",
                 detail=counts)
    return counts
