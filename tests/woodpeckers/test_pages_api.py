"""The woodpeckers' pages and API: the app for members and the join form for everyone else, the
community's roster, the grid worker's reports, the case page's panel — each scoped to its place."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from grassroots.cases.models import Case
from grassroots.core.models import AuditEntry
from grassroots.woodpeckers.models import QuickReport, Woodpecker
from grassroots.woodpeckers.services import quick_report_submit
from tests.factories import make_user

from .conftest import IN_GRID_A, photo

pytestmark = pytest.mark.django_db
KEY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def post_report(client, key=KEY, **extra):
    data = {"key": key, "category": "sanitation", "lat": str(IN_GRID_A[0]), "lng": str(IN_GRID_A[1]),
            "taken_at": "2026-12-03T08:00:00+08:00", "photo": photo()}
    data.update(extra)
    return client.post("/api/woodpeckers/reports", data)


def test_the_app_page_offers_the_camera_to_members_and_the_join_form_to_others(client_as, tree, rider):
    html = client_as(rider).get("/w/").content.decode()
    assert 'capture="environment"' in html and html.count('class="wp-tile"') == 8 and "manifest.webmanifest" in html
    other = make_user("walker")
    html = client_as(other).get("/w/").content.decode()
    assert 'capture="environment"' not in html and "/w/join/" in html


def test_anonymous_visitors_are_sent_to_the_resident_sign_in(client):
    response = client.get("/w/")
    assert response.status_code == 302 and response["Location"].startswith("/r/login/")


def test_manifest_and_service_worker(client):
    manifest = client.get("/w/manifest.webmanifest")
    body = json.loads(manifest.content)
    assert body["start_url"] == "/w/" and body["display"] == "standalone" and len(body["icons"]) == 2
    sw = client.get("/w/sw.js")
    text = sw.content.decode()
    assert sw["Content-Type"].startswith("application/javascript") and sw["Service-Worker-Allowed"] == "/w/"
    assert '"/w/"' in text and "/static/woodpeckers/app.js" in text and "woodpecker-" in text


def test_join_then_the_community_approves_on_its_roster(client_as, tree):
    walker = make_user("walker")
    client = client_as(walker)
    bad = client.post("/w/join/", {"name": "", "community": "", "group": "rider"})
    assert bad.status_code == 400 and "请填写姓名" in bad.content.decode() and "请选择所在社区" in bad.content.decode()
    ok = client.post("/w/join/", {"name": "李快递", "community": tree.communities[0].code, "group": "courier",
                                  "duties": ["patroller", "publicist"], "platform": "顺丰速运"})
    assert ok.status_code == 302
    row = Woodpecker.objects.get(user=walker)
    assert row.status == "applied" and row.duty_labels() == ["巡查员", "宣传员"]
    assert client.get("/w/roster/").status_code == 403  # members do not see the roster
    other = client_as(tree.user("community_worker_2"))
    assert "李快递" not in other.get("/w/roster/").content.decode()
    assert other.post(f"/w/roster/{row.pk}/decide/", {"decision": "yes"}).status_code == 404
    mine = client_as(tree.user("community_worker_1"))
    assert "李快递" in mine.get("/w/roster/?status=applied").content.decode()
    mine.post(f"/w/roster/{row.pk}/decide/", {"decision": "yes"})
    row.refresh_from_db()
    assert row.status == "active" and row.joined_at is not None
    book = openpyxl.load_workbook(io.BytesIO(mine.get("/w/roster.xlsx").content))
    values = [[c.value for c in r] for r in book.active.iter_rows()]
    assert values[0][:3] == ["姓名", "社区", "身份"] and any(r[0] == "李快递" and r[2] == "快递员" for r in values)
    exported = AuditEntry.objects.get(action="woodpecker.roster.export")
    assert exported.actor == tree.user("community_worker_1") and exported.detail["rows"] == len(values) - 1
    assert exported.detail["fields"] == values[0]


def test_api_report_resend_and_judge_scoped_to_the_grid(client_as, tree, rider):
    client = client_as(rider)
    first = post_report(client)
    assert first.status_code == 201 and first.json()["status"] == "pending"
    again = post_report(client)
    assert again.status_code == 200 and again.json()["case"] == first.json()["case"] and Case.objects.count() == 1
    bad = post_report(client, key="x", category="ufo")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"key", "category"}
    assert client.get("/api/woodpeckers/reports/mine").json()[0]["case"] == first.json()["case"]
    assert client.get("/api/woodpeckers/reports").status_code == 403

    stranger = client_as(make_user("stranger"))
    assert post_report(stranger, key="stranger-key-0000000001").status_code == 403

    report_id = first.json()["id"]
    b = client_as(tree.user("grid_worker_B"))
    assert b.get("/api/woodpeckers/reports").json() == []
    judged = b.post(f"/api/woodpeckers/reports/{report_id}/judge", {"valid": True}, content_type="application/json")
    assert judged.status_code == 404
    a = client_as(tree.user("grid_worker_A"))
    assert [r["id"] for r in a.get("/api/woodpeckers/reports").json()] == [report_id]
    needs_reason = a.post(f"/api/woodpeckers/reports/{report_id}/judge", {"valid": False},
                          content_type="application/json")
    assert needs_reason.status_code == 400 and "原因" in needs_reason.json()["detail"]
    ok = a.post(f"/api/woodpeckers/reports/{report_id}/judge", {"valid": True}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "valid"


def test_the_grid_workers_page_and_the_case_panel(client_as, tree, rider):
    report = quick_report_submit(reporter=rider, key=KEY, category="noise", lat=IN_GRID_A[0], lng=IN_GRID_A[1],
                                 photo=photo()).report
    b = client_as(tree.user("grid_worker_B"))
    assert f'data-report="{report.pk}"' not in b.get("/w/reports/").content.decode()
    assert b.post(f"/w/reports/{report.pk}/judge/", {"valid": "yes"}).status_code == 404
    a = client_as(tree.user("grid_worker_A"))
    assert f'data-report="{report.pk}"' in a.get("/w/reports/").content.decode()
    case_page = a.get(f"/cases/{report.case_id}/").content.decode()
    assert 'id="quick-report"' in case_page and "张骑手" in case_page and "核实有效" in case_page
    response = a.post(f"/w/reports/{report.pk}/judge/", {"valid": "no", "reason": "", "next": "case"})
    assert response["Location"] == f"/cases/{report.case_id}/"
    assert QuickReport.objects.get(pk=report.pk).status == "pending"  # no reason: nothing written
    a.post(f"/w/reports/{report.pk}/judge/", {"valid": "no", "reason": "已有人反映，重复上报"})
    assert QuickReport.objects.get(pk=report.pk).status == "invalid"
    assert client_as(rider).get("/w/reports/").status_code == 403


def test_me_page_shows_the_woodpecker_section(client_as, rider):
    html = client_as(rider).get("/r/me/").content.decode()
    assert 'id="my-woodpecker"' in html and "随手拍 0 次" in html
