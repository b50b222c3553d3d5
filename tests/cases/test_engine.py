"""The engine beyond the status line: 督办, notes, extension requests, whistle tasks, the time fields
KPIs read (responded_at, overdue, rated_at, fresh limits on reopening) and who sees a whistled case."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseEvent, Rating, WhistleTask
from grassroots.cases.selectors import case_actions_for, case_timeline_public, cases_visible_to
from grassroots.orgs.models import Unit, UnitKind
from tests.factories import make_user

S = Case.Status
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def utility(tree):
    unit = Unit.objects.create(name="市水务公司", kind=UnitKind.UTILITY, area=tree.district)
    tree.users["water_handler"] = make_user("water_handler", Role.DEPARTMENT_HANDLER, unit=unit)
    return unit


def in_progress(tree, new_case, **kwargs):
    cw1 = tree.user("community_worker_1")
    case = new_case(**kwargs)
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    svc.case_take(case=case, actor=tree.user("dept_handler"))
    return case


def test_supervise_once_with_a_note_and_off_again(tree, new_case):
    street = tree.user("street_admin_1")
    case = new_case()
    with pytest.raises(ValidationError, match="督办意见"):
        svc.case_supervise(case=case, actor=street, note="")
    event = svc.case_supervise(case=case, actor=street, note="群众反映强烈，三日内办结")
    assert case.supervised_at is not None and case.status == S.REPORTED
    assert (event.from_status, event.to_status, event.public) == (S.REPORTED, S.REPORTED, False)
    with pytest.raises(TransitionNotAllowed, match="已在督办中"):
        svc.case_supervise(case=case, actor=street, note="再次督办")
    with pytest.raises(PermissionDenied):
        svc.case_supervise(case=case, actor=tree.user("grid_worker_A"), note="网格员不能督办")
    svc.case_unsupervise(case=case, actor=street)
    assert case.supervised_at is None
    assert [e.action for e in case.events.order_by("pk")] == ["report", "supervise", "unsupervise"]
    assert [e.action for e in case_timeline_public(case)] == ["report"]  # internal notes stay internal


def test_comment_by_staff_on_the_case_only(tree, new_case):
    case = new_case()
    svc.case_comment(case=case, actor=tree.user("grid_worker_A"), note="已电话联系居民，约明早上门")
    for outsider in ("grid_worker_B", "community_worker_2", "dept_handler", "nobody"):
        with pytest.raises(PermissionDenied):
            svc.case_comment(case=case, actor=tree.user(outsider), note="看看")
    assert case.events.filter(action="comment").count() == 1


def test_extension_requested_then_approved_or_denied(tree, new_case):
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    case = in_progress(tree, new_case)
    until = case.deadline + timedelta(days=5)
    with pytest.raises(PermissionDenied):  # the dispatcher grants, the holder asks
        svc.case_request_extension(case=case, until=until, reason="需采购配件", actor=cw1)
    with pytest.raises(ValidationError, match="晚于原时限"):
        svc.case_request_extension(case=case, until=case.deadline - timedelta(hours=1), reason="x", actor=dept)
    svc.case_request_extension(case=case, until=until, reason="需采购配件", actor=dept)
    assert case.extension_requested_until == until and case.status == S.IN_PROGRESS
    assert "deny_extension" in case_actions_for(cw1, case) and "request_extension" not in case_actions_for(dept, case)
    with pytest.raises(TransitionNotAllowed, match="待审批"):
        svc.case_request_extension(case=case, until=until + timedelta(days=1), reason="再申请", actor=dept)
    svc.case_deny_extension(case=case, reason="配件本地可买到，请按期办结", actor=cw1)
    assert case.extension_requested_until is None
    with pytest.raises(TransitionNotAllowed, match="没有待审批"):
        svc.case_deny_extension(case=case, reason="x", actor=cw1)

    svc.case_request_extension(case=case, until=until, reason="供应商停产，需换型号", actor=dept)
    svc.case_extend(case=case, reason="同意", actor=cw1)  # no until: what was asked for
    assert case.status == S.EXTENDED and case.deadline == until and case.extension_requested_until is None
    assert case.events.get(action="extend").data["approved_request"] is True


def test_whistle_creates_one_task_per_unit_and_the_lead_reply_answers(tree, new_case, utility):
    street = tree.user("street_admin_1")
    case = new_case(urgency="complex")  # the street's case
    svc.case_accept(case=case, actor=street)
    due = timezone.now() + timedelta(days=3)
    svc.case_whistle(case=case, actor=street, lead=tree.units["dept"], assisting=[utility],
                     note="小区路面塌陷，住建牵头", tasks={utility.pk: "排查塌陷处供水管网"}, deadline=due)
    lead_task, assist_task = (WhistleTask.objects.get(case=case, role=r) for r in ("lead", "assist"))
    assert lead_task.unit == tree.units["dept"] and lead_task.task == "小区路面塌陷，住建牵头"
    assert assist_task.unit == utility and assist_task.task == "排查塌陷处供水管网"
    assert lead_task.deadline == assist_task.deadline == due
    assert case.assigned_unit == tree.units["dept"] and case.status == S.WHISTLED

    water = tree.user("water_handler")
    assert cases_visible_to(water).filter(pk=case.pk).exists()  # the assisting unit sees it
    assert case_actions_for(water, case) == ["comment", "task_reply"]
    with pytest.raises(PermissionDenied):  # only the lead replies to the resident
        svc.case_reply(case=case, reply="已修复", actor=water)
    with pytest.raises(PermissionDenied):  # and the lead does not answer the assisting task
        svc.whistle_task_reply(task=assist_task, reply="x", actor=tree.user("dept_handler"))
    svc.whistle_task_reply(task=assist_task, reply="供水管网无渗漏", actor=water)
    assist_task.refresh_from_db()
    assert assist_task.status == "replied" and assist_task.replied_by == water
    with pytest.raises((TransitionNotAllowed, PermissionDenied)):
        svc.whistle_task_reply(task=assist_task, reply="再回复", actor=water)

    svc.case_reply(case=case, reply="已回填路面并恢复通行", actor=tree.user("dept_handler"))
    lead_task.refresh_from_db()
    assert lead_task.status == "replied" and case.status == S.REPLIED
    assert cases_visible_to(water).filter(pk=case.pk).exists()  # still, after the task is done


def test_whistle_refuses_bad_units_and_reassign_cancels_open_tasks(tree, new_case, utility):
    street = tree.user("street_admin_1")
    case = new_case(urgency="complex")
    svc.case_accept(case=case, actor=street)
    with pytest.raises(ValidationError, match="不能同时是协办"):
        svc.case_whistle(case=case, actor=street, lead=utility, assisting=[utility])
    with pytest.raises(ValidationError, match="重复"):
        svc.case_whistle(case=case, actor=street, lead=tree.units["dept"], assisting=[utility, utility])
    assert not WhistleTask.objects.exists() and case.events.count() == 2
    svc.case_whistle(case=case, actor=street, lead=tree.units["dept"], assisting=[utility])
    svc.case_reassign(case=case, actor=street, to_unit=tree.units["property"])
    assert set(WhistleTask.objects.values_list("status", flat=True)) == {"cancelled"}
    assert case.events.get(action="reassign").data["tasks_cancelled"] == 2


def test_time_fields_the_kpis_read(tree, new_case, resident_user):
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    case = new_case(actor=resident_user)
    assert case.responded_at is None and case.deadline_started_at is not None
    svc.case_accept(case=case, actor=cw1)
    first_response = case.responded_at
    assert first_response is not None
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    svc.case_take(case=case, actor=dept)
    assert case.responded_at == first_response  # the first response only
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    case.refresh_from_db()
    svc.case_reply(case=case, reply="已处理", actor=dept)
    assert case.overdue is True  # replied after the deadline
    svc.case_verify(case=case, actor=tree.user("grid_worker_A"))
    svc.case_rate(case=case, rating=Rating.UNSATISFIED, actor=resident_user, comment="没修好")
    assert case.status == S.REOPENED and case.rated_at is not None
    assert case.deadline > timezone.now() and case.warned_at is None  # a fresh limit for the 重办
    reopened_at = case.events.get(action="rate_unsatisfied").at
    assert case.deadline_started_at >= reopened_at - timedelta(seconds=1) and case.first_deadline <= case.deadline


def test_reply_on_time_is_not_overdue(tree, new_case):
    case = in_progress(tree, new_case)
    svc.case_reply(case=case, reply="已处理", actor=tree.user("dept_handler"))
    assert case.overdue is False


def test_case_received_before_national_day_is_due_after_the_make_up_days(tree, new_case):
    # Wed 30 Sep 2026: 1–7 Oct off, Sat 10 Oct a make-up workday → due Thu 15 Oct 17:30.
    with time_machine.travel(datetime(2026, 9, 30, 16, 0, tzinfo=SH), tick=False):
        case = new_case()
    assert timezone.localtime(case.deadline) == datetime(2026, 10, 15, 17, 30, tzinfo=SH)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        svc.case_accept(case=case, actor=tree.user("community_worker_1"))
        svc.case_reject(case=case, reason="测试", actor=tree.user("community_worker_1"))
    assert CaseEvent.objects.filter(case=case).count() == 3


@pytest.fixture
def resident_user(tree):
    return make_user("resident_x", Role.RESIDENT, area=tree.households[0])
