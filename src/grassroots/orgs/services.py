"""Writes about Party organisations and units. Each is one transaction that appends its audit row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.areas.models import Area
from grassroots.core.i18n import source_text
from grassroots.core.services import audit_record

from .models import PartyOrg, Unit, UnitKind

UNIT_LIMITS = {"name": 120, "credit_code": 18, "contact": 50, "address": 200}


def validate_unit(*, name: str, kind: str, area: Area, credit_code: str, contact: str, address: str,
                  party_org: PartyOrg | None) -> None:
    """Raise ValidationError (Chinese messages) unless the unit can be created as given."""
    if not name:
        raise ValidationError({"name": "单位名称不能为空"})
    values = {"name": name, "credit_code": credit_code, "contact": contact, "address": address}
    for field, limit in UNIT_LIMITS.items():
        if len(values[field]) > limit:
            raise ValidationError({field: f"{source_text(Unit._meta.get_field(field).verbose_name)}不能超过{limit}个字"})
    if kind not in UnitKind.values:
        raise ValidationError({"kind": f"单位类型“{kind}”不存在"})
    district = area.code[:6]
    if Unit.objects.filter(district_code=district, name=name).exists():
        raise ValidationError({"name": f"本区县已有名为“{name}”的单位"})
    if party_org is not None and party_org.district_code != district:
        raise ValidationError({"party_org": f"党组织“{party_org.name}”不在本区县"})


@transaction.atomic
def unit_create(*, name: str, kind: str, area: Area, credit_code: str = "", contact: str = "",
                address: str = "", party_org: PartyOrg | None = None, actor=None) -> Unit:
    name, credit_code = (name or "").strip(), (credit_code or "").strip().upper()
    contact, address = (contact or "").strip(), (address or "").strip()
    validate_unit(name=name, kind=kind, area=area, credit_code=credit_code, contact=contact,
                  address=address, party_org=party_org)
    unit = Unit.objects.create(name=name, kind=kind, area=area, credit_code=credit_code, contact=contact,
                               address=address, party_org=party_org)
    audit_record(actor=actor, action="unit.create", obj=unit,
                 detail={"name": name, "kind": kind, "area": area.code})
    return unit
