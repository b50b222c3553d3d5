"""Scope, by page, API and export: a community worker sees their community and its grids, a street
administrator their street, the district's staff the district, a grid worker their grid; an area
outside one's scope is a 404 (as if it did not exist) and never appears in a list or a file."""

import re

import pytest

from tests.assessment.util import MARCH_Q, sheet_text

# user → (areas they may open, areas that are a 404 for them)
MATRIX = {
    "grid_worker_A": (["grid:A"], ["grid:B", "community:0", "community:1", "street:0", "district"]),
    "community_worker_1": (["community:0", "grid:A", "grid:B"], ["community:1", "grid:C", "street:0", "district"]),
    "community_worker_2": (["community:1", "grid:C"], ["community:0", "grid:A", "street:0"]),
    "street_admin_1": (["street:0", "community:0", "community:1", "grid:D"],
                       ["street:1", "community:2", "grid:E", "district"]),
    "district_admin": (["district", "street:1", "community:3", "grid:H"], []),
}


def code(tree, ref: str) -> str:
    kind, _, arg = ref.partition(":")
    if kind == "grid":
        return tree.grid(arg).code
    if kind == "community":
        return tree.communities[int(arg)].code
    if kind == "street":
        return tree.streets[int(arg)].code
    return tree.district.code


@pytest.mark.parametrize("username", MATRIX)
def test_pages_api_and_exports_follow_the_scope(client_as, tree, hand, username):
    client = client_as(tree.user(username))
    allowed, refused = MATRIX[username]
    for ref in allowed:
        c = code(tree, ref)
        assert client.get(f"/assessment/?area={c}&{MARCH_Q}").status_code == 200, ref
        assert client.get(f"/assessment/export.xlsx?area={c}&{MARCH_Q}").status_code == 200, ref
        assert client.get(f"/assessment/units/?area={c}").status_code == 200, ref
        assert client.get(f"/api/assessment/kpis?area={c}&{MARCH_Q}").status_code == 200, ref
        assert client.get(f"/api/assessment/units?area={c}").status_code == 200, ref
    for ref in refused:
        c = code(tree, ref)
        for url in (f"/assessment/?area={c}", f"/assessment/export.xlsx?area={c}", f"/assessment/units/?area={c}",
                    f"/assessment/units/export.xlsx?area={c}", f"/api/assessment/kpis?area={c}",
                    f"/api/assessment/units?area={c}"):
            assert client.get(url).status_code == 404, (ref, url)


def test_community_worker_sees_only_their_community(client_as, tree, hand):
    client = client_as(tree.user("community_worker_1"))
    html = client.get(f"/assessment/?{MARCH_Q}").content.decode()
    assert "测试社区1-1" in html and "网格1" in html and "网格2" in html
    for other in ("测试社区1-2", "测试社区2-1", "网格3", "网格5"):
        assert other not in html
    data = client.get(f"/api/assessment/kpis?{MARCH_Q}").json()
    assert data["area"]["code"] == tree.communities[0].code
    assert [r["name"] for r in data["rows"]] == ["网格2", "网格1"]
    text = sheet_text(client.get(f"/assessment/export.xlsx?{MARCH_Q}").content)
    assert "网格1" in text and "网格3" not in text and "测试社区1-2" not in text
    # units: only the cases in the community count (c1 of grid C does not)
    units = client.get(f"/api/assessment/units?{MARCH_Q}").json()
    dept = next(r for r in units["rows"] if r["name"] == "区住建局")
    assert dept["received"] == 3
    units_text = sheet_text(client.get(f"/assessment/units/export.xlsx?{MARCH_Q}").content)
    assert "区住建局" in units_text


def test_street_admin_ranks_their_communities_only(client_as, tree, hand):
    client = client_as(tree.user("street_admin_1"))
    data = client.get(f"/api/assessment/kpis?{MARCH_Q}").json()
    assert [r["name"] for r in data["rows"]] == ["测试社区1-2", "测试社区1-1"]
    grids = client.get(f"/api/assessment/kpis?level=grid&{MARCH_Q}").json()
    assert [r["name"] for r in grids["rows"]][:2] == ["网格2", "网格3"] and len(grids["rows"]) == 4
    html = client.get(f"/assessment/?{MARCH_Q}").content.decode()
    assert "测试街道2" not in html and "测试社区2-1" not in html


def test_grid_worker_sees_their_grid_figures_only(client_as, tree, hand):
    client = client_as(tree.user("grid_worker_A"))
    html = client.get(f"/assessment/?{MARCH_Q}").content.decode()
    assert "网格1" in html and "本级情况" in html and 'id="ranking"' not in html
    # the community above is shown as the path, but not as a link
    assert re.search(f"area={tree.communities[0].code}(?!\\d)", html) is None


def test_user_without_a_case_role_gets_a_clear_message(client_as, tree):
    client = client_as(tree.user("nobody"))
    for url in ("/assessment/", "/assessment/units/", "/assessment/export.xlsx", "/assessment/weights/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "没有查看诉求的角色" in response.content.decode()
    api = client.get("/api/assessment/kpis")
    assert api.status_code == 403 and "没有查看诉求的角色" in api.json()["detail"]


def test_anonymous_is_sent_to_login(client, tree):
    assert client.get("/assessment/")["Location"].startswith("/login/")
    assert client.get("/api/assessment/kpis").status_code == 401


def test_department_handler_sees_their_own_unit(client_as, tree, hand):
    client = client_as(tree.user("dept_handler"))
    response = client.get("/assessment/")
    assert response.status_code == 302 and response["Location"] == "/assessment/units/"
    html = client.get(f"/assessment/units/?{MARCH_Q}").content.decode()
    assert "区住建局" in html and "阳光物业" not in html
    data = client.get(f"/api/assessment/units?{MARCH_Q}").json()
    assert [r["name"] for r in data["rows"]] == ["区住建局"] and data["rows"][0]["received"] == 4
    assert client.get(f"/api/assessment/units?area={tree.district.code}").status_code == 404
    text = sheet_text(client.get(f"/assessment/units/export.xlsx?{MARCH_Q}").content)
    assert "区住建局" in text and "阳光物业" not in text


def test_superuser_sees_every_district(client_as, tree, hand):
    from grassroots.areas.services import area_create

    area_create(name="茅箭区", code="420302", level="district")
    client = client_as(tree.user("root"))
    html = client.get("/assessment/").content.decode()
    assert "请选择要查看的区域" in html and "茅箭区" in html
    assert client.get(f"/assessment/?area=420302&{MARCH_Q}").status_code == 200
