"""The command center: what it shows for an area (from the rollups and the backlog), its drill-down
into a grid, its numbers as .xlsx, and its scope by page, API and export."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine

from grassroots.accounts.models import Role
from grassroots.cases import services as cs
from grassroots.cases.models import Case, Rating
from tests.assessment.factories import T0, put_case
from tests.factories import make_user

Q = "start=2026-03-01&end=2026-04-01"
S = Case.Status


@pytest.fixture
def scene(tree):
    """Grid A: a closed case, a case past its deadline, a supervised one; grid C (street 1,
    community 2): one case; street 2's grid E: one case that street 1 must never see."""
    a, c, e = tree.grid("A"), tree.grid("C"), tree.grid("E")
    done = put_case(a, status=S.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED)
    late = put_case(a, status=S.IN_PROGRESS, responded=1, deadline=24, title="井盖松动有危险")
    watched = put_case(a, status=S.DISPATCHED, responded=2, deadline=24 * 365 * 5, title="路面塌陷")
    Case.objects.filter(pk=watched.pk).update(supervised_at=T0)
    other = put_case(c, status=S.REPORTED, deadline=24 * 365 * 5)
    far = put_case(e, status=S.IN_PROGRESS, responded=1, deadline=24, title="外街道的诉求")
    for case, (lat, lng) in ((done, (32.60, 110.70)), (late, (32.6004, 110.7004)), (far, (32.9, 110.9))):
        Case.objects.filter(pk=case.pk).update(lat=lat, lng=lng)
    return {"done": done, "late": late, "watched": watched, "other": other, "far": far}


def test_overview_of_a_street(client_as, tree, scene):
    client = client_as(tree.user("street_admin_1"))
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        data = client.get(f"/api/command/overview?area={tree.streets[0].code}&{Q}").json()
    assert data["area"]["name"] == "测试街道1"
    t = data["totals"]
    assert (t["received"], t["open"], t["resolved"]) == (4, 3, 1)
    assert t["overdue"] == 1  # the case past its deadline, not yet flagged by the sweep
    grids = {g["name"]: g for g in data["grids"]}
    assert set(grids) == {"网格1", "网格2", "网格3", "网格4"}  # street 1's grids only
    assert (grids["网格1"]["open"], grids["网格1"]["received"], grids["网格1"]["overdue"]) == (2, 3, 1)
    assert grids["网格3"]["open"] == 1 and grids["网格2"]["open"] == 0
    assert [r["name"] for r in data["children"]["rows"]][:1] == ["测试社区1-1"]
    assert sum(w["received"] for w in data["trend"]) == 4
    assert sum(c[2] for c in data["heat"]) == 2  # two placed cases, one cell of ~100 m
    assert [a["title"] for a in data["alerts"]] == ["井盖松动有危险", "路面塌陷"]
    assert data["alerts"][1]["supervised"] is True
    assert "外街道的诉求" not in str(data)


def test_the_refresh_sees_a_new_case(client_as, tree, scene):
    client = client_as(tree.user("street_admin_1"))
    url = f"/api/command/overview?area={tree.streets[0].code}&{Q}"
    before = client.get(url).json()["totals"]["open"]
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        cs.case_create(title="路灯不亮", body="路灯不亮。", channel="resident_web", area=tree.grid("B"))
    after = client.get(url).json()
    assert after["totals"]["open"] == before + 1
    assert {g["name"]: g["open"] for g in after["grids"]}["网格2"] == 1


def test_the_page_and_the_grid_panel(client_as, tree, scene):
    client = client_as(tree.user("street_admin_1"))
    html = client.get(f"/command/?{Q}").content.decode()  # their only area
    assert "测试街道1 · 指挥中心" in html and "/api/command/overview?area=" in html and 'id="cc-map"' in html
    panel = client.get(f"/command/grid/{tree.grid('A').code}/?{Q}").content.decode()
    assert "网格1" in panel and "井盖松动有危险" in panel and "路面塌陷" in panel
    assert "未配备网格员" in panel  # staff come from the people register (none in this tree)


def test_the_numbers_as_xlsx(client_as, tree, scene):
    client = client_as(tree.user("street_admin_1"))
    response = client.get(f"/command/export.xlsx?area={tree.streets[0].code}&{Q}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["本级", "网格", "社区排名"]
    grids = list(book["网格"].iter_rows(values_only=True))
    assert grids[0][:4] == ("网格编码", "网格", "社区", "上报")
    assert {r[1] for r in grids[1:]} == {"网格1", "网格2", "网格3", "网格4"}
    assert [r[1] for r in book["超时督办"].iter_rows(min_row=2, values_only=True)] == ["井盖松动有危险", "路面塌陷"]


def test_a_street_leader_sees_only_their_street(client_as, tree, scene):
    leader = make_user("street_leader_2", Role.STREET_ADMIN, area=tree.streets[1])
    client = client_as(leader)
    mine, theirs = tree.streets[1].code, tree.streets[0].code
    assert client.get(f"/command/?area={mine}&{Q}").status_code == 200
    assert client.get(f"/api/command/overview?area={mine}&{Q}").status_code == 200
    for url in (f"/command/?area={theirs}", f"/api/command/overview?area={theirs}",
                f"/command/export.xlsx?area={theirs}", f"/command/grid/{tree.grid('A').code}/",
                f"/command/?area={tree.district.code}", f"/api/command/overview?area={tree.district.code}"):
        assert client.get(url).status_code == 404, url
    data = client.get(f"/api/command/overview?{Q}").json()  # their only area by default
    assert data["area"]["code"] == mine
    assert "井盖松动有危险" not in str(data) and {g["name"] for g in data["grids"]} == {"网格5", "网格6", "网格7", "网格8"}


def test_refusals(client_as, tree, scene):
    assert client_as(tree.user("nobody")).get("/command/").status_code == 403
    assert client_as(tree.user("nobody")).get("/api/command/overview").status_code == 403
    client = client_as(tree.user("street_admin_1"))
    bad = client.get(f"/api/command/overview?area={tree.streets[0].code}&start=2026-04-01&end=2026-03-01")
    assert bad.status_code == 422 and bad.json()["detail"]
    assert client.get(f"/command/grid/{tree.communities[0].code}/").status_code == 404  # not a grid
    page = client.get(f"/command/?area={tree.streets[0].code}&start=x")
    assert page.status_code == 200 and "cc-error" in page.content.decode()


def test_a_grid_screen(client_as, tree, scene):
    """A grid's own screen: its categories are counted from its cases (the rollups stop at the community)."""
    client = client_as(tree.user("grid_worker_A"))
    data = client.get(f"/api/command/overview?{Q}").json()
    assert data["area"]["code"] == tree.grid("A").code
    assert [g["name"] for g in data["grids"]] == ["网格1"]
    assert sum(c["cases"] for c in data["categories"]) == 3
    assert data["children"]["rows"] == []
    assert client.get(f"/api/command/overview?area={tree.grid('B').code}&{Q}").status_code == 404
