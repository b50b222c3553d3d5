"""The KPIs of cases taken through the real case services (the clock fixed at each step), so that
what the engine writes — statuses, units, ratings, reopenings, reply times — is what is counted."""

from datetime import timedelta

import pytest
import time_machine

from grassroots.assessment.selectors import area_ranking, unit_ranking
from grassroots.cases import services as cs
from grassroots.cases.models import Rating
from tests.assessment.factories import MARCH, T0


def clock(hours: float):
    return time_machine.travel(T0 + timedelta(hours=hours), tick=False)


@pytest.fixture
def journeys(tree):
    root, dept, prop = tree.user("root"), tree.units["dept"], tree.units["property"]
    handler, checker = tree.user("dept_handler"), tree.user("grid_worker_A")
    from tests.factories import make_user

    prop_handler = make_user("prop_handler", "department_handler", unit=prop)
    steps = []

    def new(title):
        with clock(0):
            return cs.case_create(title=title, body=f"{title}。", channel="resident_web", area=tree.grid("A"))

    def at(h, fn, **kw):
        with clock(h):
            steps.append(fn(**kw))

    happy, again, rejected, moved, returned = (new(t) for t in ("路灯不亮", "楼道漏水", "咨询社保", "井盖松动", "占道经营"))
    for case in (happy, again, moved, returned):
        at(1, cs.case_accept, case=case, actor=root)
    at(2, cs.case_dispatch, case=happy, to_unit=dept, actor=root)
    at(3, cs.case_take, case=happy, actor=handler)
    at(20, cs.case_reply, case=happy, reply="已更换灯泡", actor=handler)
    at(22, cs.case_verify, case=happy, actor=checker)
    at(30, cs.case_rate, case=happy, rating=Rating.SATISFIED, actor=root)

    at(2, cs.case_dispatch, case=again, to_unit=prop, actor=root)
    at(5, cs.case_take, case=again, actor=prop_handler)
    at(30, cs.case_reply, case=again, reply="已维修", actor=prop_handler)
    at(31, cs.case_verify, case=again, actor=checker)
    at(40, cs.case_rate, case=again, rating=Rating.UNSATISFIED, actor=root)  # reopens to the same unit
    at(41, cs.case_take, case=again, actor=prop_handler)
    at(60, cs.case_reply, case=again, reply="已彻底修好", actor=prop_handler)
    at(61, cs.case_verify, case=again, actor=checker)
    at(70, cs.case_rate, case=again, rating=Rating.BASIC, actor=root)

    at(1, cs.case_reject, case=rejected, reason="属于社保部门业务，请拨打12333", actor=root)
    at(2, cs.case_dispatch, case=moved, to_unit=dept, actor=root)
    at(3, cs.case_reassign, case=moved, to_unit=prop, actor=root)
    at(2, cs.case_dispatch, case=returned, to_unit=dept, actor=root)
    at(4, cs.case_return, case=returned, reason="不属于本单位职责", actor=handler)
    return {"happy": happy, "again": again, "moved": moved, "returned": returned}


def grid_a(tree):
    r = area_ranking(user=tree.user("district_admin"), area=tree.communities[0], period=MARCH)
    return next(k for k in r.rows if k.name == "网格1")


def test_journeys_through_the_services(tree, journeys):
    a = grid_a(tree)
    assert (a.received, a.excluded, a.counted) == (5, 1, 4)
    assert (a.resolved, a.rated, a.satisfied, a.basic, a.unsatisfied) == (2, 2, 1, 1, 0)
    assert (a.replied, a.reopened) == (2, 1)
    assert a.reopen_rate == 0.5
    assert a.median_reply_hours == pytest.approx(40)  # 20 h, and 60 h to the reply after the reopening
    assert a.satisfaction_rate == pytest.approx(0.95)
    # both replies within 7 working days; the moved and the returned case are still open, long past
    # their deadline (counted as of today)
    assert (a.on_time, a.overdue) == (2, 2)


def test_units_count_the_unit_holding_the_case(tree, journeys):
    r = unit_ranking(user=tree.user("district_admin"), period=MARCH, area=tree.district)
    held = {k.name: k.received for k in r.rows}
    # 区住建局: the happy case (the moved one went to 阳光物业, the returned one is held by nobody)
    assert held == {"区住建局": 1, "阳光物业": 2}


def test_response_comes_from_the_engine(tree, journeys):
    a = grid_a(tree)
    assert a.responded == 4 and a.response_rate == 1.0  # all four accepted after 1 h


def test_a_whistled_case_counts_for_the_lead_and_the_assisting_task_apart(tree):
    from grassroots.cases.models import WhistleTask
    from tests.factories import make_user

    root, dept, prop = tree.user("root"), tree.units["dept"], tree.units["property"]
    prop_handler = make_user("prop_handler", "department_handler", unit=prop)
    with clock(0):
        case = cs.case_create(title="小区积水", body="暴雨后小区门口积水。", channel="resident_web", area=tree.grid("A"))
    with clock(1):
        cs.case_accept(case=case, actor=root)
    with clock(2):
        cs.case_whistle(case=case, lead=dept, assisting=[prop], actor=root, note="联合排查积水",
                        tasks={prop.pk: "清理小区雨水井"}, deadline=T0 + timedelta(hours=50))
    with clock(30):
        cs.whistle_task_reply(task=WhistleTask.objects.get(unit=prop), reply="雨水井已清理", actor=prop_handler)
    with clock(40):
        cs.case_reply(case=case, reply="已疏通管网", actor=tree.user("dept_handler"))
    r = unit_ranking(user=tree.user("district_admin"), period=MARCH, area=tree.district)
    rows = {k.name: k for k in r.rows}
    assert rows["区住建局"].received == 1 and rows["区住建局"].replied == 1  # the lead holds the case
    assisting = rows["阳光物业"]
    assert assisting.received == 0 and assisting.composite is None
    assert (assisting.extra["assist_tasks"], assisting.extra["assist_on_time"]) == (1, 1)
    # the property company's own handler sees its task in its own figures
    mine = unit_ranking(user=prop_handler, period=MARCH)
    assert [(k.name, k.extra["assist_tasks"]) for k in mine.rows] == [("阳光物业", 1)]
