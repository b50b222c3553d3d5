"""Inputs a careless client or an attacker sends in a minute (issue 15's list): each answers with a 4xx
and a Chinese message — never a server error — and writes nothing. The bounds live in one place
(core/params.py: pages, offsets, ids, years) and the API turns what is left (a value the database
cannot hold) into a 400 (api/api.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from grassroots.notifications.models import Notification

pytestmark = pytest.mark.django_db
HUGE = "9223372036854775807"


@pytest.fixture
def root(tree):
    client = Client(raise_request_exception=False)
    client.force_login(tree.user("root"))
    return client


@pytest.mark.parametrize("url", [
    f"/api/people/residents?page={HUGE}", f"/api/people/party-members?page={HUGE}",
    f"/api/people/volunteers?page={HUGE}", f"/api/people/grid-staff?page={HUGE}",
    f"/api/orgs/party?page={HUGE}", f"/api/orgs/units?page={HUGE}",
    "/api/notifications/?offset=9223372036854775808", "/api/people/party-members?org=16894055297211082752",
    "/api/hotspots/rising/series?area=&category=0", "/api/people/residents?page=0",
    "/api/people/residents?page=abc",
])
def test_out_of_range_parameters_are_refused_with_a_chinese_message(root, url):
    response = root.get(url)
    assert response.status_code == 422, (url, response.status_code, response.content[:300])
    body = response.json()
    assert body["message"].startswith("请求参数有误：") and body["detail"]  # the field-by-field detail too


def test_the_last_page_that_can_exist_still_answers(root):
    response = root.get("/api/people/residents?page=100000")
    assert response.status_code == 200 and response.json()["items"] == []


def test_an_area_left_empty_is_asked_for(root):
    response = root.get("/api/hotspots/rising/series?area=&category=1")
    assert response.status_code == 422 and "请指定街道、社区或网格" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/hotspots/", "/hotspots/clusters/", "/hotspots/export.xlsx"])
def test_a_week_that_is_no_week_is_refused_with_the_message(root, path):
    page = root.get(f"{path}?week=0001-W01")
    assert page.status_code == 400
    assert "周次“0001-W01”格式不对" in page.content.decode()  # the pages show the default week with it


def test_a_future_week_is_shown_as_this_week(root):
    page = root.get("/hotspots/?week=2199-W01")
    assert page.status_code == 200 and "不能选择未来的周" in page.content.decode()


def test_extreme_dates_on_pages(root):
    export = root.get("/cases/export.xlsx?created_from=0001-01-01")
    assert export.status_code < 500


def test_a_form_body_where_json_is_expected(root, tree, new_case):
    case = new_case("A")
    answer = root.post(f"/api/cases/{case.pk}/actions/comment", {"note": "multipart instead of JSON"})
    assert answer.status_code == 400 and "请以 JSON 发送" in answer.json()["detail"]
    assert not case.events.filter(action="comment").exists()
    marked = root.post("/api/notifications/read-all", {"form": "encoded"})
    assert marked.status_code == 200 and marked.json() == {"marked": 0}
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_a_broken_json_body(root, tree, new_case):
    case = new_case("A")
    answer = root.post(f"/api/cases/{case.pk}/actions/comment", data="{not json", content_type="application/json")
    assert answer.status_code == 400 and "请求内容无法解析" in json.loads(answer.content)["detail"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_request_with_a_nul_byte_is_refused(tree, fmt):
    """PostgreSQL refuses a NUL byte in a query: every Open311 read and write answers 400 first."""
    from grassroots.intake.services import api_client_create

    _client, key = api_client_create(name="市12345平台", source="12345", district=tree.district,
                                     actor=tree.user("root"))
    response = Client().post(f"/open311/v2/requests.{fmt}", {"api_key": key, "service_code": "01\x000101",
                                                             "lat": "32.605", "long": "110.705"})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    for url in (f"/open311/v2/requests/a\x00b.{fmt}", f"/open311/v2/requests.{fmt}?service_request_id=a\x00b",
                f"/open311/v2/requests.{fmt}?status=open\x00"):
        answer = Client().get(url)
        assert answer.status_code == 400 and "空字符" in answer.content.decode(), url
