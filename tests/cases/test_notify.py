"""Who hears about what: notifications are written with the event, to the right people, once."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role
from grassroots.cases import notify as case_notify
from grassroots.cases import services as svc
from grassroots.cases.models import Case, CaseEvent, Rating
from grassroots.notifications.models import Kind, Notification, OutboxMessage
from grassroots.orgs.models import Unit, UnitKind
from tests.factories import make_user


def inbox(user, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def test_new_case_reaches_the_grid_and_the_community_not_the_neighbours(tree, new_case):
    case = new_case()
    for name in ("grid_worker_A", "community_worker_1"):
        (note,) = inbox(tree.user(name), Kind.NEW_CASE)
        assert note.link == f"/cases/{case.pk}/" and case.title in note.title
    for name in ("grid_worker_B", "community_worker_2", "street_admin_1", "dept_handler"):
        assert inbox(tree.user(name)) == [], name


def test_street_case_reaches_the_street(tree, new_case):
    case = new_case(urgency="complex")
    assert case.assigned_area == tree.streets[0]
    assert inbox(tree.user("street_admin_1"), Kind.NEW_CASE)
    assert inbox(tree.user("grid_worker_A"), Kind.NEW_CASE)  # the grid still hears of its own
    assert not inbox(tree.user("community_worker_1"))


def test_dispatch_return_rate_reach_handler_and_dispatcher(tree, new_case):
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    resident = make_user("r1", Role.RESIDENT, area=tree.households[0])
    case = new_case(actor=resident, contact_phone="13900001111")
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    assert [n.title for n in inbox(dept)] == [f"派单：{case.title}"]
    svc.case_return(case=case, reason="不属于住建职责，应由物业处理", actor=dept)
    (returned,) = inbox(cw1, Kind.RETURNED)
    assert "物业" in returned.body
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["property"])
    prop = make_user("prop", Role.DEPARTMENT_HANDLER, unit=tree.units["property"])
    svc.case_take(case=case, actor=prop)
    svc.case_reply(case=case, reply="已修复", actor=prop)
    assert inbox(tree.user("grid_worker_A"), Kind.SYSTEM)  # 已答复待核实
    svc.case_verify(case=case, actor=tree.user("grid_worker_A"))
    sms = OutboxMessage.objects.get(key__startswith=f"case:{case.pk}:resident:verify")
    assert sms.address_masked == "139****1111" and case.tracking_code[:4] in sms.text
    svc.case_rate(case=case, rating=Rating.UNSATISFIED, actor=resident)
    (rated,) = inbox(prop, Kind.RATED)
    assert "不满意" in rated.title and "重办" in rated.body
    assert inbox(cw1, Kind.RATED)


def test_whistle_reaches_every_summoned_unit_by_sms_too(tree, new_case):
    street = tree.user("street_admin_1")
    water = Unit.objects.create(name="市水务公司", kind=UnitKind.UTILITY, area=tree.district)
    handler = make_user("water", Role.DEPARTMENT_HANDLER, unit=water)
    from grassroots.people.services import person_upsert

    person = person_upsert(name="水务经办", district_code=tree.district.code, phone="13700002222")
    person.user = handler
    person.save(update_fields=["user"])
    case = new_case(urgency="complex")
    svc.case_accept(case=case, actor=street)
    svc.case_whistle(case=case, actor=street, lead=tree.units["dept"], assisting=[water])
    assert [n.title for n in inbox(handler)] == [f"吹哨报到（协办）：{case.title}"]
    assert inbox(tree.user("dept_handler"), Kind.WHISTLE)[0].title.startswith("吹哨报到（牵头）")
    assert OutboxMessage.objects.filter(key__startswith=f"case:{case.pk}:whistle:{water.pk}").count() == 1


def test_a_failing_notification_does_not_lose_the_case(tree, new_case, monkeypatch, caplog):
    def broken(event, case):
        raise RuntimeError("gateway table missing")

    monkeypatch.setattr(case_notify, "_deliver", broken)
    case = new_case()
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    assert Case.objects.get(pk=case.pk).status == "accepted" and CaseEvent.objects.count() == 2
    assert "notifications for case event" in caplog.text


def test_refused_step_notifies_nobody(tree, new_case):
    case = new_case()
    before = Notification.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        svc.case_take(case=case, actor=tree.user("dept_handler"))
    assert Notification.objects.count() == before
