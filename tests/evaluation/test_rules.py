"""Who may rate, when, and only once: the services' rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.cases import services as svc
from grassroots.core.models import AuditEntry
from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation
from grassroots.evaluation.rules import pair_of
from grassroots.evaluation.services import AlreadyRated, dispatch_evaluation_create, unit_evaluation_create
from tests.evaluation.conftest import dispatch, reply

UNIT_OK = {"speed": 5, "attitude": 4, "result": 5}
DISPATCH_OK = {"clear": 4, "owner": 5, "deadline": 3}


def rate_unit(case, unit, actor, **kw):
    return unit_evaluation_create(case=case, unit=unit, actor=actor, **({**UNIT_OK, **kw}))


def rate_dispatch(case, unit, actor, **kw):
    return dispatch_evaluation_create(case=case, unit=unit, actor=actor, **({**DISPATCH_OK, **kw}))


def test_dispatcher_rates_unit_once_after_reply(tree, dispatched):
    dept, worker = tree.units["dept"], tree.user("community_worker_1")
    with pytest.raises(ValidationError) as err:
        rate_unit(dispatched, dept, worker)
    assert "还没有答复" in str(err.value)
    reply(dispatched, by=tree.user("dept_handler"))

    row = rate_unit(dispatched, dept, worker, comment="很及时")
    assert (row.speed, row.attitude, row.result, row.comment) == (5, 4, 5, "很及时")
    assert row.area == tree.communities[0] and row.area_code == tree.communities[0].code
    assert row.evaluator == worker and row.district_code == "420303"
    assert AuditEntry.objects.filter(action="evaluation.unit", object_id=str(row.pk)).count() == 1

    with pytest.raises(AlreadyRated) as err:
        rate_unit(dispatched, dept, tree.user("street_admin_1"), speed=1, attitude=1, result=1)
    assert "已评价过" in str(err.value)
    row.refresh_from_db()
    assert (row.speed, row.evaluator) == (5, worker)
    assert UnitEvaluation.objects.count() == 1 and AuditEntry.objects.filter(action="evaluation.unit").count() == 1


@pytest.mark.parametrize("who", ["street_admin_1", "district_admin", "root"])
def test_dispatching_area_and_above_may_rate(tree, replied, who):
    assert rate_unit(replied, tree.units["dept"], tree.user(who)).pk


@pytest.mark.parametrize("who", ["community_worker_2", "grid_worker_A", "dept_handler", "nobody"])
def test_others_may_not_rate_the_unit(tree, replied, who):
    with pytest.raises(PermissionDenied) as err:
        rate_unit(replied, tree.units["dept"], tree.user(who))
    assert "测试社区1-1" in str(err.value)
    assert not UnitEvaluation.objects.exists()


def test_other_street_may_not_rate(tree, replied, people):
    for user in (people["street_admin_2"], people["community_worker_3"]):
        with pytest.raises(PermissionDenied):
            rate_unit(replied, tree.units["dept"], user)


def test_unit_not_sent_the_case_cannot_be_rated(tree, replied):
    with pytest.raises(ValidationError) as err:
        rate_unit(replied, tree.units["property"], tree.user("community_worker_1"))
    assert "没有派给“阳光物业”" in str(err.value)


def test_unit_rates_the_dispatch_once_it_got_it(tree, dispatched, people):
    dept = tree.units["dept"]
    for user in (people["property_handler"], tree.user("community_worker_1"), tree.user("grid_worker_A")):
        with pytest.raises(PermissionDenied):
            rate_dispatch(dispatched, dept, user)
    row = rate_dispatch(dispatched, dept, tree.user("dept_handler"), comment="地址写得很清楚")
    assert (row.clear, row.owner, row.deadline) == (4, 5, 3)
    assert row.area == tree.communities[0]
    with pytest.raises(AlreadyRated):
        rate_dispatch(dispatched, dept, tree.user("dept_handler"))
    assert DispatchEvaluation.objects.count() == 1
    assert AuditEntry.objects.filter(action="evaluation.dispatch").count() == 1


def test_dispatch_before_it_happened_cannot_be_rated(tree, new_case):
    case = new_case()
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    with pytest.raises(ValidationError):
        rate_dispatch(case, tree.units["dept"], tree.user("dept_handler"))


@pytest.mark.parametrize(("field", "value"), [("speed", 0), ("attitude", 6), ("result", "好"), ("speed", None),
                                              ("result", True)])
def test_scores_are_whole_numbers_one_to_five(tree, replied, field, value):
    with pytest.raises(ValidationError) as err:
        rate_unit(replied, tree.units["dept"], tree.user("community_worker_1"), **{field: value})
    label = {"speed": "办理速度", "attitude": "服务态度", "result": "办理结果"}[field]
    assert err.value.message_dict == {field: [f"{label}请选择 1–5 分"]}
    assert not UnitEvaluation.objects.exists() and not AuditEntry.objects.filter(action="evaluation.unit").exists()


def test_comment_is_limited(tree, dispatched):
    with pytest.raises(ValidationError) as err:
        rate_dispatch(dispatched, tree.units["dept"], tree.user("dept_handler"), comment="很" * 501)
    assert err.value.message_dict["comment"] == ["评价意见最多500个字（现有501个字）"]


def test_scores_given_as_text_are_accepted(tree, replied):
    row = rate_unit(replied, tree.units["dept"], tree.user("community_worker_1"), speed="3", attitude=" 2 ")
    assert (row.speed, row.attitude) == (3, 2)


def test_whistle_lead_and_assisting_units(tree, new_case, people):
    dept, prop = tree.units["dept"], tree.units["property"]
    street_admin = tree.user("street_admin_1")
    case = new_case()
    svc.case_accept(case=case, actor=street_admin)
    svc.case_whistle(case=case, lead=dept, assisting=[prop], actor=street_admin, note="联合处置")
    # the dispatching area is the street that whistled
    assert pair_of(case, prop.pk).area == tree.streets[0]
    # both summoned units rate the whistle at once
    rate_dispatch(case, prop, people["property_handler"])
    rate_dispatch(case, dept, tree.user("dept_handler"))
    # the assisting unit's work is rateable once its task is replied, the lead's once it replied
    with pytest.raises(ValidationError):
        rate_unit(case, prop, street_admin)
    task = case.whistle_tasks.get(unit=prop)
    svc.whistle_task_reply(task=task, reply="已清理", actor=people["property_handler"])
    assert rate_unit(case, prop, street_admin).area == tree.streets[0]
    with pytest.raises(ValidationError):
        rate_unit(case, dept, street_admin)
    svc.case_reply(case=case, actor=tree.user("dept_handler"), reply="已修复")
    rate_unit(case, dept, street_admin)
    # a community worker below the whistling street may not rate the street's whistle
    with pytest.raises(PermissionDenied):
        rate_unit(case, dept, tree.user("community_worker_1"))
    assert UnitEvaluation.objects.filter(case=case).count() == 2


def test_community_worker_below_street_may_not_rate_the_streets_dispatch(tree, new_case):
    case = dispatch(new_case(), by=tree.user("street_admin_1"), unit=tree.units["dept"])
    reply(case, by=tree.user("dept_handler"))
    with pytest.raises(PermissionDenied):
        rate_unit(case, tree.units["dept"], tree.user("community_worker_1"))
    assert rate_unit(case, tree.units["dept"], tree.user("street_admin_1")).area == tree.streets[0]


def test_reassigned_unit_keeps_its_own_pair(tree, dispatched, people):
    """A unit the case was moved away from may still rate the dispatch it got; the new unit too."""
    svc.case_reassign(case=dispatched, actor=tree.user("community_worker_1"), to_unit=tree.units["property"])
    rate_dispatch(dispatched, tree.units["dept"], tree.user("dept_handler"))
    rate_dispatch(dispatched, tree.units["property"], people["property_handler"])
    with pytest.raises(ValidationError):  # 住建局 never replied
        rate_unit(dispatched, tree.units["dept"], tree.user("community_worker_1"))
    reply(dispatched, by=people["property_handler"])
    assert rate_unit(dispatched, tree.units["property"], tree.user("community_worker_1")).pk
