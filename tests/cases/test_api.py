"""/api/cases: the same scope, filters, forms and services as the pages; errors as JSON in Chinese
with per-field messages; everything in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.cases.models import Case, CaseEvent
from grassroots.core.models import AuditEntry
from tests.cases.pages_support import accepted, counts, in_progress, replied, set_deadline

S = Case.Status


@pytest.fixture
def placed(tree, new_case):
    return {g: new_case(g, title=f"网格{g}的诉求", contact_name="张三丰", contact_phone="13812345678")
            for g in "ABC"}


def act(client, case, action, body=None):
    return client.post(f"/api/cases/{case.pk}/actions/{action}", body or {}, content_type="application/json")


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["code"] for item in response.json()["items"]}


@pytest.mark.parametrize(("username", "grids"), [
    ("grid_worker_A", "A"), ("community_worker_1", "AB"), ("community_worker_2", "C"), ("street_admin_1", "ABC"),
    ("dept_handler", ""), ("nobody", ""),
])
def test_list_is_scoped(client_as, tree, placed, username, grids):
    assert codes(client_as(tree.user(username)).get("/api/cases/")) == {placed[g].code for g in grids}


def test_list_items_are_masked_and_carry_the_time_left(client_as, tree, placed):
    set_deadline(placed["A"], hours=-3)
    data = client_as(tree.user("grid_worker_A")).get("/api/cases/").json()
    assert data["count"] == 1 and data["page"] == 1 and data["pages"] == 1
    item = data["items"][0]
    assert item["contact_phone"] == "138****5678" and item["contact_name"] == "张*丰"
    assert item["deadline_state"] == "overdue" and item["deadline_text"].startswith("已超时")
    assert "13812345678" not in str(data) and "张三丰" not in str(data)


def test_list_filters_and_paging(client_as, tree, placed, new_case):
    accepted(placed["A"], tree)
    for n in range(55):
        new_case("B", title=f"批量{n}")
    client = client_as(tree.user("community_worker_1"))
    assert codes(client.get("/api/cases/", {"group": "active"})) == {placed["A"].code}
    assert codes(client.get("/api/cases/", {"area": tree.grid("A").code})) == {placed["A"].code}
    assert codes(client.get("/api/cases/", {"q": "网格B"})) == {placed["B"].code}
    first = client.get("/api/cases/", {"group": "pending"}).json()
    assert first["count"] == 56 and first["pages"] == 2 and len(first["items"]) == 50 and not first["more"]
    assert len(client.get("/api/cases/", {"group": "pending", "page": 2}).json()["items"]) == 6
    today = timezone.localdate()
    assert codes(client.get("/api/cases/", {"created_to": (today - timedelta(days=2)).isoformat()})) == set()


def test_list_bad_filters_are_422_in_chinese(client_as, tree, placed):
    client = client_as(tree.user("community_worker_1"))
    response = client.get("/api/cases/", {"created_from": "昨天"})
    assert response.status_code == 422
    body = response.json()
    assert "created_from" in body["errors"] and body["detail"] == body["errors"]["created_from"][0]
    response = client.get("/api/cases/", {"area": tree.grid("C").code})  # another community: not a choice
    assert response.status_code == 422 and "area" in response.json()["errors"]


def test_detail_and_events(client_as, tree, placed):
    case = in_progress(placed["A"], tree)
    client = client_as(tree.user("community_worker_1"))
    detail = client.get(f"/api/cases/{case.pk}").json()
    assert detail["code"] == case.code and detail["status"] == "in_progress" and detail["status_label"] == "办理中"
    assert detail["assigned_unit_name"] == "区住建局" and detail["body"].startswith("3栋2单元")
    assert set(detail["actions"]) >= {"reassign", "extend", "park"} and detail["can_reveal"] is True
    assert detail["contact_phone"] == "138****5678"
    events = client.get(f"/api/cases/{case.pk}/events").json()
    assert [e["action"] for e in events] == ["report", "accept", "dispatch", "take"]
    assert events[2]["action_label"] == "派单" and events[2]["from_status"] == "accepted"
    assert events[2]["data"]["to_name"] == "区住建局" and events[0]["actor"] is None


@pytest.mark.parametrize(("username", "grid"), [
    ("grid_worker_A", "B"), ("community_worker_2", "A"), ("community_worker_1", "C"), ("dept_handler", "A"),
])
def test_out_of_scope_is_404_for_every_endpoint_and_writes_nothing(client_as, tree, placed, username, grid):
    case = placed[grid]
    client = client_as(tree.user(username))
    before = counts()
    for response in (client.get(f"/api/cases/{case.pk}"), client.get(f"/api/cases/{case.pk}/events"),
                     act(client, case, "accept"), client.post(f"/api/cases/{case.pk}/reveal")):
        assert response.status_code == 404 and response.json()["detail"] == "诉求不存在或您无权查看"
    assert counts() == before


def test_action_accept_then_dispatch(client_as, tree, placed):
    case = placed["A"]
    client = client_as(tree.user("community_worker_1"))
    response = act(client, case, "accept", {"note": "已电话联系居民"})
    assert response.status_code == 200
    body = response.json()
    assert body["event"]["action"] == "accept" and body["event"]["note"] == "已电话联系居民"
    assert body["case"]["status"] == "accepted" and "dispatch" in body["case"]["actions"]
    response = act(client, case, "dispatch", {"to_unit": tree.units["property"].pk, "note": "请物业处理"})
    assert response.status_code == 200 and response.json()["case"]["assigned_unit_name"] == "阳光物业"


def test_second_accept_is_409_with_the_engines_message(client_as, tree, placed):
    case = placed["A"]
    client = client_as(tree.user("community_worker_1"))
    assert act(client, case, "accept").status_code == 200
    before = counts()
    response = act(client, case, "accept")
    assert response.status_code == 409
    assert "当前状态为“已受理”，不能受理（可能已被他人处理" in response.json()["detail"]
    assert counts() == before


def test_not_this_user_is_403(client_as, tree, placed):
    case = accepted(placed["A"], tree)
    before = counts()
    response = act(client_as(tree.user("grid_worker_A")), case, "dispatch", {"to_unit": tree.units["dept"].pk})
    assert response.status_code == 403 and "您无权对该诉求执行“派单”" in response.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize(("action", "body", "field", "message"), [
    ("reject", {}, "reason", "请填写不予受理的原因及应反映的渠道"),
    ("dispatch", {"to_unit": 99999}, "to_unit", "该单位的服务区域不包括诉求所在地"),
    ("dispatch", {"to_unit": "abc"}, "to_unit", "该单位的服务区域不包括诉求所在地"),
    ("dispatch", {}, "__all__", "请选择承办单位、责任网格/社区/街道或接单党员（选一项）"),
    ("park", {"until": "2001-01-01", "reason": "x"}, "until", "复查日期应晚于今天"),
    ("whistle", {"lead": "dept", "assisting": ["dept"]}, "assisting", "牵头单位不能同时是协办单位"),
])
def test_bad_input_is_422_per_field(client_as, tree, placed, action, body, field, message):
    case = placed["A"]
    if action != "reject":
        accepted(case, tree)
    body = {k: ([tree.units[u].pk for u in v] if k == "assisting" else tree.units[v].pk if k == "lead" else v)
            for k, v in body.items()}
    before = counts()
    response = act(client_as(tree.user("community_worker_1")), case, action, body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(message in m for m in errors[field]) and message in response.json()["detail"]
    assert counts() == before


def test_reply_keeps_html_as_text_and_refuses_5mb(client_as, tree, placed):
    case = in_progress(placed["A"], tree)
    client = client_as(tree.user("dept_handler"))
    before = counts()
    response = act(client, case, "reply", {"reply": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 422 and "答复内容不能超过5000个字" in response.json()["errors"]["reply"][0]
    assert counts() == before
    response = act(client, case, "reply", {"reply": "<b>已处理</b>", "public": False})
    assert response.status_code == 200
    event = CaseEvent.objects.get(case=case, action="reply")
    assert event.note == "<b>已处理</b>" and event.public is False


def test_whistle_extend_rate_and_merge(client_as, tree, placed, new_case):
    client = client_as(tree.user("community_worker_1"))
    a = accepted(placed["A"], tree)
    response = act(client, a, "whistle", {"lead": tree.units["dept"].pk, "assisting": [tree.units["property"].pk],
                                          "tasks": {str(tree.units["property"].pk): "配合断电"}, "note": "联合处置"})
    assert response.status_code == 200 and response.json()["case"]["status"] == "whistled"
    b = in_progress(placed["B"], tree)
    until = (timezone.localtime() + timedelta(days=30)).isoformat()
    response = act(client, b, "extend", {"until": until, "reason": "需等待配件"})
    assert response.status_code == 200 and response.json()["case"]["status"] == "extended"
    c = replied(new_case("A"), tree)
    assert act(client_as(tree.user("grid_worker_A")), c, "verify").status_code == 200
    client = client_as(tree.user("community_worker_1"))  # (the same test client, logged in again)
    response = act(client, c, "rate", {"rating": "basic", "comment": "回访：基本满意"})
    assert response.status_code == 200, response.json()
    assert response.json()["case"]["rating"] == "basic"
    d = new_case("A")
    response = act(client, d, "merge", {"into": a.code})
    assert response.status_code == 200 and response.json()["case"]["merged_into_code"] == a.code


def test_unknown_action_is_rejected(client_as, tree, placed):
    response = act(client_as(tree.user("root")), placed["A"], "explode")
    assert response.status_code == 422  # not in the documented list of actions
    assert counts()[0] == 3


def test_reveal_is_audited(client_as, tree, placed):
    client = client_as(tree.user("grid_worker_A"))
    response = client.post(f"/api/cases/{placed['A'].pk}/reveal")
    assert response.status_code == 200 and response.json() == {"name": "张三丰", "phone": "13812345678"}
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="case.contact_reveal", object_id=str(placed["A"].pk)).count() == 1
    in_progress(placed["B"], tree)
    response = client_as(tree.user("dept_handler")).post(f"/api/cases/{placed['B'].pk}/reveal")
    assert response.status_code == 403 and AuditEntry.objects.filter(action="case.contact_reveal").count() == 1


def test_board_and_bulk(client_as, tree, placed):
    client = client_as(tree.user("community_worker_1"))
    board = client.get("/api/cases/board").json()
    assert {i["code"] for i in board["items"]} == {placed["A"].code, placed["B"].code}
    accepted(placed["B"], tree)
    before = counts()
    response = client.post("/api/cases/bulk", {"action": "accept", "cases": [placed["A"].pk, placed["B"].pk]},
                           content_type="application/json")
    assert response.status_code == 422 and counts() == before
    failures = response.json()["failures"]
    assert [f["code"] for f in failures] == [placed["B"].code] and "已受理" in failures[0]["message"]
    response = client.post("/api/cases/bulk", {"action": "accept", "cases": [placed["A"].pk]},
                           content_type="application/json")
    assert response.status_code == 200 and response.json() == {"done": [placed["A"].pk]}
    response = client.post("/api/cases/bulk", {"action": "accept", "cases": [placed["C"].pk]},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["failures"][0]["code"] is None


def test_api_needs_login(client, placed):
    assert client.get("/api/cases/").status_code == 401
    assert client.post(f"/api/cases/{placed['A'].pk}/actions/accept", {}, content_type="application/json").status_code == 401


def test_everything_is_in_the_openapi_document(client_as, tree):
    doc = client_as(tree.user("root")).get("/api/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/cases/", "/api/cases/board", "/api/cases/bulk", "/api/cases/{case_id}",
                 "/api/cases/{case_id}/events", "/api/cases/{case_id}/actions/{action}",
                 "/api/cases/{case_id}/reveal"):
        assert path in paths, path
    operation = paths["/api/cases/{case_id}/actions/{action}"]["post"]
    action_param = next(p for p in operation["parameters"] if p["name"] == "action")
    assert {"accept", "dispatch", "whistle", "rate"} <= set(action_param["schema"]["enum"])
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
    assert "ActionIn" in doc["components"]["schemas"]


def test_notes_through_the_api(client_as, tree, placed):
    from grassroots.accounts.models import Role
    from tests.factories import make_user

    case = accepted(placed["A"], tree)
    client = client_as(tree.user("community_worker_1"))
    response = act(client, case, "supervise", {"note": "限期三日"})
    assert response.status_code == 200 and response.json()["case"]["supervised"] is True
    assert "supervise" not in response.json()["case"]["actions"] and "unsupervise" in response.json()["case"]["actions"]
    response = act(client, case, "whistle", {"lead": tree.units["dept"].pk, "assisting": [tree.units["property"].pk],
                                             "tasks": {str(tree.units["property"].pk): "配合断电"}, "note": "联合处置"})
    tasks = response.json()["case"]["whistle_tasks"]
    assist = next(t for t in tasks if t["role"] == "assist")
    assert assist["task"] == "配合断电" and assist["status"] == "open"
    handler = make_user("property_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["property"])
    response = act(client_as(handler), case, "task_reply", {"task": assist["id"], "reply": "已断电"})
    assert response.status_code == 200, response.json()
    assert next(t for t in response.json()["case"]["whistle_tasks"] if t["role"] == "assist")["reply"] == "已断电"
    response = act(client_as(handler), case, "comment", {"note": ""})
    assert response.status_code == 422 and "请填写内部备注" in response.json()["detail"]


def test_the_list_counts_to_a_cap_and_says_there_is_more(client_as, tree, placed, new_case, monkeypatch):
    from grassroots.core import paging

    for n in range(4):
        new_case("A", title=f"又一件{n}")
    client = client_as(tree.user("community_worker_1"))
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    data = client.get("/api/cases/").json()
    assert (data["count"], data["more"], data["pages"], len(data["items"])) == (5, True, 1, 5)
    monkeypatch.setattr(paging, "COUNT_CAP", 1000)
    data = client.get("/api/cases/").json()
    assert (data["count"], data["more"], len(data["items"])) == (6, False, 6)
