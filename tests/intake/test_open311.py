"""Open311 GeoReport v2 conformance: every endpoint in JSON and in XML, with the spec's fields, types,
content types and error shapes (400, 403, 404)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from grassroots.areas.services import area_create
from grassroots.cases.models import Case, Category
from grassroots.cases.services import case_create
from grassroots.intake.models import IntakeReceipt

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
BASE = "/open311/v2"


def parse(response, fmt: str):
    """JSON as Python, XML as a list of dicts / a dict (the Spark convention, the other way round)."""
    expected = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}[fmt]
    assert response["Content-Type"] == expected
    body = response.content.decode("utf-8")
    if fmt == "json":
        return json.loads(body)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return _from_xml(ET.fromstring(body.split("?>", 1)[1]))


LISTS = {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}


def _from_xml(node):
    if node.tag in LISTS:
        return [_from_xml(child) for child in node]
    if len(node):
        return {child.tag: _from_xml(child) for child in node}
    return node.text or ""


def assert_error(response, fmt: str, status: int, words: str = ""):
    assert response.status_code == status
    errors = parse(response, fmt)
    assert isinstance(errors, list) and len(errors) == 1
    assert set(errors[0]) == {"code", "description"}
    assert str(errors[0]["code"]) == str(status)
    assert words in errors[0]["description"], errors[0]["description"]


def post(client, fmt: str, **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def new_request(client, api_key, fmt="json", **extra):
    data = {"api_key": api_key, "service_code": "010101", "lat": "32.605", "long": "110.705",
            "description": "小区门口路灯不亮，晚上出行不便", **extra}
    response = post(client, fmt, **data)
    assert response.status_code == 201, response.content.decode()
    return parse(response, fmt)[0]["service_request_id"]


# --- discovery, services --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, tree, fmt):
    data = parse(client.get(f"{BASE}/discovery.{fmt}"), fmt)
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production" and endpoint["changeset"]
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_leaf_categories(client, tree, fmt):
    services = parse(client.get(f"{BASE}/services.{fmt}"), fmt)
    leaves = Category.objects.filter(children__isnull=True)
    assert len(services) == leaves.count() > 400
    first = services[0]
    assert list(first) == SERVICE_FIELDS
    assert first["service_code"] == "010101"
    assert first["group"] == Category.objects.get(code="01").name
    assert first["keywords"] == Category.objects.get(code="0101").name
    assert first["service_name"] == Category.objects.get(code="010101").name
    assert first["description"].count(" > ") == 2
    assert first["metadata"] in (False, "false") and first["type"] == "realtime"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, tree, fmt):
    data = parse(client.get(f"{BASE}/services/010101.{fmt}"), fmt)
    assert data == {"service_code": "010101", "attributes": []}
    assert_error(client.get(f"{BASE}/services/999999.{fmt}"), fmt, 404, "service_code“999999”不存在")


@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction(client, tree, fmt):
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=420303").status_code == 200
    assert_error(client.get(f"{BASE}/services.{fmt}?jurisdiction_id=999999"), fmt, 404, "jurisdiction_id“999999”不存在")
    area_create(name="茅箭区", code="420302", level="district")  # now the endpoint serves two districts
    assert_error(client.get(f"{BASE}/services.{fmt}"), fmt, 400, "缺少 jurisdiction_id")
    assert_error(client.get(f"{BASE}/requests.{fmt}"), fmt, 400, "缺少 jurisdiction_id")
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=420302").status_code == 200


# --- POST requests --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_creates_a_case(client, tree, api_key, fmt):
    response = post(client, fmt, api_key=api_key, jurisdiction_id="420303", service_code="010101",
                    lat="32.605", long="110.705", address_string="1栋门口", description="路灯坏了\n一周了",
                    email="wang@example.com", phone="+8613912345678", first_name="小明", last_name="王",
                    device_id="d-1", account_id="a-1", media_url="https://img.example.com/1.jpg")
    assert response.status_code == 201
    (item,) = parse(response, fmt)
    assert set(item) == {"service_request_id", "service_notice", "account_id"}
    assert item["account_id"] in (None, "")
    assert "token" not in item  # realtime: an id, never a token
    case = Case.objects.get(code=item["service_request_id"])
    assert item["service_notice"].startswith(f"诉求已登记（编号 {case.code}）")
    assert case.channel == "open311" and case.external_source == "12345"
    assert case.area == tree.grid("A") and case.category.code == "010101"
    assert case.title.startswith(Category.objects.get(code="010101").name + "：路灯坏了")
    assert case.plain_contact() == ("王小明", "13912345678")
    assert case.contact_phone_masked == "139****5678"
    assert "https://img.example.com/1.jpg" in case.body
    receipt = IntakeReceipt.objects.get(case=case)
    assert receipt.media_url == "https://img.example.com/1.jpg" and receipt.contact_email_enc
    assert "wang@example.com" not in receipt.contact_email_enc


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_errors(client, tree, api_key, fmt):
    good = {"service_code": "010101", "lat": "32.605", "long": "110.705"}
    assert_error(post(client, fmt, **good), fmt, 403, "缺少 api_key")
    assert_error(post(client, fmt, api_key="gr_wrong", **good), fmt, 403, "api_key 无效")
    assert_error(post(client, fmt, api_key=api_key, lat="32.605", long="110.705"), fmt, 400, "缺少 service_code")
    assert_error(post(client, fmt, api_key=api_key, service_code="999", lat="1", long="1"), fmt, 404,
                 "service_code“999”不存在")
    assert_error(post(client, fmt, api_key=api_key, jurisdiction_id="999999", **good), fmt, 404, "jurisdiction_id")
    area_create(name="茅箭区", code="420302", level="district")
    assert_error(post(client, fmt, api_key=api_key, jurisdiction_id="420302", **good), fmt, 403,
                 "只能向 420303 提交")
    assert_error(post(client, fmt, api_key=api_key, service_code="010101"), fmt, 400, "缺少位置")
    assert_error(post(client, fmt, api_key=api_key, service_code="010101", lat="32.6"), fmt, 400,
                 "lat 和 long 要同时提供")
    assert_error(post(client, fmt, api_key=api_key, service_code="010101", lat="232.6", long="110.7"), fmt, 400,
                 "纬度 232.6 超出范围")
    assert_error(post(client, fmt, api_key=api_key, service_code="010101", lat="北纬", long="110.7"), fmt, 400,
                 "不是数字")
    assert_error(post(client, fmt, api_key=api_key, address_id="420303999", service_code="010101"), fmt, 400,
                 "区域编码“420303999”")
    assert_error(post(client, fmt, api_key=api_key, description="漏" * 4001, **good), fmt, 400,
                 "描述（description）最多4000个字")
    assert_error(post(client, fmt, api_key=api_key, phone="12345", **good), fmt, 400, "电话（phone）")
    assert_error(post(client, fmt, api_key=api_key, email="not-an-email", **good), fmt, 400, "电子邮箱")
    assert_error(post(client, fmt, api_key=api_key, media_url="javascript:alert(1)", **good), fmt, 400,
                 "媒体链接")
    assert not Case.objects.exists()


def test_post_with_an_address_only_is_placed_or_taken_by_the_district(client, tree, api_key):
    id_b = new_request(client, api_key, lat="", long="", address_string=f"{tree.grid('B').name}2栋")
    assert Case.objects.get(code=id_b).area == tree.buildings[3]
    id_none = new_request(client, api_key, lat="", long="", address_string="某某路口")
    case = Case.objects.get(code=id_none)
    assert case.area is None and case.area_code == "420303"


def test_post_five_megabytes_and_html(client, tree, api_key):
    response = post(client, "json", api_key=api_key, service_code="010101", lat="32.605", long="110.705",
                    description="w" * 5_000_000)
    assert_error(response, "json", 400, "最多4000个字（收到5,000,000个字）")
    response = post(client, "xml", api_key=api_key, service_code="010101", lat="32.605", long="110.705",
                    description="水" * 5_000_000)  # 45 MB once form-encoded
    assert_error(response, "xml", 400, "请求内容过大")
    rid = new_request(client, api_key, description="<b>路灯</b><script>x()</script>")
    assert Case.objects.get(code=rid).body.startswith("<b>路灯</b><script>x()</script>")
    xml = client.get(f"{BASE}/requests/{rid}.xml").content.decode()
    assert "&lt;script&gt;" in xml and "<script>" not in xml


def test_post_idempotency_key_header(client, tree, api_key):
    data = {"api_key": api_key, "service_code": "010101", "lat": "32.605", "long": "110.705"}
    first = client.post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = client.post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert json.loads(first.content)[0]["service_request_id"] == json.loads(again.content)[0]["service_request_id"]
    assert Case.objects.count() == 1


# --- GET requests ---------------------------------------------------------------------------------


@pytest.fixture
def cases(client, tree, api_key):
    """Three Open311 requests (one closed), one resident case in grid B, one anonymous case."""
    ids = [new_request(client, api_key, description=f"第{i}个问题，电话13812345678") for i in range(3)]
    resident = case_create(title="楼道灯不亮", body="3栋楼道灯坏了", channel="resident_web", area=tree.grid("B"),
                           contact_name="李四", contact_phone="13698765432")
    anonymous = case_create(title="匿名反映", body="不愿透露姓名", channel="resident_web", area=tree.grid("A"),
                            anonymous=True, contact_name="匿名人", contact_phone="13611112222")
    Case.objects.filter(code=ids[2]).update(status="closed", closed_at=timezone.now())
    return {"open311": ids, "resident": resident.code, "anonymous": anonymous.code}


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_fields(client, cases, fmt):
    items = parse(client.get(f"{BASE}/requests.{fmt}"), fmt)
    assert {i["service_request_id"] for i in items} == {*cases["open311"], cases["resident"]}
    for item in items:
        assert list(item) == REQUEST_FIELDS
        assert item["status"] in ("open", "closed")
        assert W3C.match(item["requested_datetime"]) and W3C.match(item["updated_datetime"])
    by_id = {i["service_request_id"]: i for i in items}
    posted = by_id[cases["open311"][0]]
    assert posted["status"] == "open" and posted["status_notes"] == "您的诉求已提交"
    assert posted["service_code"] == "010101" and posted["address_id"].startswith("420303001001001")
    assert W3C.match(posted["expected_datetime"])
    assert float(posted["lat"]) == 32.605 and float(posted["long"]) == 110.705
    assert "138****5678" in posted["description"] and "13812345678" not in posted["description"]
    assert by_id[cases["open311"][2]]["status"] == "closed"
    assert by_id[cases["resident"]]["agency_responsible"] == "网格2"


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_never_shows_contacts_or_anonymous_reporters(client, cases, fmt):
    body = client.get(f"{BASE}/requests.{fmt}").content.decode()
    for secret in ("李四", "13698765432", "698765432", "匿名人", "13611112222", "不愿透露姓名", cases["anonymous"]):
        assert secret not in body
    assert_error(client.get(f"{BASE}/requests/{cases['anonymous']}.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client, tree, cases, fmt):
    def ids(query: str) -> set[str]:
        return {i["service_request_id"] for i in parse(client.get(f"{BASE}/requests.{fmt}?{query}"), fmt)}

    open311 = cases["open311"]
    assert ids("status=closed") == {open311[2]}
    assert ids("status=open") == {open311[0], open311[1], cases["resident"]}
    assert ids("status=open,closed") == {*open311, cases["resident"]}
    assert ids("service_code=010101") == set(open311)
    assert ids("service_code=01") == set(open311)  # a first-level code takes its whole group
    # service_request_id overrides every other argument
    assert ids(f"service_request_id={open311[0]},{cases['resident']},nope&status=closed") == {open311[0],
                                                                                             cases["resident"]}
    now = timezone.localtime()
    assert ids(f"start_date={(now - timedelta(days=1)).date()}") == {*open311, cases["resident"]}
    assert ids(f"end_date={(now - timedelta(days=2)).date()}") == set()
    start = (now - timedelta(hours=1)).isoformat(timespec="seconds")
    assert ids(f"start_date={start}&end_date={(now + timedelta(hours=1)).isoformat(timespec='seconds')}") == {
        *open311, cases["resident"]}
    assert ids(f"start_date={start.replace('+', '%2B')}") == {*open311, cases["resident"]}
    Case.objects.filter(code=cases["resident"]).update(created_at=now - timedelta(days=120))
    assert ids("") == set(open311)  # the last 90 days by default


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_paging(client, cases, fmt):
    def page(query: str) -> list[str]:
        return [i["service_request_id"] for i in parse(client.get(f"{BASE}/requests.{fmt}?{query}"), fmt)]

    everything = page("")
    assert len(everything) == 4
    assert page("page_size=3") == everything[:3]
    assert page("page_size=3&page=2") == everything[3:]
    assert page("page_size=3&page=3") == []
    assert_error(client.get(f"{BASE}/requests.{fmt}?page=0"), fmt, 400, "page 应为")
    assert_error(client.get(f"{BASE}/requests.{fmt}?page_size=5000"), fmt, 400, "page_size 应为 1 到 1000")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_errors(client, cases, fmt):
    assert_error(client.get(f"{BASE}/requests.{fmt}?start_date=yesterday"), fmt, 400, "start_date“yesterday”格式不对")
    assert_error(client.get(f"{BASE}/requests.{fmt}?end_date=2026-13-45"), fmt, 400, "end_date")
    assert_error(client.get(f"{BASE}/requests.{fmt}?start_date=2026-01-01&end_date=2026-06-01"), fmt, 400,
                 "最多相隔90天")
    assert_error(client.get(f"{BASE}/requests.{fmt}?start_date=2026-03-01&end_date=2026-02-01"), fmt, 400,
                 "end_date 早于 start_date")
    assert_error(client.get(f"{BASE}/requests.{fmt}?status=pending"), fmt, 400, "只能是 open 或 closed")
    assert_error(client.get(f"{BASE}/requests.{fmt}?service_code=999999"), fmt, 400, "service_code“999999”")
    assert_error(client.get(f"{BASE}/requests.{fmt}?jurisdiction_id=000000"), fmt, 404, "jurisdiction_id")
    assert_error(client.put(f"{BASE}/requests.{fmt}"), fmt, 400, "只接受")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request(client, cases, fmt):
    rid = cases["open311"][1]
    (item,) = parse(client.get(f"{BASE}/requests/{rid}.{fmt}"), fmt)
    assert list(item) == REQUEST_FIELDS and item["service_request_id"] == rid
    assert parse(client.get(f"{BASE}/requests/{rid}.{fmt}?jurisdiction_id=420303"), fmt)[0] == item
    assert_error(client.get(f"{BASE}/requests/420303-000000-NOPE.{fmt}"), fmt, 404, "service_request_id")
    assert_error(client.get(f"{BASE}/requests/{rid}.{fmt}?jurisdiction_id=999999"), fmt, 404, "jurisdiction_id")
    area_create(name="茅箭区", code="420302", level="district")
    assert parse(client.get(f"{BASE}/requests/{rid}.{fmt}"), fmt)[0] == item  # the id names its district
    assert_error(client.get(f"{BASE}/requests/{rid}.{fmt}?jurisdiction_id=420302"), fmt, 404, "service_request_id")


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens(client, cases, fmt):
    receipt = IntakeReceipt.objects.select_related("case").first()
    (item,) = parse(client.get(f"{BASE}/tokens/{receipt.token}.{fmt}"), fmt)
    assert item == {"service_request_id": receipt.case.code, "token": receipt.token}
    assert_error(client.get(f"{BASE}/tokens/no-such-token.{fmt}"), fmt, 404, "token“no-such-token”不存在")
    area_create(name="茅箭区", code="420302", level="district")
    assert_error(client.get(f"{BASE}/tokens/no-such-token.{fmt}"), fmt, 404, "token“no-such-token”不存在")
    assert_error(client.get(f"{BASE}/tokens/{receipt.token}.{fmt}?jurisdiction_id=420302"), fmt, 404, "token")
    assert parse(client.get(f"{BASE}/tokens/{receipt.token}.{fmt}"), fmt)[0] == item


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_resource(client, tree, fmt):
    assert_error(client.get(f"{BASE}/frobnicate.{fmt}"), fmt, 404, "没有这个 Open311 资源")


def test_unknown_format_and_root(client, tree):
    assert_error(client.get(f"{BASE}/services.yaml"), "xml", 404)
    root = client.get(f"{BASE}/")
    assert root.status_code == 200 and "<discovery>" in root.content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_page_holds_the_default_size_unless_the_client_asks_for_more(client, cases, fmt, monkeypatch):
    """50 requests a page by default (a thousand rows a call cost 0.6 s at 100,000 cases); page_size asks
    for up to 1,000."""
    from grassroots.intake import open311

    monkeypatch.setattr(open311, "PAGE_SIZE", 2)
    assert len(parse(client.get(f"{BASE}/requests.{fmt}"), fmt)) == 2
    assert len(parse(client.get(f"{BASE}/requests.{fmt}?page_size=4"), fmt)) == 4
    assert len(parse(client.get(f"{BASE}/requests.{fmt}?page_size=1000"), fmt)) == 4


def test_xml_stays_readable_with_control_characters(client, tree, api_key):
    """A resident's text may hold characters XML 1.0 forbids even escaped (a vertical tab or a backspace
    pasted into a form; a NUL is refused at the door): the XML list and the 404 echoing an id replace them, so the document still parses."""
    code = new_request(client, api_key, description="楼道灯\x0b坏了\x08一周\x1f，请维修")
    listing = parse(client.get("/open311/v2/requests.xml", {"service_request_id": code}), "xml")
    assert listing[0]["description"].startswith("楼道灯\ufffd坏了\ufffd一周\ufffd")
    missing = client.get("/open311/v2/requests/AB\x01CD.xml")
    assert missing.status_code == 404
    assert "AB\ufffdCD" in ET.fromstring(missing.content)[0].find("description").text


def test_status_notes_say_each_requests_latest_public_step(client, tree, cases):
    """The list and one request both say where each request stands: its latest public step, never a
    staff-only note written after it."""
    from grassroots.cases import services as svc

    accepted, commented = (Case.objects.get(code=code) for code in cases["open311"][:2])
    worker = tree.user("community_worker_1")
    svc.case_accept(case=accepted, actor=worker)
    svc.case_accept(case=commented, actor=worker)
    svc.case_comment(case=commented, actor=worker, note="内部备注：先联系物业")
    listed = {i["service_request_id"]: i["status_notes"] for i in parse(client.get(f"{BASE}/requests.json"), "json")}
    assert listed[accepted.code] == listed[commented.code] == "诉求已受理"
    assert listed[cases["open311"][2]] == "您的诉求已提交"
    for code in (accepted.code, commented.code):
        assert parse(client.get(f"{BASE}/requests/{code}.json"), "json")[0]["status_notes"] == "诉求已受理"
    unit = tree.units["dept"]
    svc.case_dispatch(case=accepted, actor=worker, to_unit=unit)  # the note names the unit from the event's data
    said = f"已派至“{unit.name}”办理"
    assert parse(client.get(f"{BASE}/requests/{accepted.code}.json"), "json")[0]["status_notes"] == said
    assert parse(client.get(f"{BASE}/requests/{accepted.code}.xml"), "xml")[0]["status_notes"] == said
    listed = {i["service_request_id"]: i["status_notes"] for i in parse(client.get(f"{BASE}/requests.json"), "json")}
    assert listed[accepted.code] == said


def test_a_district_outline_is_not_read_by_open311_calls(client, tree, cases, api_key):
    """A real district's outline is a large GeoJSON; no Open311 read or write loads it, neither when it
    names the district nor through the API client's district."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.core import memo

    memo.forget()  # the districts are read from the database, not from the copy an earlier call kept
    code = cases["open311"][0]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{BASE}/requests.json").status_code == 200
        assert client.get(f"{BASE}/requests/{code}.json").status_code == 200
        assert client.get(f"{BASE}/services.json").status_code == 200
        new_request(client, api_key, jurisdiction_id="420303")
    area_reads = [q["sql"] for q in ctx.captured_queries if "areas_area" in q["sql"] and "SELECT" in q["sql"]]
    assert any("'district'" in sql for sql in area_reads)
    # the API client is read alone: its district comes from the same copy as jurisdiction_id's
    client_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "intake_apiclient"' in q["sql"]]
    assert client_reads and not [sql for sql in client_reads if "areas_area" in sql]
    # what each read selects (a condition on the outline, as the grid index's version has, is not a read)
    selected = [sql.split(" FROM ", 1)[0] for sql in area_reads if "'grid'" not in sql]
    assert not [columns for columns in selected if "boundary" in columns]


def test_a_street_is_not_a_jurisdiction(client, tree, api_key):
    """jurisdiction_id names a district: a street's code is refused as unknown, as it was before the
    districts were kept in memory."""
    street = tree.streets[0].code
    assert_error(client.get(f"{BASE}/requests.json", {"jurisdiction_id": street}), "json", 404, "jurisdiction_id")
    assert_error(post(client, "json", api_key=api_key, jurisdiction_id=street, service_code="010101",
                      lat="32.605", long="110.705"), "json", 404, "jurisdiction_id")


def test_a_district_made_in_another_process_is_found_at_once(client, tree, cases):
    """The districts' copy in memory does not hide a district added since it was made (in another process,
    where this one's copy is not forgotten): the database is asked when the copy lacks the code."""
    from grassroots.areas.models import Area, Level
    from grassroots.core import memo

    assert client.get(f"{BASE}/requests.json", {"jurisdiction_id": "420303"}).status_code == 200  # the copy is made
    Area.objects.bulk_create([Area(code="420399", name="新区", level=Level.DISTRICT)])  # no signal: no forget
    assert memo._values.get("areas.team_areas") is not None  # the copy a named district is read from
    response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "420399"})
    assert response.status_code == 200, response.content
    assert response.json() == []
