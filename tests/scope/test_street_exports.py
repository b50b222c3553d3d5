"""A street administrator's register exports hold that street's people and no one else's: two
streets' residents and Party members in the database, the .xlsx of street 1 opened cell by cell."""

from __future__ import annotations

import io

import openpyxl
import pytest

from grassroots.core.crypto import mask_phone
from grassroots.people.models import PartyMember, Resident

pytestmark = pytest.mark.django_db


def cells(response) -> set[str]:
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    return {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
            if v is not None}



@pytest.mark.parametrize("register,model", [("residents", Resident), ("party_members", PartyMember)])
def test_a_street_export_holds_only_that_streets_people(client_as, world, register, model):
    tree = world.tree
    street1, street2 = tree.streets
    rows = list(model.objects.select_related("person"))
    if model is Resident:
        where = {r.pk: r.household.code for r in Resident.objects.select_related("household")}
    else:
        where = {m.pk: m.org.area.code for m in PartyMember.objects.select_related("org__area")}
    ours = [r.person for r in rows if where[r.pk].startswith(street1.code)]
    theirs = [r.person for r in rows if where[r.pk].startswith(street2.code)]
    assert len(ours) >= 4 and len(theirs) >= 4  # both streets hold people of this register
    found = cells(client_as(tree.user("street_admin_1")).get(f"/registers/{register}/export.xlsx"))
    assert {p.name for p in ours} <= found
    assert not {p.name for p in theirs} & found
    assert not {mask_phone(p.plain("phone")) for p in theirs} & found
    assert not {p.plain("phone") for p in theirs} & found
