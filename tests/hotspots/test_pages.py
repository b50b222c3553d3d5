"""The pages and the API: what each role sees, the week picker and area filter, the .xlsx, and
scope — another street's hot problems and problems of the month can be neither read nor changed,
by page or by API (404)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from grassroots.hotspots import stats
from grassroots.hotspots.models import MonthlyProblem
from tests.hotspots.conftest import add_cases, category, labeled_messages, this_week

pytestmark = pytest.mark.django_db
WEEK = stats.week_label(this_week())


@pytest.fixture
def surge(tree):
    cat = category()
    add_cases(tree, "A", this_week(), 7, cat=cat, title="物业不作为<b>楼道</b>堆物", body="楼道堆满杂物，物业不管。")
    return cat.parent_id


def _promote_post(client, tree, level2, **values):
    data = {"source": "rising", "week": WEEK, "area": tree.grid("A").code, "category": level2,
            "title": "阳光小区物业服务问题", "lead_unit": tree.units["dept"].pk, "plan": "约谈物业，限期整改",
            "deadline": (timezone.localdate() + timedelta(days=14)).isoformat(), **values}
    return client.post("/hotspots/monthly/new/", data)


def test_rising_page_lists_the_surge_with_its_chart_and_cases(tree, surge, client_as):
    client = client_as(tree.user("street_admin_1"))
    html = client.get(f"/hotspots/?week={WEEK}").content.decode()
    assert "上升问题" in html and tree.grid("A").name in html and "住房保障与房地产" in html
    assert "hot-bars-data" in html and "vendor/echarts/echarts.min.js" in html
    detail = client.get(f"/hotspots/rising/?area={tree.grid('A').code}&category={surge}&week={WEEK}")
    text = detail.content.decode()
    assert detail.status_code == 200 and "hot-series-data" in text and "立为每月一题" in text
    assert "物业不作为&lt;b&gt;楼道&lt;/b&gt;堆物" in text and "<b>楼道</b>" not in text  # escaped
    assert len(re.findall(r'href="/cases/\d+/"', text)) == 7


def test_week_picker_errors_and_future_weeks(tree, client_as):
    client = client_as(tree.user("street_admin_1"))
    bad = client.get("/hotspots/?week=下周").content.decode()
    assert "格式不对" in bad and "ISO 周" in bad
    future = stats.week_label(this_week() + timedelta(weeks=3))
    assert "不能选择未来的周" in client.get(f"/hotspots/?week={future}").content.decode()


def test_export_xlsx(tree, surge, client_as):
    response = client_as(tree.user("street_admin_1")).get(f"/hotspots/export.xlsx?week={WEEK}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:5] == ("排名", "区域", "层级", "类别", "本周件数")
    assert rows[3][1] == tree.grid("A").name and rows[3][4] == 7


def test_clusters_page(tree, client_as):
    for i, msg in enumerate(labeled_messages()[:30]):
        add_cases(tree, "ABCDEFGH"[i % 8], this_week(), 1, title=msg["title"], body=msg["body"][:300])
    for grid in "ABC":
        add_cases(tree, grid, this_week(), 2, title="小区电梯经常故障停运", body="电梯坏了好几天，老人上下楼困难。")
    html = client_as(tree.user("street_admin_1")).get(f"/hotspots/clusters/?week={WEEK}").content.decode()
    assert "小区电梯经常故障停运" in html and "6 件 · 3 个网格" in html and "立为每月一题" in html
    community = client_as(tree.user("community_worker_1")).get(f"/hotspots/clusters/?week={WEEK}").content.decode()
    assert "立为每月一题" not in community  # they follow it; the street promotes


def test_roles_without_an_area_are_told(tree, client_as):
    for name in ("dept_handler", "nobody"):
        response = client_as(tree.user(name)).get("/hotspots/")
        assert response.status_code == 403 and "无法查看热点问题" in response.content.decode()
    assert client_as(tree.user("nobody")).get("/api/hotspots/rising").status_code == 403


def test_page_promote_progress_done(tree, surge, client_as):
    client = client_as(tree.user("street_admin_1"))
    form = client.get(f"/hotspots/monthly/new/?source=rising&area={tree.grid('A').code}&category={surge}&week={WEEK}")
    assert form.status_code == 200 and "牵头单位" in form.content.decode()
    response = _promote_post(client, tree, surge)
    problem = MonthlyProblem.objects.get()
    assert response.status_code == 302 and response.url == f"/hotspots/monthly/{problem.pk}/"
    again = _promote_post(client, tree, surge)  # the double click
    assert again.status_code == 302 and MonthlyProblem.objects.count() == 1
    client.post(f"/hotspots/monthly/{problem.pk}/actions/start/")
    client.post(f"/hotspots/monthly/{problem.pk}/actions/progress/", {"note": "已约谈物业"})
    client.post(f"/hotspots/monthly/{problem.pk}/actions/finish/", {"note": "楼道已清理"})
    page = client.get(f"/hotspots/monthly/{problem.pk}/").content.decode()
    assert "已完成" in page and "已约谈物业" in page and "楼道已清理" in page
    assert "阳光小区物业服务问题" in client.get("/hotspots/monthly/?status=done").content.decode()


def test_page_bad_input_is_shown_in_chinese_and_writes_nothing(tree, surge, client_as):
    client = client_as(tree.user("street_admin_1"))
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    response = _promote_post(client, tree, surge, deadline=past, lead_unit="")
    text = response.content.decode()
    assert response.status_code == 400 and "已经过去" in text and "请选择牵头单位" in text
    assert "约谈物业，限期整改" in text  # what was typed is kept
    assert not MonthlyProblem.objects.exists()


def test_another_street_cannot_read_or_change_by_page_or_api(tree, surge, client_as, street_admin_2):
    own = client_as(tree.user("street_admin_1"))
    _promote_post(own, tree, surge)
    problem = MonthlyProblem.objects.get()
    other = client_as(street_admin_2)
    area = tree.grid("A").code
    assert other.get(f"/hotspots/?area={area}").status_code == 404
    assert other.get(f"/hotspots/rising/?area={area}&category={surge}&week={WEEK}").status_code == 404
    assert tree.grid("A").name not in other.get(f"/hotspots/?week={WEEK}").content.decode()
    assert other.get(f"/hotspots/monthly/{problem.pk}/").status_code == 404
    assert problem.title not in other.get("/hotspots/monthly/").content.decode()
    assert other.post(f"/hotspots/monthly/{problem.pk}/actions/start/").status_code == 404
    assert other.get(f"/api/hotspots/rising?area={area}").status_code == 404
    assert other.get(f"/api/hotspots/rising/series?area={area}&category={surge}").status_code == 404
    assert other.get(f"/api/hotspots/clusters?area={area}").status_code == 404
    assert other.get(f"/api/hotspots/monthly/{problem.pk}").status_code == 404
    assert other.get("/api/hotspots/monthly").json() == []
    act = other.post(f"/api/hotspots/monthly/{problem.pk}/actions", json.dumps({"action": "start"}),
                     content_type="application/json")
    assert act.status_code == 404
    promote = other.post("/api/hotspots/monthly", json.dumps({
        "source": "rising", "week": WEEK, "area": area, "category": str(surge), "lead_unit": tree.units["dept"].pk,
        "plan": "x", "deadline": (timezone.localdate() + timedelta(days=3)).isoformat()}),
        content_type="application/json")
    assert promote.status_code == 404
    page_promote = other.post("/hotspots/monthly/new/", {"source": "rising", "week": WEEK, "area": area,
                                                          "category": surge, "plan": "x"})
    assert page_promote.status_code == 404
    problem.refresh_from_db()
    assert problem.status == "planned" and MonthlyProblem.objects.count() == 1
    # the community of the street follows it, read-only
    community = client_as(tree.user("community_worker_1"))
    page = community.get(f"/hotspots/monthly/{problem.pk}/").content.decode()
    assert problem.title in page and "更新进展" not in page
    assert community.post(f"/hotspots/monthly/{problem.pk}/actions/start/").status_code == 403
    assert client_as(tree.user("community_worker_2")).get(f"/api/hotspots/monthly/{problem.pk}").status_code == 200


def test_api_rising_series_clusters_and_monthly_flow(tree, surge, client_as):
    client = client_as(tree.user("street_admin_1"))
    data = client.get(f"/api/hotspots/rising?week={WEEK}").json()
    assert data["week"] == WEEK and data["items"][0]["area"] == tree.grid("A").code
    item = data["items"][0]
    assert item["score"]["count"] == 7 and item["score"]["rising"] and len(item["case_ids"]) == 7
    series = client.get(f"/api/hotspots/rising/series?area={item['area']}&category={item['category_id']}&week={WEEK}")
    assert series.json()["counts"][-1] == 7 and len(series.json()["weeks"]) == stats.SERIES_WEEKS
    assert client.get("/api/hotspots/rising?week=2026-W99").status_code == 422
    assert client.get("/api/hotspots/rising?level=building").status_code == 422
    assert client.get(f"/api/hotspots/clusters?week={WEEK}").json()["items"] == []
    body = {"source": "rising", "week": WEEK, "area": item["area"], "category": str(item["category_id"]),
            "lead_unit": tree.units["dept"].pk, "plan": "约谈物业",
            "deadline": (timezone.localdate() - timedelta(days=1)).isoformat()}
    bad = client.post("/api/hotspots/monthly", json.dumps(body), content_type="application/json")
    assert bad.status_code == 400 and "已经过去" in bad.json()["errors"]["deadline"][0]
    no_unit = client.post("/api/hotspots/monthly", json.dumps({**body, "lead_unit": None}),
                          content_type="application/json")
    assert no_unit.status_code == 400 and "牵头单位" in no_unit.json()["detail"]
    assert not MonthlyProblem.objects.exists()
    body["deadline"] = (timezone.localdate() + timedelta(days=10)).isoformat()
    first = client.post("/api/hotspots/monthly", json.dumps(body), content_type="application/json")
    second = client.post("/api/hotspots/monthly", json.dumps(body), content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200) and first.json()["id"] == second.json()["id"]
    pk = first.json()["id"]
    for action, note in (("start", ""), ("progress", "已约谈"), ("finish", "已整改")):
        r = client.post(f"/api/hotspots/monthly/{pk}/actions", json.dumps({"action": action, "note": note}),
                        content_type="application/json")
        assert r.status_code == 200, r.json()
    done = client.get(f"/api/hotspots/monthly/{pk}").json()
    assert done["status"] == "done" and [u["action"] for u in done["updates"]] == ["promote", "start", "progress",
                                                                                  "finish"]
    wrong = client.post(f"/api/hotspots/monthly/{pk}/actions", json.dumps({"action": "start"}),
                        content_type="application/json")
    assert wrong.status_code == 400 and "不能开始推进" in wrong.json()["detail"]
