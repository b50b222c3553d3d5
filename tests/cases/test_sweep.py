"""The time-limit sweep: warn at 75 %, escalate one tier at the deadline, supervise when escalating
cannot help, unpark, close unrated — and never twice, whatever happens between runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from grassroots.cases import services as svc
from grassroots.cases import sweep as sweep_module
from grassroots.cases.models import Case, CaseEvent, WhistleTask
from grassroots.cases.sweep import sla_sweep, sweep_task
from grassroots.cases.transitions import is_allowed_step
from grassroots.notifications.models import Kind, Notification

S = Case.Status
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SH)  # an ordinary working week


def snapshot() -> tuple:
    return (list(Case.objects.order_by("pk").values_list("status", "deadline", "warned_at", "overdue",
                                                          "assigned_area_id", "supervised_at")),
            CaseEvent.objects.count(), Notification.objects.count())


def test_warning_at_three_quarters_of_a_working_day_limit(tree, new_case):
    with time_machine.travel(MONDAY, tick=False):
        case = new_case()  # general: 7 working days, due Tue 25 Nov 17:30
    assert timezone.localtime(case.deadline) == datetime(2026, 11, 25, 17, 30, tzinfo=SH)
    with time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=SH), tick=False):  # Sat: 4 of 7 days used
        assert sla_sweep().warned == 0
    with time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=SH), tick=False):  # 5.5 of 7 days used: 79 %
        result = sla_sweep()
    assert result.warned == 1
    case.refresh_from_db()
    event = case.events.get(action="warn")
    assert case.warned_at and event.from_status == event.to_status == S.REPORTED and event.actor is None
    assert event.data["fraction"] >= 0.75
    warning = Notification.objects.get(recipient=tree.user("community_worker_1"), kind=Kind.WARNING)
    assert "75%" in warning.body
    with time_machine.travel(datetime(2026, 11, 24, 14, 0, tzinfo=SH), tick=False):
        assert sla_sweep().warned == 0  # once per limit


def test_escalation_one_tier_up_at_the_deadline_with_a_fresh_limit(tree, new_case):
    cw1 = tree.user("community_worker_1")
    with time_machine.travel(MONDAY, tick=False):
        case = new_case(urgency="emergency")
    assert case.assigned_area == tree.streets[0]  # emergencies start at the street
    case = new_case(urgency="emergency", tier="grid")
    svc.case_accept(case=case, actor=cw1)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    result = sla_sweep()
    case.refresh_from_db()
    assert result.escalated >= 1 and case.status == S.ESCALATED
    assert case.assigned_area == tree.communities[0] and case.overdue is True
    assert case.deadline > timezone.now() and case.overdue_at is None  # the community's own 2 hours
    event = case.events.get(action="escalate")
    assert event.actor is None and event.data["deadline_passed"] is True
    assert Notification.objects.filter(recipient=cw1, kind=Kind.ESCALATION).exists()

    # The community does not act either: escalating from "escalated" is not in the table, so the
    # sweep supervises it instead, once.
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    assert sla_sweep().supervised >= 1
    case.refresh_from_db()
    assert case.supervised_at is not None and case.overdue_at is not None and case.status == S.ESCALATED
    assert sla_sweep().supervised == 0


def test_at_the_district_the_sweep_supervises_instead(tree, new_case):
    case = new_case(area=None, district_code=tree.district.code, urgency="emergency")
    district = tree.user("district_admin")
    svc.case_accept(case=case, actor=district)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    result = sla_sweep()
    case.refresh_from_db()
    assert (result.escalated, result.supervised) == (0, 1)
    assert case.status == S.ACCEPTED and case.overdue and case.supervised_at is not None
    assert sla_sweep().changed == 0


def test_unpark_on_review_date_and_close_unrated_after_the_configured_days(tree, new_case, settings):
    settings.GRASSROOTS_UNRATED_CLOSE_DAYS = 3
    cw1, dept = tree.user("community_worker_1"), tree.user("dept_handler")
    parked = new_case()
    svc.case_accept(case=parked, actor=cw1)
    svc.case_park(case=parked, until=timezone.localdate() + timedelta(days=30), reason="待旧改立项", actor=cw1)
    done = new_case(title="井盖松动")
    svc.case_accept(case=done, actor=cw1)
    svc.case_dispatch(case=done, actor=cw1, to_unit=tree.units["dept"])
    svc.case_take(case=done, actor=dept)
    svc.case_reply(case=done, reply="已更换井盖", actor=dept)
    svc.case_verify(case=done, actor=tree.user("grid_worker_A"))

    assert sla_sweep(now=timezone.now() + timedelta(days=2)).changed == 0
    result = sla_sweep(now=timezone.now() + timedelta(days=31))
    assert (result.unparked, result.closed) == (1, 1)
    parked.refresh_from_db()
    done.refresh_from_db()
    assert parked.status == S.ACCEPTED and parked.deadline > timezone.now()
    assert done.status == S.CLOSED and done.rating == "" and done.events.get(action="close").data["unrated"]


def test_running_twice_and_racing_workers_change_nothing_twice(tree, new_case):
    with time_machine.travel(MONDAY, tick=False):
        for n in range(4):
            new_case(title=f"诉求{n}")
    later = datetime(2026, 11, 24, 12, 0, tzinfo=SH)
    with time_machine.travel(later, tick=False):
        first = sla_sweep()
        after_first = snapshot()
        second = sla_sweep()
    assert first.warned == 4 and second.changed == 0 and snapshot() == after_first


def test_a_crash_half_way_loses_nothing_and_the_rerun_finishes(tree, new_case, monkeypatch):
    with time_machine.travel(MONDAY, tick=False):
        cases = [new_case(title=f"诉求{n}") for n in range(3)]
    real = svc.case_transition
    calls = {"n": 0}

    def crash_on_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(sweep_module, "case_transition", crash_on_second)
    with time_machine.travel(datetime(2026, 11, 24, 12, 0, tzinfo=SH), tick=False):
        with pytest.raises(KeyboardInterrupt):
            sla_sweep()
        assert CaseEvent.objects.filter(action="warn").count() == 1
        assert Notification.objects.filter(kind=Kind.WARNING).count() == 2  # grid + community, case 1
        monkeypatch.setattr(sweep_module, "case_transition", real)
        assert sla_sweep().warned == 2
        assert sla_sweep().changed == 0
    assert CaseEvent.objects.filter(action="warn").count() == 3
    assert Notification.objects.filter(kind=Kind.WARNING).count() == 6
    for case in cases:
        for event in case.events.all():
            assert is_allowed_step(event.action, event.from_status, event.to_status)


def test_a_case_acted_on_between_select_and_step_is_skipped(tree, new_case, monkeypatch):
    cw1 = tree.user("community_worker_1")
    case = new_case(tier="grid")
    svc.case_accept(case=case, actor=cw1)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    real = svc.case_transition

    def someone_extends_first(**kwargs):
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(deadline=timezone.now() + timedelta(days=3))
        return real(**kwargs)

    monkeypatch.setattr(sweep_module, "case_transition", someone_extends_first)
    result = sla_sweep()
    case.refresh_from_db()
    assert result.escalated == 0 and case.status == S.ACCEPTED and not case.overdue


def test_overdue_whistle_task_reminds_its_unit_once(tree, new_case):
    street = tree.user("street_admin_1")
    case = new_case(urgency="complex")
    svc.case_accept(case=case, actor=street)
    svc.case_whistle(case=case, actor=street, lead=tree.units["dept"])
    WhistleTask.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    assert sla_sweep().tasks_reminded == 1
    assert sla_sweep().tasks_reminded == 0
    assert Notification.objects.filter(recipient=tree.user("dept_handler"), title__startswith="吹哨任务已超时").count() == 1


def test_worker_task_is_throttled_and_the_command_prints_json(tree, new_case, settings, capsys, monkeypatch):
    settings.GRASSROOTS_SWEEP_SECONDS = 3600
    monkeypatch.setattr(sweep_module, "_last_run", None)
    case = new_case(tier="grid")
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert sweep_task("w1") is True
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=1), overdue_at=None)
    assert sweep_task("w1") is False  # not again within the interval
    call_command("case_sweep", "--json")
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("{") and '"supervised": 1' in out  # escalated before, so now supervised


@pytest.mark.calendar_as_shipped
def test_a_case_received_without_a_calendar_gets_its_deadline_once_the_year_is_entered(tree, new_case):
    from grassroots.worktime.models import CalendarYear

    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=SH), tick=False):
        case = new_case()  # 2027 is not in chinese-calendar yet: no deadline, and the event says why
        assert case.deadline is None and "2027" in case.events.get().data["deadline_problem"]
        result = sla_sweep()
        assert result.scheduled == 0 and any("2027" in p for p in result.problems)
        CalendarYear.objects.create(year=2027, complete=True, note="国办发明电〔2026〕测试号")
        assert sla_sweep().scheduled == 1
        assert sla_sweep().scheduled == 0
    case.refresh_from_db()
    # received Mon 1 Mar 2027, counted from the next working day: due Wed 10 Mar 17:30
    assert timezone.localtime(case.deadline) == datetime(2027, 3, 10, 17, 30, tzinfo=SH)
    assert case.first_deadline == case.deadline and case.events.filter(action="schedule").count() == 1
