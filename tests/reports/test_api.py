"""The JSON API: list, request (twice: one report), status with progress, download; scope (404)."""

from __future__ import annotations

import pytest

from grassroots.reports.models import MonthlyReport
from tests.reports.conftest import run_all, sheet


@pytest.fixture
def api(client_as, tree):
    return client_as(tree.user("street_admin_1"))


def test_request_status_and_download(api, tree, march):
    body = {"area": tree.streets[0].code, "month": "2026-03"}
    first = api.post("/api/reports", body, content_type="application/json")
    second = api.post("/api/reports", body, content_type="application/json")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"] and MonthlyReport.objects.count() == 1
    data = first.json()
    assert (data["status"], data["progress"], data["pdf_url"]) == ("queued", 0, None)
    run_all()
    status = api.get(f"/api/reports/{data['id']}").json()
    assert (status["status"], status["status_label"], status["progress"]) == ("done", "已完成", 100)
    assert status["summary"]["received"] == 11 and status["area_name"] == "测试街道1"
    xlsx = api.get(status["xlsx_url"])
    assert xlsx.status_code == 200
    assert sheet(b"".join(xlsx.streaming_content), "主要指标")[1][:3] == ["受理诉求（件）", 11, 2]
    assert api.get(status["pdf_url"])["Content-Type"] == "application/pdf"
    listed = api.get("/api/reports?month=2026-03").json()
    assert [r["id"] for r in listed] == [data["id"]]


def test_errors_in_chinese(api, tree):
    bad = api.post("/api/reports", {"area": tree.streets[0].code, "month": "2026/03"}, content_type="application/json")
    assert bad.status_code == 400 and "格式不对" in bad.json()["errors"]["month"][0]
    other = api.post("/api/reports", {"area": tree.streets[1].code, "month": "2026-03"},
                     content_type="application/json")
    assert other.status_code == 404 and "不在您的管辖范围" in other.json()["detail"]


def test_another_streets_report_is_a_404(client_as, tree):
    district = client_as(tree.user("district_admin"))
    made = district.post("/api/reports", {"area": tree.streets[1].code, "month": "2026-03"},
                         content_type="application/json").json()
    street1 = client_as(tree.user("street_admin_1"))
    assert street1.get(f"/api/reports/{made['id']}").status_code == 404
    assert street1.get(f"/api/reports/{made['id']}/pdf").status_code == 404
    assert street1.get("/api/reports").json() == []
    assert client_as(tree.user("community_worker_1")).get("/api/reports").json() == []


def test_openapi_documents_the_endpoints(api):
    paths = api.get("/api/openapi.json").json()["paths"]
    assert {"/api/reports", "/api/reports/{pk}", "/api/reports/{pk}/{kind}"} <= set(paths)
