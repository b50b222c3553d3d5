"""The case lifecycle through the services: the happy path, refused steps, who may act where,
return once, the rating rule, escalation, whistle, and what the resident's timeline shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseEvent, Channel, Rating, Tier
from grassroots.cases.selectors import case_actions_for, case_timeline_public
from grassroots.cases.transitions import is_allowed_step
from grassroots.demo.stats import collect_stats
from grassroots.notifications.models import Notification
from tests.factories import make_user

S = Case.Status


@pytest.fixture
def resident(tree):
    return make_user("resident_1", Role.RESIDENT, area=tree.households[0])


@pytest.fixture
def property_handler(tree):
    return make_user("property_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["property"])


def events(case: Case) -> list[CaseEvent]:
    return list(case.events.order_by("at", "pk"))


def assert_consistent(case: Case) -> None:
    case.refresh_from_db()
    evs = events(case)
    assert case.status == evs[-1].to_status
    previous = ""
    for event in evs:
        assert event.from_status == previous
        assert is_allowed_step(event.action, event.from_status, event.to_status), event
        previous = event.to_status


def test_happy_path_one_event_per_call(tree, new_case, resident):
    u = tree.user
    case = new_case(actor=resident, contact_name="张三丰", contact_phone="13812345678")
    assert case.status == S.REPORTED and len(events(case)) == 1
    assert case.reporter_user == resident and case.area_code == tree.grid("A").code

    steps = [
        (svc.case_accept, {"actor": u("community_worker_1")}, S.ACCEPTED),
        (svc.case_dispatch, {"actor": u("community_worker_1"), "to_unit": tree.units["dept"]}, S.DISPATCHED),
        (svc.case_take, {"actor": u("dept_handler")}, S.IN_PROGRESS),
        (svc.case_reply, {"actor": u("dept_handler"), "reply": "已更换灯泡并检查线路。"}, S.REPLIED),
        (svc.case_verify, {"actor": u("grid_worker_A")}, S.VERIFIED),
        (svc.case_rate, {"actor": resident, "rating": Rating.SATISFIED, "comment": "很及时"}, S.CLOSED),
    ]
    for n, (service, kwargs, status) in enumerate(steps, start=2):
        event = service(case=case, **kwargs)
        assert case.status == status == event.to_status
        assert len(events(case)) == n
    assert_consistent(case)
    assert case.assigned_unit == tree.units["dept"] and case.handler == u("dept_handler")
    assert case.accepted_by == u("community_worker_1")
    assert case.rating == Rating.SATISFIED and case.closed_at and case.replied_at
    assert [e.action for e in events(case)] == ["report", "accept", "dispatch", "take", "reply", "verify", "rate"]
    assert collect_stats()["cases"]["closed"] == 1


def test_forbidden_transition_is_refused_in_chinese_and_writes_nothing(tree, new_case):
    case = new_case()
    sent = Notification.objects.count()
    with pytest.raises(TransitionNotAllowed) as err:
        svc.case_dispatch(case=case, actor=tree.user("community_worker_1"), to_unit=tree.units["dept"])
    assert "已上报" in err.value.message and "派单" in err.value.message
    assert Notification.objects.count() == sent
    for action in ("take", "reply", "verify", "close", "rate", "unpark"):
        with pytest.raises(TransitionNotAllowed):
            svc.case_transition(case=case, action=action, actor=tree.user("root"), rating=Rating.BASIC)
    case.refresh_from_db()
    assert case.status == S.REPORTED and len(events(case)) == 1


def test_terminal_states_refuse_everything_but_what_the_table_allows(tree, new_case):
    root = tree.user("root")
    case = new_case()
    with pytest.raises(ValidationError, match="不予受理的原因"):
        svc.case_reject(case=case, reason="", actor=root)
    svc.case_reject(case=case, reason="属于民事纠纷，请向人民法院起诉", actor=root)
    for action in ("accept", "dispatch", "reopen", "close", "merge"):
        with pytest.raises(TransitionNotAllowed, match="不予受理"):
            svc.case_transition(case=case, action=action, actor=root, note="x")
    assert len(events(case)) == 2


def test_grid_worker_cannot_act_on_another_grids_case(tree, new_case):
    case = new_case("B")
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    with pytest.raises(PermissionDenied, match="您无权"):
        svc.case_start(case=case, actor=tree.user("grid_worker_A"))
    with pytest.raises(PermissionDenied):
        svc.case_accept(case=new_case("B"), actor=tree.user("community_worker_2"))
    with pytest.raises(PermissionDenied):
        svc.case_accept(case=new_case("B"), actor=tree.user("nobody"))
    assert len(events(case)) == 2
    svc.case_start(case=case, actor=tree.user("grid_worker_B"))
    assert case.status == S.IN_PROGRESS and case.assigned_area == tree.grid("B")
    assert case.handler == tree.user("grid_worker_B")
    with pytest.raises(PermissionDenied):
        svc.case_reply(case=case, reply="已处理", actor=tree.user("grid_worker_A"))


def test_a_unit_takes_only_the_cases_dispatched_to_it(tree, new_case, property_handler):
    cw1 = tree.user("community_worker_1")
    case = new_case()
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["property"])
    with pytest.raises(PermissionDenied, match="承办该诉求的单位"):
        svc.case_take(case=case, actor=tree.user("dept_handler"))
    with pytest.raises(PermissionDenied):
        svc.case_take(case=case, actor=tree.user("grid_worker_A"))
    svc.case_take(case=case, actor=property_handler)
    assert case.status == S.IN_PROGRESS
    # a community dispatches down to its grids, not up to the street
    up = new_case()
    svc.case_accept(case=up, actor=cw1)
    with pytest.raises(PermissionDenied, match="上提"):
        svc.case_dispatch(case=up, actor=cw1, to_area=tree.streets[0])
    svc.case_dispatch(case=up, actor=cw1, to_area=tree.grid("A"))
    with pytest.raises(PermissionDenied):
        svc.case_take(case=up, actor=tree.user("grid_worker_B"))
    svc.case_take(case=up, actor=tree.user("grid_worker_A"))
    # a unit can be sent only cases in the area it serves
    other = new_case("C")
    svc.case_accept(case=other, actor=tree.user("community_worker_2"))
    with pytest.raises(ValidationError, match="服务区域"):
        svc.case_dispatch(case=other, actor=tree.user("community_worker_2"), to_unit=tree.units["property"])


def test_return_once_then_refused(tree, new_case):
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    case = new_case()
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    with pytest.raises(ValidationError, match="退单理由"):
        svc.case_return(case=case, reason=" ", actor=dept)
    svc.case_return(case=case, reason="不属于住建局职责，应由物业处理", actor=dept)
    assert case.status == S.RETURNED and case.return_count == 1 and case.assigned_unit is None
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"], note="经核实属住建局职责")
    svc.case_take(case=case, actor=dept)
    count = len(events(case))
    with pytest.raises(TransitionNotAllowed, match="只能退单一次"):
        svc.case_return(case=case, reason="还是不归我们管", actor=dept)
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and len(events(case)) == count and case.return_count == 1
    assert_consistent(case)


def _to_verified(tree, case, handler) -> None:
    cw1 = tree.user("community_worker_1")
    if case.status == S.REPORTED:
        svc.case_accept(case=case, actor=cw1)
        svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    svc.case_take(case=case, actor=handler)
    svc.case_reply(case=case, reply="已处理完毕", actor=handler)
    svc.case_verify(case=case, actor=tree.user("grid_worker_A"))


def test_unsatisfied_reopens_once_to_the_same_holder_then_closes(tree, new_case, resident):
    dept = tree.user("dept_handler")
    case = new_case(actor=resident)
    _to_verified(tree, case, dept)
    svc.case_rate(case=case, rating=Rating.UNSATISFIED, comment="灯还是不亮", actor=resident)
    assert case.status == S.REOPENED and case.reopen_count == 1 and case.closed_at is None
    assert case.assigned_unit == tree.units["dept"]
    with pytest.raises(PermissionDenied):
        svc.case_take(case=case, actor=tree.user("grid_worker_A"))
    _to_verified(tree, case, dept)
    svc.case_rate(case=case, rating=Rating.UNSATISFIED, comment="仍不满意", actor=resident)
    assert case.status == S.CLOSED and case.rating == Rating.UNSATISFIED and case.reopen_count == 1
    assert [e.action for e in events(case) if e.action.startswith("rate")] == ["rate_unsatisfied", "rate"]
    assert_consistent(case)


def test_rating_by_tracking_code_and_only_by_the_reporter(tree, new_case, resident):
    case = new_case(actor=resident)
    _to_verified(tree, case, tree.user("dept_handler"))
    with pytest.raises(PermissionDenied):
        svc.case_rate(case=case, rating=Rating.BASIC, actor=None, tracking_code="WRONGCODE000")
    with pytest.raises(PermissionDenied):
        svc.case_rate(case=case, rating=Rating.BASIC, actor=tree.user("grid_worker_A"))
    with pytest.raises(ValidationError, match="满意"):
        svc.case_rate(case=case, rating="great", actor=resident)
    code = case.tracking_code.lower()
    svc.case_rate(case=case, rating=Rating.BASIC, actor=None, tracking_code=f"{code[:4]}-{code[4:8]}-{code[8:]}")
    assert case.status == S.CLOSED and case.rating == Rating.BASIC


def test_verifier_is_not_the_one_who_replied(tree, new_case):
    gw = tree.user("grid_worker_A")
    case = new_case()
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    svc.case_start(case=case, actor=gw)
    svc.case_reply(case=case, reply="已协调物业修好", actor=gw)
    with pytest.raises(PermissionDenied, match="自己答复"):
        svc.case_verify(case=case, actor=gw)
    svc.case_verify(case=case, actor=tree.user("community_worker_1"))
    svc.case_close(case=case, actor=None)  # the sweep closing an unrated case
    assert case.status == S.CLOSED and case.rating == ""
    assert events(case)[-1].data == {"unrated": True} and events(case)[-1].actor is None


def test_escalation_moves_control_up_one_tier(tree, new_case):
    gw, cw1, street = tree.user("grid_worker_A"), tree.user("community_worker_1"), tree.user("street_admin_1")
    case = new_case()
    svc.case_accept(case=case, actor=cw1)
    svc.case_start(case=case, actor=gw)
    svc.case_escalate(case=case, actor=gw, note="涉及多个小区，网格协调不了")
    assert case.status == S.ESCALATED and case.assigned_area == tree.communities[0] and case.tier == Tier.COMMUNITY
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["property"])
    svc.case_escalate(case=case, actor=None)  # the deadline sweep
    assert case.assigned_area == tree.streets[0] and case.tier == Tier.STREET and case.assigned_unit is None
    with pytest.raises(PermissionDenied):
        svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["property"])
    with pytest.raises(ValidationError, match="只能派给网格、社区或街道"):
        svc.case_dispatch(case=case, actor=street, to_area=tree.district)
    svc.case_whistle(case=case, actor=street, lead=tree.units["dept"], assisting=[tree.units["property"]])
    assert case.status == S.WHISTLED and case.assigned_unit == tree.units["dept"]
    assert events(case)[-1].data["assisting_names"] == ["阳光物业"]
    svc.case_reply(case=case, reply="住建局牵头，已完成改造", actor=tree.user("dept_handler"))
    assert case.status == S.REPLIED
    assert_consistent(case)


def test_extend_park_unpark_merge(tree, new_case):
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    case = new_case(urgency="emergency", tier="community")  # emergencies start at the street unless told
    assert case.deadline is not None
    assert abs((case.deadline - case.created_at) - timedelta(hours=2)) < timedelta(minutes=1)
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    svc.case_take(case=case, actor=dept)
    with pytest.raises(ValidationError, match="晚于现在"):
        svc.case_extend(case=case, until=timezone.now() - timedelta(days=1), reason="需要采购", actor=cw1)
    with pytest.raises(PermissionDenied):
        svc.case_extend(case=case, until=timezone.now() + timedelta(days=5), reason="需要采购", actor=dept)
    until = timezone.now() + timedelta(days=5)
    svc.case_extend(case=case, until=until, reason="需要采购配件", actor=cw1)
    assert case.status == S.EXTENDED and case.deadline == until
    review = timezone.localdate() + timedelta(days=90)
    svc.case_park(case=case, until=review, reason="需等待旧改项目立项", actor=cw1)
    assert case.status == S.PARKED and case.parked_until == review
    svc.case_unpark(case=case, actor=None)
    assert case.status == S.ACCEPTED and case.parked_until is None

    duplicate = new_case(title="楼道灯坏了")
    with pytest.raises(ValidationError, match="它自己"):
        svc.case_merge(case=duplicate, into=duplicate, actor=cw1)
    svc.case_merge(case=duplicate, into=case, actor=cw1)
    assert duplicate.status == S.MERGED and duplicate.merged_into == case
    assert_consistent(case)
    assert_consistent(duplicate)


def test_actions_offered_follow_table_and_permission(tree, new_case):
    case = new_case()
    assert case_actions_for(tree.user("community_worker_1"), case) == [
        "accept", "reject", "merge", "escalate", "supervise", "comment", "categorize"]
    assert case_actions_for(tree.user("grid_worker_A"), case) == ["escalate", "comment"]  # 上报 by the grid
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    assert "start" in case_actions_for(tree.user("grid_worker_A"), case)
    assert case_actions_for(tree.user("grid_worker_B"), case) == []
    svc.case_supervise(case=case, actor=tree.user("street_admin_1"), note="请三日内办结")
    offered = case_actions_for(tree.user("community_worker_1"), case)
    assert "unsupervise" in offered and "supervise" not in offered


def test_public_timeline_in_plain_chinese_without_internal_steps(tree, new_case):
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    case = new_case()
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    svc.case_return(case=case, reason="内部：不归我们管", actor=dept)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["property"])
    timeline = case_timeline_public(case)
    texts = [entry.text for entry in timeline]
    assert texts == ["您的诉求已提交", "诉求已受理", "已派至“区住建局”办理", "已派至“阳光物业”办理"]
    assert all("内部" not in entry.note for entry in timeline)
    assert len(events(case)) == 5


def test_each_public_step_has_its_line_and_the_data_it_names():
    """Every action of the state table is worded for the resident; the ones with data name the team, the
    new deadline, the review date or the rating, and none names the staff member who acted."""
    from grassroots.cases.models import CaseEvent
    from grassroots.cases.selectors import public_text
    from grassroots.cases.transitions import TABLE

    for action in TABLE:
        text = public_text(CaseEvent(action=action, to_status="accepted", data={"actor_name": "张三"}))
        assert text and "张三" not in text, action
    said = {a: public_text(CaseEvent(action=a, to_status="dispatched", data=d)) for a, d in [
        ("dispatch", {"to_name": "区住建局"}), ("dispatch", {}), ("whistle", {"to_name": "区城管局"}),
        ("extend", {"deadline": "2026-12-08T17:30:00+08:00"}), ("park", {"until": "2027-01-15"}),
        ("rate", {"rating": "basic"}), ("take", {})]}
    assert said["dispatch"] == "已派单办理"  # the second dispatch, without a name
    assert said["whistle"] == "已“吹哨”召集相关部门，由“区城管局”牵头办理"
    assert said["extend"] == "办理期限已延长至 2026-12-08 17:30"
    assert said["park"] == "已列为长期跟踪事项，计划于 2027-01-15 复查"
    assert said["rate"] == "您的评价：基本满意，诉求已办结"
    assert said["take"] == "承办单位已接单，正在办理"
    assert public_text(CaseEvent(action="dispatch", data={"to_name": "区住建局"})) == "已派至“区住建局”办理"
    assert public_text(CaseEvent(action="no-such-step", to_status="replied")) == "已答复"


def test_create_validates_in_chinese(tree, new_case):
    with pytest.raises(ValidationError) as err:
        new_case(title="灯" * 201)
    assert "标题不能超过200个字（现有201个字）" in str(err.value)
    with pytest.raises(ValidationError, match="内容不能超过5000个字"):
        new_case(body="字" * 5001)
    with pytest.raises(ValidationError, match="标题不能为空"):
        new_case(title="   ")
    with pytest.raises(ValidationError, match="手机号"):
        new_case(contact_phone="12345")
    with pytest.raises(ValidationError, match="来源渠道"):
        new_case(channel="fax")
    with pytest.raises(ValidationError, match="请在地图上选点"):
        new_case(area=None)
    with pytest.raises(ValidationError, match="纬度"):
        new_case(area=None, lat="abc", lng=110.7)
    with pytest.raises(PermissionDenied, match="巡查"):
        new_case(channel=Channel.PATROL, actor=tree.user("grid_worker_B"))
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_create_keeps_html_as_text_locates_and_protects_the_contact(tree, new_case):
    case = new_case(title="<b>路灯</b>坏了", area=None, lat=32.605, lng=110.715, anonymous=True,
                    contact_name="欧阳修文", contact_phone="138 1234 5678", channel=Channel.PATROL,
                    actor=tree.user("grid_worker_B"))
    assert case.title == "<b>路灯</b>坏了"
    assert case.area == tree.grid("B") and (case.lat, case.lng) == (32.605, 110.715)
    assert case.contact_name_masked == "欧**文" and case.contact_phone_masked == "138****5678"
    assert "13812345678" not in case.contact_phone_enc and "欧阳" not in case.contact_name_enc
    assert case.plain_contact() == ("欧阳修文", "13812345678")
    assert len(case.tracking_code) == 12 and case.code.startswith(f"{tree.district.code}-")
    hotline = new_case(area=None, district_code=tree.district.code, channel=Channel.HOTLINE)
    assert hotline.area is None and hotline.area_code == tree.district.code and hotline.tier == Tier.STREET
    assert hotline.tracking_code != case.tracking_code
