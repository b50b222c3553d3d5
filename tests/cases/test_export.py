"""The list's .xlsx export: the same scope and filters as the page, Chinese headers, masked contacts,
formula-looking text kept as text, and an audit row per export."""

from __future__ import annotations

import io

import openpyxl
import pytest

from grassroots.cases.models import Case
from grassroots.core.models import AuditEntry
from tests.cases.pages_support import accepted


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


@pytest.fixture
def placed(tree, new_case):
    return {g: new_case(g, title=f"网格{g}的诉求", contact_name="张三丰", contact_phone="13812345678")
            for g in "ABCD"}


def codes(rows) -> set[str]:
    return {r[0] for r in rows[1:]}


def test_export_has_chinese_headers_and_masked_contacts(client_as, tree, placed):
    rows = sheet_rows(client_as(tree.user("community_worker_1")).get("/cases/export.xlsx"))
    header = rows[0]
    assert header[:4] == ["编号", "标题", "状态", "紧急程度"] and "联系电话" in header and "剩余时间" in header
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "138****5678" in flat and "13812345678" not in flat and "张三丰" not in flat and "张*丰" in flat
    assert "已上报" in flat and "网格1" in flat


@pytest.mark.parametrize(("username", "grids"), [
    ("grid_worker_A", "A"), ("community_worker_1", "AB"), ("community_worker_2", "CD"),
    ("street_admin_1", "ABCD"), ("dept_handler", ""), ("nobody", ""),
])
def test_export_is_scoped(client_as, tree, placed, username, grids):
    rows = sheet_rows(client_as(tree.user(username)).get("/cases/export.xlsx"))
    assert codes(rows) == {placed[g].code for g in grids}


def test_export_follows_the_filters(client_as, tree, placed):
    accepted(placed["A"], tree)
    client = client_as(tree.user("community_worker_1"))
    assert codes(sheet_rows(client.get("/cases/export.xlsx", {"group": "pending"}))) == {placed["B"].code}
    assert codes(sheet_rows(client.get("/cases/export.xlsx", {"area": tree.grid("A").code}))) == {placed["A"].code}
    # an area of another community is not a valid choice: refused, nothing exported
    response = client.get("/cases/export.xlsx", {"area": tree.grid("C").code})
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()


def test_export_link_carries_the_filters(client_as, tree, placed):
    html = client_as(tree.user("community_worker_1")).get("/cases/", {"group": "pending"}).content.decode()
    assert 'href="/cases/export.xlsx?group=pending"' in html


def test_export_is_audited_without_personal_data(client_as, tree, placed):
    user = tree.user("community_worker_1")
    sheet_rows(client_as(user).get("/cases/export.xlsx", {"q": "网格"}))
    entry = AuditEntry.objects.get(action="case.export")
    assert entry.actor == user and entry.detail["rows"] == 2 and entry.detail["filters"] == {"text": "网格"}


def test_formula_text_is_exported_as_text(client_as, tree, new_case):
    new_case("A", title="=HYPERLINK(\"http://evil\")")
    response = client_as(tree.user("grid_worker_A")).get("/cases/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = book.active["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_export_needs_login(client, placed):
    response = client.get("/cases/export.xlsx")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Case.objects.count() == 4 and not AuditEntry.objects.filter(action="case.export").exists()


def test_a_list_longer_than_the_limit_says_it_was_cut(client_as, tree, placed, monkeypatch):
    from grassroots.cases import exports

    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 1)
    rows = sheet_rows(client_as(tree.user("district_admin")).get("/cases/export.xlsx"))
    assert len(rows) == 3 and "仅导出了前1条" in rows[2][0]
    assert AuditEntry.objects.filter(action="case.export").latest("at").detail["cut"] is True
