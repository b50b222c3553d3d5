"""The system push API (/api/intake/cases): API-key auth, idempotency on external_id and on the
Idempotency-Key header, a client reads only its own cases, and bad input gets Chinese errors per field."""

from __future__ import annotations

import json

import pytest

from grassroots.areas.services import area_create
from grassroots.cases.models import Case
from grassroots.cases.selectors import cases_visible_to
from grassroots.cases.services import case_create
from grassroots.intake.models import ApiClient
from grassroots.intake.services import api_client_create, api_client_revoke, key_hash
from tests.intake.conftest import messages

pytestmark = pytest.mark.django_db
URL = "/api/intake/cases"


def push(client, api_key, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data, content_type="application/json", HTTP_X_API_KEY=api_key, **headers)


def order(i: int = 0, **extra) -> dict:
    msg = messages()[i]
    return {"external_id": f"12345-{msg['id']}", "title": msg["title"], "content": msg["body"],
            "category": msg["label"], "lat": 32.605, "lng": 110.705, **extra}


# --- auth ---------------------------------------------------------------------------------------


def test_key_is_stored_hashed_and_shown_once(tree, api_key):
    stored = ApiClient.objects.get()
    assert api_key.startswith("gr_") and len(api_key) == 43
    assert stored.key_hash == key_hash(api_key) and api_key not in str(stored.__dict__)
    assert stored.key_prefix == api_key[:10]


