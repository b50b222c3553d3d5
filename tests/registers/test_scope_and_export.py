"""Scope: imports only into the importer's areas; exports only what the user may see, masked."""

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.areas.models import Area
from grassroots.areas.services import area_create
from grassroots.core.models import AuditEntry
from grassroots.people.models import Person, Resident
from grassroots.registers.services import import_job_create, register_export
from grassroots.registers.specs import REGISTERS

from .util import messages, new_id, run_import, sheet_values, upload_file, xlsx_bytes

COMMUNITY_2 = "420303001002"
HOUSEHOLD_IN_C2 = "4203030010020010010001"  # first household of grid C, in community 2
GRID_C = "420303001002001"


def counts():
    return Area.objects.count(), Person.objects.count(), Resident.objects.count()


def test_community_worker_cannot_import_into_another_community(tree):
    worker = tree.user("community_worker_1")
    before = counts()
    residents = run_import(worker, "residents", [[HOUSEHOLD_IN_C2, "", "", "甲", new_id(1), "", "", ""]])
    areas = run_import(worker, "areas", [[COMMUNITY_2, "网格9", "网格/小区", "", "", None, None]])
    staff = run_import(worker, "grid_staff", [[GRID_C, "乙", new_id(2), "13900000002", "网格员"]])
    assert counts() == before
    assert messages(residents)[0].startswith(
        f"第2行「户编码」：编码{HOUSEHOLD_IN_C2}不存在或不在您的管辖范围内")
    assert messages(areas)[0].startswith(f"第2行「上级编码」：编码{COMMUNITY_2}不存在或不在您的管辖范围内")
    assert messages(staff)[0].startswith(f"第2行「网格编码」：编码{GRID_C}不存在或不在您的管辖范围内")


def test_street_admin_may_import_into_both_communities_of_the_street(tree):
    job = run_import(tree.user("street_admin_1"), "residents",
                     [[HOUSEHOLD_IN_C2, "", "", "甲", new_id(1), "", "", ""]])
    assert job.status == "done", messages(job)


def test_users_without_manage_registers_cannot_upload(tree, client):
    content = xlsx_bytes(REGISTERS["residents"].headers(), [])
    for name in ("grid_worker_A", "dept_handler", "nobody"):
        with pytest.raises(PermissionDenied):
            import_job_create(user=tree.user(name), register="residents", upload=upload_file(content))
    client.force_login(tree.user("grid_worker_A"))
    assert client.post("/registers/residents/upload/", {"file": upload_file(content)}).status_code == 403


def test_export_is_scoped_and_masked(tree):
    worker = tree.user("community_worker_1")
    rows = sheet_values(register_export(user=worker, register="residents"))
    assert rows[0] == REGISTERS["residents"].headers()
    names = {row[3] for row in rows[1:]}
    assert names == {f"居民{n}" for n in range(1, 9)}  # community 1: grids A and B, 8 households
    assert not any(row[0].startswith(COMMUNITY_2) for row in rows[1:])
    assert AuditEntry.objects.filter(action="register.export", actor=worker, detail__rows=8).exists()


def test_exports_never_contain_plain_id_numbers_or_phones(tree):
    person = Person.objects.get(name="居民1")
    plain_id, plain_phone = person.plain("id_number"), person.plain("phone")
    for register in ("residents", "grid_staff", "party_members"):
        content = register_export(user=tree.user("root"), register=register)
        cells = [str(v) for row in sheet_values(content) for v in row if v is not None]
        assert plain_id not in cells and plain_phone not in cells
    resident_rows = sheet_values(register_export(user=tree.user("root"), register="residents"))
    row = next(r for r in resident_rows if r[3] == "居民1")
    assert row[4] == person.id_number_masked and "*" in row[4]
    assert row[5] == "138****0001"


def test_export_through_the_page_of_another_community_is_not_visible(tree, client):
    client.force_login(tree.user("community_worker_2"))
    response = client.get("/registers/residents/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    names = {row[3] for row in sheet_values(response.content)[1:]}
    assert names == {f"居民{n}" for n in range(9, 17)}
    client.force_login(tree.user("dept_handler"))
    assert client.get("/registers/residents/export.xlsx").status_code == 403


def test_care_tags_are_exported_only_to_users_who_may_see_them(tree):
    rows = sheet_values(register_export(user=tree.user("community_worker_1"), register="residents"))
    assert {r[3]: r[7] for r in rows[1:]}["居民4"] == "独居老人"


def test_formula_like_text_is_exported_as_text(tree):
    worker = tree.user("community_worker_1")
    area_create(name='=HYPERLINK("http://x")', parent=tree.buildings[0])
    content = register_export(user=worker, register="areas")
    assert b"<f>" not in _sheet_xml(content)
    assert '=HYPERLINK("http://x")' in {row[1] for row in sheet_values(content)}


def _sheet_xml(content: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
