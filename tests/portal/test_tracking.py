"""/r/t/: the resident follows a case by its tracking code and rates it; guessing codes is throttled."""

from __future__ import annotations

import pytest

from grassroots.cases.models import Case, CaseEvent, Channel, Rating
from grassroots.cases.services import case_receive
from grassroots.portal import throttle

pytestmark = pytest.mark.django_db
S = Case.Status


def html_of(response) -> str:
    return response.content.decode()


def test_enter_the_code_in_any_spelling(client, tree, new_case):
    case = new_case()
    code = case.tracking_code
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:]} "
    response = client.get("/r/t/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/r/t/{code}/"
    assert client.get(f"/r/t/{code.lower()}/")["Location"] == f"/r/t/{code}/"
    html = html_of(client.get(f"/r/t/{code}/"))
    assert "已提交，等待受理" in html and "您的诉求已提交" in html and case.title in html
    assert "-".join(code[i:i + 4] for i in (0, 4, 8)) in html
    assert "请输入查询码" in html_of(client.get("/r/t/", {"code": ""}))


def test_look_alike_letters_are_read_as_digits(client, tree, new_case):
    case = new_case()
    Case.objects.filter(pk=case.pk).update(tracking_code="01ABCDEFGH23")
    assert client.get("/r/t/oIABCDEFGH23/")["Location"] == "/r/t/01ABCDEFGH23/"
    assert client.get("/r/t/OLABCDEFGH23/")["Location"] == "/r/t/01ABCDEFGH23/"


def test_unknown_code_is_a_friendly_404(client, tree):
    response = client.get("/r/t/ZZZZZZZZZZZZ/")
    assert response.status_code == 404
    assert "没有找到查询码为“ZZZZZZZZZZZZ”的诉求" in html_of(response)


def test_timeline_in_order_without_internal_events_or_staff_names(client, tree, verified_case):
    case = verified_case()
    html = html_of(client.get(f"/r/t/{case.tracking_code}/"))
    texts = ["您的诉求已提交", "诉求已受理", "已派至“阳光物业”办理", "已派至“区住建局”办理", "承办单位已接单，正在办理",
             "承办单位已答复", "办理结果已核实"]
    timeline = html[html.index('<ol class="timeline">'):]
    positions = [timeline.index(t) for t in texts]
    assert positions == sorted(positions)
    assert "承办单位申请退回" not in html  # the return is internal
    assert CaseEvent.objects.filter(case=case, action="return", public=False).exists()
    for secret in ("内部", "13900000000", "不归我们管"):  # notes staff wrote to staff
        assert secret not in html
    for name in ("community_worker_1", "dept_handler", "grid_worker_A", "property_handler"):
        assert name not in html
    assert "138****5678" not in html and "13812345678" not in html and "王小明" not in html
    assert "已更换灯泡并检查线路，现已恢复照明。" in html  # the handler's reply to the resident
    assert "请您评价" in html and 'name="rating"' in html and "满意" in html and "基本满意" in html
    assert "选择“不满意”，诉求会退回承办单位重新办理（重办）" in html


def test_rating_satisfied_closes_the_case_and_thanks(client, tree, verified_case):
    case = verified_case()
    url = f"/r/t/{case.tracking_code}/"
    response = client.post(url + "rate/", {"rating": Rating.SATISFIED, "comment": "很及时，谢谢"})
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.rating == Rating.SATISFIED
    event = case.events.get(action="rate")
    assert event.actor is None and event.note == "很及时，谢谢"
    html = html_of(client.get(url))
    assert "感谢您的评价！诉求已办结。" in html and "已办结" in html and "您的评价：满意" in html
    assert 'name="rating"' not in html  # no second rating
    again = client.post(url + "rate/", {"rating": Rating.UNSATISFIED}, follow=True)
    assert "该诉求当前不能评价" in html_of(again)
    assert Case.objects.get(pk=case.pk).status == S.CLOSED


def test_rating_unsatisfied_reopens_for_rework(client, tree, verified_case):
    case = verified_case()
    url = f"/r/t/{case.tracking_code}/"
    client.post(url + "rate/", {"rating": Rating.UNSATISFIED, "comment": "灯还是不亮"})
    case.refresh_from_db()
    assert case.status == S.REOPENED and case.reopen_count == 1
    html = html_of(client.get(url))
    assert "重新办理中" in html and "重办" in html and "您的评价：不满意，诉求已重新交办" in html
    assert "灯还是不亮" in html and 'name="rating"' not in html


def test_rating_needs_a_choice_and_a_verified_case(client, tree, verified_case, new_case):
    case = verified_case()
    response = client.post(f"/r/t/{case.tracking_code}/rate/", {"rating": "great"})
    assert response.status_code == 400 and "请选择：满意、基本满意或不满意" in html_of(response)
    fresh = new_case(grid="B")
    response = client.post(f"/r/t/{fresh.tracking_code}/rate/", {"rating": Rating.SATISFIED}, follow=True)
    assert "该诉求当前不能评价" in html_of(response)
    assert Case.objects.get(pk=fresh.pk).status == S.REPORTED
    assert client.post("/r/t/NOPENOPENOPE/rate/", {"rating": Rating.SATISFIED}).status_code == 404


def test_guessing_codes_is_refused_after_twenty_misses(client, tree, new_case):
    case = new_case()
    for n in range(throttle.LIMIT - 1):
        assert client.get(f"/r/t/GUESS{n:07d}/").status_code == 404
    response = client.get("/r/t/GUESSLAST000/")
    assert response.status_code == 429 and "查询次数过多" in html_of(response)
    refused = client.get(f"/r/t/{case.tracking_code}/")  # even the right code, for a while
    assert refused.status_code == 429
    assert client.post(f"/r/t/{case.tracking_code}/rate/", {"rating": "satisfied"}).status_code == 429


def test_throttle_counts_per_address_across_sessions(client, tree, new_case, settings):
    case = new_case()
    settings.GRASSROOTS_TRACK_GUESS_LIMIT = 3
    for n in range(2):
        client.cookies.clear()  # a scanner that drops its cookies is still counted by address
        assert client.get(f"/r/t/GUESS{n:07d}/").status_code == 404
    client.cookies.clear()
    assert client.get("/r/t/GUESS9999999/").status_code == 429
    from django.test import Client

    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert elsewhere.get(f"/r/t/{case.tracking_code}/").status_code == 200


def test_right_codes_do_not_count(client, tree, new_case):
    case = new_case()
    for _ in range(throttle.LIMIT + 5):
        assert client.get(f"/r/t/{case.tracking_code}/").status_code == 200


def test_rejected_case_shows_the_reason(client, tree, new_case):
    from grassroots.cases.services import case_reject

    case = new_case()
    case_reject(case=case, reason="属于民事纠纷，请向人民法院起诉", actor=tree.user("community_worker_1"))
    html = html_of(client.get(f"/r/t/{case.tracking_code}/"))
    assert "不予受理" in html and "属于民事纠纷，请向人民法院起诉" in html


def test_walk_in_case_is_tracked_like_any_other(client, tree):
    case, _ = case_receive(title="低保咨询", body="想了解低保申请条件", channel=Channel.WALK_IN,
                           actor=tree.user("community_worker_1"), area=tree.grid("A"))
    assert client.get(f"/r/t/{case.tracking_code}/").status_code == 200
