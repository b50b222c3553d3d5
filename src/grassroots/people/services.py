"""Writes about people. Personal data goes in through ``person_upsert`` and out through
``person_reveal`` only; both append an audit row in the same transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core import crypto
from grassroots.core.services import audit_record

from .models import Person


def person_find(*, id_number: str = "", phone: str = "") -> Person | None:
    """Exact look-up by ID number (or, failing that, phone) through the blind index."""
    if id_number:
        return Person.objects.filter(id_number_index=crypto.blind_index(id_number)).first()
    if phone:
        return Person.objects.filter(phone_index=crypto.blind_index(phone)).first()
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