def test_auth_is_required(client, tree, api_key):
    missing = client.post(URL, json.dumps(order()), content_type="application/json")
    assert missing.status_code == 401 and "缺少 API 密钥" in missing.json()["detail"]
    wrong = push(client, "gr_not-a-key", order())
    assert wrong.status_code == 401 and "API 密钥无效或已停用" in wrong.json()["detail"]
    bearer = client.post(URL, json.dumps(order()), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert bearer.status_code == 201
    # a logged-in staff session is not an API key
    client.force_login(tree.user("district_admin"))
    assert client.post(URL, json.dumps(order(1)), content_type="application/json").status_code == 401


def test_revoked_key_is_refused_and_last_use_recorded(client, tree, api_key):
    assert push(client, api_key, order()).status_code == 201
    api_client = ApiClient.objects.get()
    assert api_client.last_used_at is not None
    api_client_revoke(client=api_client, actor=tree.user("root"))
    assert push(client, api_key, order(1)).status_code == 401


# --- create, idempotency --------------------------------------------------------------------------


def test_push_creates_a_case_and_a_retry_returns_it(client, tree, api_key):
    first = push(client, api_key, order(contact_name="王女士", contact_phone="13912345678", urgency="紧急"))
    assert first.status_code == 201
    data = first.json()
    case = Case.objects.get()
    assert data["case_number"] == case.code and data["tracking_code"] == case.tracking_code
    assert (data["status"], data["status_label"], data["created"]) == ("reported", "已上报", True)
    assert data["external_id"] == order()["external_id"] and data["token"]
    assert case.channel == "api" and case.external_source == "12345" and case.area == tree.grid("A")
    assert case.urgency == "emergency" and case.category.name == messages()[0]["label"]
    assert case.plain_contact() == ("王女士", "13912345678")
    again = push(client, api_key, order())
    assert again.status_code == 200 and again.json()["case_number"] == case.code
    assert again.json()["created"] is False
    assert Case.objects.count() == 1


def test_idempotency_key_header(client, tree, api_key):
    first = push(client, api_key, order(0), HTTP_IDEMPOTENCY_KEY="abc-1")
    retry = push(client, api_key, order(0), HTTP_IDEMPOTENCY_KEY="abc-1")
    assert (first.status_code, retry.status_code) == (201, 200)
    reused = push(client, api_key, order(1), HTTP_IDEMPOTENCY_KEY="abc-1")
    assert reused.status_code == 409 and "已用于外部编号" in reused.json()["detail"]
    assert Case.objects.count() == 1
    assert Case.objects.get().intake_key.startswith("api:")


def test_hotline_import_and_push_of_the_same_work_order_make_one_case(client, tree, api_key):
    case_create(title="旧工单", body="此前由文件导入", channel="hotline", area=tree.grid("A"),
                external_source="12345", external_id="12345-3742")
    response = push(client, api_key, order(0, external_id="12345-3742"))
    assert response.status_code == 200 and Case.objects.count() == 1


# --- reading back, scope ------------------------------------------------------------------------


def test_status_and_public_timeline_of_own_case(client, tree, api_key):
    push(client, api_key, order())
    response = client.get(f"{URL}/{order()['external_id']}", HTTP_X_API_KEY=api_key)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "reported" and data["closed"] is False
    assert [e["text"] for e in data["timeline"]] == ["您的诉求已提交"]
    assert client.get(f"{URL}/nope", HTTP_X_API_KEY=api_key).status_code == 404


def test_a_client_reads_only_its_own_districts_and_sources_cases(client, tree, api_key):
    push(client, api_key, order())
    other_district = area_create(name="茅箭区", code="420302", level="district")
    _c, other_key = api_client_create(name="茅箭区12345", source="12345", district=other_district,
                                      actor=tree.user("root"))
    _c, city_key = api_client_create(name="城管平台", source="城管", district=tree.district, actor=tree.user("root"))
    eid = order()["external_id"]
    for stranger in (other_key, city_key):
        response = client.get(f"{URL}/{eid}", HTTP_X_API_KEY=stranger)
        assert response.status_code == 404 and "只能查询本系统" in response.json()["detail"]
    # the same id pushed by the other district is another district's work order
    theirs = push(client, other_key, order(0, lat=None, lng=None))
    assert theirs.status_code == 201 and Case.objects.count() == 2
    assert Case.objects.get(district_code="420302").area is None


def test_grid_staff_see_pushed_cases_of_their_grid_only(client, tree, api_key):
    push(client, api_key, order(0))  # grid A
    push(client, api_key, order(1, lat=32.605, lng=110.715))  # grid B
    in_a = Case.objects.get(area=tree.grid("A"))
    assert list(cases_visible_to(tree.user("grid_worker_A"))) == [in_a]
    assert in_a not in cases_visible_to(tree.user("grid_worker_B"))
    assert in_a not in cases_visible_to(tree.user("community_worker_2"))


# --- bad input ------------------------------------------------------------------------------------


def test_bad_input_gets_a_chinese_message_per_field(client, tree, api_key):
    response = push(client, api_key, {"title": 12, "content": "", "lat": 232.6, "lng": 110.7, "urgency": "很急",
                                  "category": "火星事务", "contact_phone": "12345", "anonymous": "yes", "body": "x"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["external_id"] == "外部编号（external_id）不能为空"
    assert errors["content"] == "诉求内容（content）不能为空"
    assert errors["title"] == "标题（title）应为文字"
    assert errors["urgency"].startswith("紧急程度（urgency）只能是：emergency（紧急）")
    assert "事项类别（category）“火星事务”不存在" in errors["category"]
    assert errors["contact_phone"].startswith("联系电话（contact_phone）：手机号应为11位数字")
    assert errors["anonymous"] == "匿名（anonymous）应为 true 或 false"
    assert errors["body"].startswith("未知字段“body”")
    assert response.json()["detail"].startswith("请求有误：")
    assert not Case.objects.exists()


def test_bad_coordinates(client, tree, api_key):
    response = push(client, api_key, order(lat=232.6))
    assert response.status_code == 400
    assert response.json()["errors"]["lat"].startswith("纬度 232.6 超出范围，应在 -90 到 90 之间")
    response = push(client, api_key, order(lat="北纬32度"))
    assert "不是数字" in response.json()["errors"]["lat"]
    response = push(client, api_key, order(lat=32.6, lng=None))
    assert response.json()["errors"]["lat"] == "经度和纬度要同时填写（只填了一个）"


def test_five_megabytes_of_text_and_a_body_too_large(client, tree, api_key):
    response = push(client, api_key, order(content="w" * 5_000_000))  # 5 MB
    assert response.status_code == 400
    assert response.json()["errors"]["content"] == "诉求内容（content）最多5000个字（收到5,000,000个字），请删减"
    too_big = push(client, api_key, '{"content": "' + "x" * 11_000_000 + '"}')
    assert too_big.status_code == 413 and "请求内容过大" in too_big.json()["detail"]
    assert not Case.objects.exists()


def test_html_is_stored_as_typed(client, tree, api_key):
    response = push(client, api_key, order(title="<img src=x onerror=alert(1)>", content="<b>井盖</b>丢了'; DROP TABLE x;--"))
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.title == "<img src=x onerror=alert(1)>" and case.body == "<b>井盖</b>丢了'; DROP TABLE x;--"


def test_not_json(client, tree, api_key):
    for body in ("not json", "[1, 2]", b"\xff\xfe"):
        response = push(client, api_key, body)
        assert response.status_code == 400 and response.json()["errors"]["body"]


def test_in_the_openapi_document(client, tree):
    client.force_login(tree.user("root"))
    schema = client.get("/api/openapi.json").json()
    post = schema["paths"]["/api/intake/cases"]["post"]
    assert set(post["responses"]) >= {"200", "201", "400", "401", "409", "413"}
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert {"external_id", "content"} <= set(body["required"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "/api/intake/cases/{external_id}" in schema["paths"]
    assert any("X-Api-Key" in json.dumps(s) for s in schema["components"]["securitySchemes"].values())
