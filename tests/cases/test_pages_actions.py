"""Every action of the detail page's panel through its HTMX form: the right status and one event on
success; on a refusal (bad input, a second click, not this user) a Chinese message next to the form,
never a 500, and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.cases import services as svc
from grassroots.cases.models import Case, CaseEvent
from tests.cases.pages_support import HX, accepted, counts, dispatched_to_dept, in_progress, replied, verified

S = Case.Status


def reported(case, tree):
    return case


def parked(case, tree):
    accepted(case, tree)
    svc.case_park(case=case, until=timezone.localdate() + timedelta(days=30), actor=tree.user("root"),
                  reason="需纳入明年改造计划")
    return case


def local_input(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def post(client, case, action, data=None, htmx=True):
    data = {f"{action}-{k}": v for k, v in (data or {}).items()}
    return client.post(f"/cases/{case.pk}/actions/{action}/", data, **(HX if htmx else {}))


CASES = [
    # (state, user, action, inputs, status after)
    (reported, "community_worker_1", "accept", {}, S.ACCEPTED),
    (reported, "community_worker_1", "reject", {"reason": "属民事纠纷，请向人民法院起诉"}, S.REJECTED),
    (accepted, "community_worker_1", "dispatch", {"to_unit": "property", "note": "请物业处理"}, S.DISPATCHED),
    (accepted, "community_worker_1", "dispatch", {"to_area": "grid:A"}, S.DISPATCHED),
    (accepted, "grid_worker_A", "start", {}, S.IN_PROGRESS),
    (dispatched_to_dept, "dept_handler", "take", {}, S.IN_PROGRESS),
    (in_progress, "dept_handler", "return", {"reason": "不属于住建局职责"}, S.RETURNED),
    (dispatched_to_dept, "community_worker_1", "reassign", {"to_unit": "property"}, S.DISPATCHED),
    (in_progress, "community_worker_1", "extend", {"until": "+30d", "reason": "需等待配件"}, S.EXTENDED),
    (accepted, "community_worker_1", "park", {"until": "+60d", "reason": "纳入老旧小区改造"}, S.PARKED),
    (parked, "community_worker_1", "unpark", {}, S.ACCEPTED),
    (accepted, "community_worker_1", "escalate", {"note": "社区协调不了"}, S.ESCALATED),
    (accepted, "community_worker_1", "whistle", {"lead": "dept", "assisting": ["property"], "note": "联合处置"},
     S.WHISTLED),
    (in_progress, "dept_handler", "reply", {"reply": "已更换灯泡并检修线路", "public": "on"}, S.REPLIED),
    (replied, "grid_worker_A", "verify", {"note": "现场已亮"}, S.VERIFIED),
    (verified, "community_worker_1", "rate", {"rating": "satisfied", "comment": "电话回访，居民满意"}, S.CLOSED),
    (replied, "community_worker_1", "reopen", {"reason": "居民反映仍不亮"}, S.REOPENED),
    (verified, "community_worker_1", "close", {}, S.CLOSED),
]


def resolve(tree, inputs: dict, other: Case | None = None) -> dict:
    out = {}
    for key, value in inputs.items():
        if key in ("to_unit", "lead"):
            value = tree.units[value].pk
        elif key == "assisting":
            value = [tree.units[v].pk for v in value]
        elif key == "to_area":
            value = tree.grid(value.split(":")[1]).code
        elif key == "until":
            days = timedelta(days=int(value[1:-1]))
            value = local_input(days) if inputs.get("reason") != "纳入老旧小区改造" else \
                (timezone.localdate() + days).isoformat()
        out[key] = value
    return out


@pytest.mark.parametrize(("state", "username", "action", "inputs", "status"), CASES,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_each_action_through_its_form(client_as, tree, new_case, state, username, action, inputs, status):
    case = state(new_case("A"), tree)
    user = tree.user(username)
    events = case.events.count()
    response = post(client_as(user), case, action, resolve(tree, inputs))
    assert response.status_code == 200, response.content.decode()[:500]
    landing = response["HX-Redirect"]
    case.refresh_from_db()
    assert case.status == status and case.events.count() == events + 1
    assert case.events.order_by("-pk").first().actor == user
    html = client_as(user).get(landing).content.decode()
    label = {"rate": "回访", "dispatch": "派单", "return": "退单"}.get(action, "")
    assert f"：{case.code}" in html and f"已{label}" in html
    if action == "return":  # the unit no longer holds it: back to the list, not to a 404
        assert landing == "/cases/" and "该诉求已不在您的办理范围内" in html
    else:
        assert landing == f"/cases/{case.pk}/"


def test_success_without_htmx_redirects(client_as, tree, new_case):
    case = new_case("A")
    response = post(client_as(tree.user("community_worker_1")), case, "accept", htmx=False)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    html = client_as(tree.user("community_worker_1")).get(response["Location"]).content.decode()
    assert f"已受理：{case.code}" in html


def test_second_click_gets_the_engines_message_not_a_500(client_as, tree, new_case):
    case = new_case("A")
    client = client_as(tree.user("community_worker_1"))
    assert post(client, case, "accept").status_code == 200
    before = counts()
    response = post(client, case, "accept")
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert f"诉求“{case.code}”当前状态为“已受理”，不能受理（可能已被他人处理，请刷新后查看最新状态）" in html
    assert 'id="action-accept"' in html and "刷新页面查看最新状态" in html
    assert counts() == before
    plain = post(client, case, "accept", htmx=False)
    assert plain.status_code == 400 and "当前状态为“已受理”" in plain.content.decode()
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


@pytest.mark.parametrize(("state", "action", "inputs", "message"), [
    (reported, "reject", {"reason": ""}, "请填写不予受理的原因及应反映的渠道"),
    (reported, "merge", {"into": "NO-SUCH-CODE"}, "找不到编号为“NO-SUCH-CODE”的诉求"),
    (accepted, "dispatch", {}, "请选择承办单位、责任网格/社区/街道或接单党员（选一项）"),
    (accepted, "dispatch", {"to_unit": "99999"}, "该单位的服务区域不包括诉求所在地"),
    (in_progress, "extend", {"until": "2001-01-01T08:00", "reason": "x"}, "延期时限应晚于现在"),
    (in_progress, "extend", {"until": "明天", "reason": "x"}, "请填写正确的日期和时间"),
    (accepted, "park", {"until": "2001-01-01", "reason": "x"}, "复查日期应晚于今天"),
    (accepted, "whistle", {"note": "x"}, "请选择牵头单位"),
    (verified, "rate", {"rating": "great"}, "请选择：满意、基本满意或不满意"),
    (replied, "reopen", {"reason": "   "}, "请填写重办理由"),
])
def test_bad_input_is_refused_next_to_the_form(client_as, tree, new_case, state, action, inputs, message):
    case = state(new_case("A"), tree)
    before = counts()
    response = post(client_as(tree.user("community_worker_1")), case, action, inputs)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and f'id="action-{action}"' in html
    assert counts() == before


def test_whistle_lead_cannot_also_assist(client_as, tree, new_case):
    case = accepted(new_case("A"), tree)
    dept = tree.units["dept"].pk
    response = post(client_as(tree.user("community_worker_1")), case, "whistle", {"lead": dept, "assisting": [dept]})
    assert "牵头单位不能同时是协办单位" in response.content.decode()


def test_a_five_megabyte_reply_is_refused(client_as, tree, new_case):
    case = in_progress(new_case("A"), tree)
    before = counts()
    response = post(client_as(tree.user("dept_handler")), case, "reply", {"reply": "长" * (5 * 1024 * 1024 // 3)})
    assert response.status_code == 200 and "答复内容不能超过5000个字" in response.content.decode()
    assert counts() == before


def test_html_in_a_reply_is_stored_as_typed_and_shown_as_text(client_as, tree, new_case):
    case = in_progress(new_case("A"), tree)
    text = "<script>alert(1)</script> 已处理 & 完成"
    post(client_as(tree.user("dept_handler")), case, "reply", {"reply": text, "public": "on"})
    assert CaseEvent.objects.get(case=case, action="reply").note == text
    html = client_as(tree.user("community_worker_1")).get(f"/cases/{case.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; 已处理 &amp; 完成" in html


def test_an_action_the_user_may_not_take_is_refused(client_as, tree, new_case):
    case = accepted(new_case("A"), tree)
    before = counts()
    response = post(client_as(tree.user("grid_worker_A")), case, "dispatch", {"to_unit": tree.units["dept"].pk})
    html = response.content.decode()
    assert response.status_code == 200 and "您无权对该诉求执行“派单”" in html and counts() == before


def test_merge_into_a_case_of_another_community_is_not_possible(client_as, tree, new_case):
    case, other = new_case("A"), new_case("C")
    response = post(client_as(tree.user("community_worker_1")), case, "merge", {"into": other.code})
    assert f"找不到编号为“{other.code}”的诉求（或您无权查看它）" in response.content.decode()
    target = new_case("B")
    response = post(client_as(tree.user("community_worker_1")), case, "merge", {"into": target.code.lower()})
    case.refresh_from_db()
    assert case.status == S.MERGED and case.merged_into == target


def test_unknown_action_is_404(client_as, tree, new_case):
    case = new_case("A")
    assert client_as(tree.user("root")).post(f"/cases/{case.pk}/actions/explode/").status_code == 404


def test_actions_need_post(client_as, tree, new_case):
    case = new_case("A")
    assert client_as(tree.user("root")).get(f"/cases/{case.pk}/actions/accept/").status_code == 405


def test_another_communitys_worker_cannot_act(client_as, tree, new_case):
    case = new_case("A")
    before = counts()
    for username in ("community_worker_2", "grid_worker_B"):
        response = post(client_as(tree.user(username)), case, "accept")
        assert response.status_code == 404
    assert counts() == before


# --- the engine's notes: an event, the status kept ---------------------------------------------------


@pytest.fixture
def property_handler(tree):
    from grassroots.accounts.models import Role
    from tests.factories import make_user

    return make_user("property_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["property"])


def test_supervise_and_unsupervise(client_as, tree, new_case):
    case = accepted(new_case("A"), tree)
    client = client_as(tree.user("community_worker_1"))
    response = post(client, case, "supervise", {"note": ""})
    assert "请填写督办意见" in response.content.decode() and case.events.count() == 2
    assert post(client, case, "supervise", {"note": "三日内办结并报街道"}).status_code == 200
    case.refresh_from_db()
    assert case.supervised_at is not None and case.status == S.ACCEPTED
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="action-supervise"' not in html and 'id="action-unsupervise"' in html  # no second 督办
    assert "三日内办结并报街道" in html and "flag-supervised" in html
    post(client, case, "unsupervise")
    case.refresh_from_db()
    assert case.supervised_at is None


def test_comment_by_the_grid_worker(client_as, tree, new_case):
    case = new_case("A")
    client = client_as(tree.user("grid_worker_A"))
    assert post(client, case, "comment", {"note": "已电话联系居民，约明早上门"}).status_code == 200
    event = CaseEvent.objects.get(case=case, action="comment")
    assert event.public is False and event.to_status == S.REPORTED
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "约明早上门" in html and "内部" in html


def test_extension_request_then_approval_as_asked(client_as, tree, new_case):
    case = in_progress(new_case("A"), tree)
    asked = local_input(timedelta(days=20))
    dept = client_as(tree.user("dept_handler"))
    assert post(dept, case, "request_extension", {"until": asked, "reason": "需采购配件"}).status_code == 200
    case.refresh_from_db()
    assert case.extension_requested_until is not None and case.status == S.IN_PROGRESS
    cw1 = client_as(tree.user("community_worker_1"))
    board = cw1.get("/cases/board/", {"kind": "extension"}).content.decode()
    assert case.code in board and "需采购配件" in board
    html = cw1.get(f"/cases/{case.pk}/").content.decode()
    assert "留空即按申请批准" in html and 'id="action-deny_extension"' in html
    assert post(cw1, case, "extend", {"until": "", "reason": "同意"}).status_code == 200
    case.refresh_from_db()
    assert case.status == S.EXTENDED and timezone.localtime(case.deadline).strftime("%Y-%m-%dT%H:%M") == asked


def test_extension_request_denied(client_as, tree, new_case):
    case = in_progress(new_case("A"), tree)
    post(client_as(tree.user("dept_handler")), case, "request_extension",
         {"until": local_input(timedelta(days=20)), "reason": "需采购配件"})
    cw1 = client_as(tree.user("community_worker_1"))
    assert "请填写驳回理由" in post(cw1, case, "deny_extension", {"reason": ""}).content.decode()
    assert post(cw1, case, "deny_extension", {"reason": "配件本地可购"}).status_code == 200
    case.refresh_from_db()
    assert case.extension_requested_until is None and case.status == S.IN_PROGRESS


def test_extend_without_a_request_needs_a_date(client_as, tree, new_case):
    case = in_progress(new_case("A"), tree)
    response = post(client_as(tree.user("community_worker_1")), case, "extend", {"until": "", "reason": "x"})
    assert "请填写新的办理时限" in response.content.decode() and case.events.count() == 4


def test_whistle_with_a_task_per_unit_then_the_assisting_unit_replies(client_as, tree, new_case, property_handler):
    from grassroots.cases.models import WhistleTask

    case = accepted(new_case("A"), tree)
    dept, prop = tree.units["dept"], tree.units["property"]
    deadline = local_input(timedelta(days=3))
    response = post(client_as(tree.user("community_worker_1")), case, "whistle", {
        "lead": dept.pk, "assisting": [prop.pk], f"task_{prop.pk}": "配合断电并疏导住户",
        "deadline": deadline, "note": "联合整治楼道线路"})
    assert response.status_code == 200 and "HX-Redirect" in response
    tasks = {t.unit_id: t for t in WhistleTask.objects.filter(case=case)}
    assert tasks[dept.pk].task == "联合整治楼道线路" and tasks[dept.pk].role == "lead"
    assert tasks[prop.pk].task == "配合断电并疏导住户" and tasks[prop.pk].role == "assist"
    assert timezone.localtime(tasks[prop.pk].deadline).strftime("%Y-%m-%dT%H:%M") == deadline

    client = client_as(property_handler)
    html = client.get(f"/cases/{case.pk}/").content.decode()  # the assisting unit sees the case
    assert 'id="action-task_reply"' in html and 'id="action-reply"' not in html
    response = post(client, case, "task_reply", {"task": tasks[prop.pk].pk, "reply": "已于今晚断电配合"})
    assert response.status_code == 200 and "HX-Redirect" in response
    tasks[prop.pk].refresh_from_db()
    assert tasks[prop.pk].status == "replied" and tasks[prop.pk].reply == "已于今晚断电配合"
    case.refresh_from_db()
    assert case.status == S.WHISTLED
    again = post(client, case, "task_reply", {"task": tasks[prop.pk].pk, "reply": "再次回复"})
    assert "只能回复本单位尚未回复的吹哨任务" in again.content.decode() or "您无权" in again.content.decode()
