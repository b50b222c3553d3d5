"""GET /api/assessment/kpis and /api/assessment/units: the figures, the ranking, the errors."""

import pytest

from tests.assessment.util import MARCH_Q


@pytest.fixture
def api(client_as, tree):
    return client_as(tree.user("district_admin"))


def test_kpis_of_a_community(api, tree, hand):
    data = api.get(f"/api/assessment/kpis?area={tree.communities[0].code}&{MARCH_Q}").json()
    assert data["area"] == {"code": tree.communities[0].code, "name": "测试社区1-1", "level": "community"}
    assert data["level"] == "grid" and data["levels"] == ["grid"]
    assert data["period"] == {"start": "2026-03-01", "end": "2026-04-01"}
    assert data["params"] == {"response_weight": 0.1, "resolution_weight": 0.5, "satisfaction_weight": 0.4,
                              "basic_factor": 0.9, "response_hours": 24}
    assert data["totals"]["received"] == 10 and data["totals"]["composite"] == pytest.approx(0.6025)
    grid_a = data["rows"][1]
    assert (grid_a["name"], grid_a["rank"], grid_a["counted"], grid_a["overdue"]) == ("网格1", 2, 5, 2)
    assert grid_a["satisfaction_rate"] == pytest.approx(1.9 / 3)
    assert grid_a["median_reply_hours"] == pytest.approx(30)
    assert data["unplaced"]["received"] == 1 and data["unplaced"]["response_rate"] == 0
    assert data["unplaced"]["satisfaction_rate"] is None and data["unplaced"]["composite"] is None


def test_level_ranks_any_level_below(api, tree, hand):
    data = api.get(f"/api/assessment/kpis?area={tree.district.code}&level=community&{MARCH_Q}").json()
    assert len(data["rows"]) == 4 and data["levels"] == ["street", "community", "grid"]
    assert data["rows"][0]["name"] == "测试社区1-2"
    grid = api.get(f"/api/assessment/kpis?area={tree.grid('A').code}&{MARCH_Q}").json()
    assert grid["level"] == "" and grid["rows"] == [] and grid["totals"]["received"] == 7


@pytest.mark.parametrize(("query", "message"), [
    ("start=2026-03-01", "请填写结束日期"),
    ("start=2026-03-01&end=2026-02-01", "结束日期应晚于开始日期"),
    ("start=2026/03/01&end=2026-04-01", "开始日期“2026/03/01”格式不对，应为 YYYY-MM-DD"),
    ("start=2020-01-01&end=2026-01-02", "统计区间不能超过5年"),
    ("period=week", "未知的统计周期“week”"),
    ("level=building", "层级“building”不能在“张湾区”下排名"),
])
def test_bad_parameters_are_a_422_in_chinese(api, tree, query, message):
    response = api.get(f"/api/assessment/kpis?area={tree.district.code}&{query}")
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_presets(api, tree):
    for preset in ("month", "last_month", "quarter", "year"):
        data = api.get(f"/api/assessment/kpis?period={preset}").json()
        assert data["period"]["start"] < data["period"]["end"], preset


def test_units(api, tree, hand):
    data = api.get(f"/api/assessment/units?{MARCH_Q}").json()
    assert data["area"]["code"] == tree.district.code
    assert [(r["name"], r["rank"], r["kind"]) for r in data["rows"]] == [("阳光物业", 1, "物业公司"),
                                                                        ("区住建局", 2, "职能部门")]
    assert data["rows"][1]["composite"] == pytest.approx(0.74)
    assert data["rows"][0]["assist_tasks"] == 0 and data["rows"][0]["assist_on_time_rate"] is None


def test_a_user_with_several_areas_names_one(client_as, tree):
    from grassroots.accounts.models import Role, RoleAssignment

    user = tree.user("community_worker_1")
    RoleAssignment.objects.create(user=user, role=Role.COMMUNITY_WORKER, area=tree.communities[2])
    client = client_as(user)
    assert client.get("/api/assessment/kpis").status_code == 422
    assert client.get(f"/api/assessment/kpis?area={tree.communities[2].code}").status_code == 200
    assert client.get(f"/api/assessment/kpis?area={tree.communities[1].code}").status_code == 404


def test_openapi_documents_the_endpoints(api):
    doc = api.get("/api/openapi.json").json()
    for path in ("/api/assessment/kpis", "/api/assessment/units"):
        assert path in doc["paths"], path
    params = {p["name"] for p in doc["paths"]["/api/assessment/kpis"]["get"]["parameters"]}
    assert {"area", "start", "end", "level", "period"} <= params
    assert "composite" in doc["components"]["schemas"]["KpiOut"]["properties"]
