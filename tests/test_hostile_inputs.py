"""Inputs a careless client or an attacker sends in a minute (issue 15's list): each answers with a 4xx
and a Chinese message — never a server error — and writes nothing. The bounds live in one place
(core/params.py: pages, offsets, ids, years) and the API turns what is left (a value the database
cannot hold) into a 400 (api/api.py)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT

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


@pytest.mark.parametrize("query", ["created_from=0001-01-01", "created_to=0001-01-01", "created_from=9999-12-31",
                                   "created_to=9999-12-31"])
def test_a_case_filter_date_out_of_range_is_refused(root, query):
    day = query.split("=")[1]
    message = f"日期“{day}”超出范围：年份应在 1900–2200 年之间"
    export = root.get(f"/cases/export.xlsx?{query}")
    assert export.status_code == 400 and message in export.content.decode()  # no file: the form with the error
    listed = root.get(f"/cases/?{query}")
    assert listed.status_code == 400 and message in listed.content.decode()
    api = root.get(f"/api/cases/?{query}")
    assert api.status_code == 422 and message in api.json()["detail"]


def test_the_case_api_pages_are_bounded(root):
    for url in (f"/api/cases/?page={HUGE}", f"/api/cases/board?page={HUGE}", "/api/cases/?page=0"):
        answer = root.get(url)
        assert answer.status_code == 422 and answer.json()["message"].startswith("请求参数有误："), url
    assert root.get("/api/cases/?page=100000").status_code == 200


@pytest.fixture
def district_admin(tree):
    client = Client(raise_request_exception=False)
    client.force_login(tree.user("district_admin"))
    return client


@pytest.mark.parametrize("path", ["/evaluation/", "/evaluation/dispatches/", "/evaluation/awaiting/",
                                  "/evaluation/export.xlsx"])
@pytest.mark.parametrize(("query", "message"), [
    ("start=0001-01-01", "开始日期“0001-01-01”超出范围：年份应在 1900–2200 年之间"),
    ("start=9999-12-31", "开始日期“9999-12-31”超出范围"),
    ("end=0001-01-01", "结束日期“0001-01-01”超出范围"),
    ("end=9999-12-31", "结束日期“9999-12-31”超出范围"),
])
def test_an_evaluation_period_out_of_range_is_refused(district_admin, path, query, message):
    page = district_admin.get(f"{path}?{query}")
    assert page.status_code == 400 and message in page.content.decode(), (path, query, page.status_code)


@pytest.mark.parametrize("url", ["/api/evaluation/rankings/units?start=0001-01-01",
                                 "/api/evaluation/rankings/dispatches?end=9999-12-31",
                                 "/api/evaluation/units?start=9999-12-31"])
def test_the_evaluation_api_refuses_the_same_dates(district_admin, url):
    answer = district_admin.get(url)
    assert answer.status_code in (403, 422), (url, answer.status_code)
    if answer.status_code == 422:
        assert "超出范围：年份应在 1900–2200 年之间" in answer.json()["detail"]


@pytest.mark.parametrize("path", ["/assessment/", "/command/"])
def test_an_assessment_period_out_of_range_is_told(district_admin, path):
    page = district_admin.get(f"{path}?period=custom&start=0001-01-01&end=2026-01-01")
    assert page.status_code < 500
    assert "开始日期“0001-01-01”超出范围" in page.content.decode(), page.status_code


def test_the_shared_date_reader():
    from datetime import date

    from django.core.exceptions import ValidationError

    from grassroots.core.params import bounded_date, bounded_datetime

    assert bounded_date("") is None and bounded_date(" 2026-03-01 ") == date(2026, 3, 1)
    for raw, words in (("0001-01-01", "超出范围"), ("9999-12-31", "超出范围"), ("2026-02-30", "格式不对")):
        with pytest.raises(ValidationError) as refused:
            bounded_date(raw, label="开始日期")
        assert refused.value.messages[0].startswith(f"开始日期“{raw}”") and words in refused.value.messages[0]
    with pytest.raises(ValidationError, match="超出范围"):
        bounded_datetime("0001-01-01T00:00")


def test_a_form_body_where_json_is_expected(root, tree, new_case):
    case = new_case("A")
    answer = root.post(f"/api/cases/{case.pk}/actions/comment", {"note": "multipart instead of JSON"})
    assert answer.status_code == 400 and "请以 JSON 发送" in answer.json()["detail"]
    assert not case.events.filter(action="comment").exists()
    notify(tree.user("root"))
    for body, content_type in ((urlencode({"form": "encoded"}), "application/x-www-form-urlencoded"),
                               ({"form": "multipart"}, MULTIPART_CONTENT)):
        marked = root.post("/api/notifications/read-all", data=body, content_type=content_type)
        assert marked.status_code == 400 and "请以 JSON 发送" in marked.json()["detail"], marked.content
    assert Notification.objects.filter(read_at__isnull=False).count() == 0  # nothing marked
    assert root.post("/api/notifications/read-all").json() == {"marked": 1}  # a POST with no body still marks


def notify(user):
    from grassroots.notifications.models import Kind

    Notification.objects.create(recipient=user, kind=Kind.choices[0][0], title="测试", key="hostile-form-body")


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
