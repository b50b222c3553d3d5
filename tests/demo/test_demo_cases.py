"""``load_demo --cases N``: a year of cases walked through the case services, then read back.

Loaded once for the module (committed, removed again at the end) with a small N and a fixed end
date, so the test is fast and its outcome does not depend on the day it runs. The demo's two-way
evaluation is read back here too (a share of the dispatched cases rated, every row within the rules).
"""

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import override_settings

from grassroots.accounts.models import User
from grassroots.cases.models import Case, CaseEvent, Channel, WhistleTask
from grassroots.cases.selectors import cases_visible_to
from grassroots.cases.transitions import CREATE_ACTION, is_allowed_step
from grassroots.core.models import AuditEntry
from grassroots.demo.loader import flush_demo
from grassroots.demo.staff import STAFF_PREFIX
from grassroots.notifications.models import Kind, Notification, OutboxMessage

SEED = 77
DC = "420303"
CASES = 160
END = datetime(2026, 6, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# with the two-way evaluation: its tests are at the end (one load of the light demo for both)
ARGS = ("load_demo", "--seed", str(SEED), "--people", "light", "--cases", str(CASES), "--end", "2026-06-30",
        "--without", "points", "--without", "deliberation", "--without", "matching",
        "--without", "stars", "--without", "reports")  # see test_load_demo
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
SYSTEM_ACTIONS = {"warn", "overdue", "unpark"}
# one worker loads the demo once for the whole module (./dev test runs --dist loadgroup)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_cases"), pytest.mark.timeout(1200)]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        out = StringIO()
        call_command(*ARGS, stdout=out)
        try:
            yield out.getvalue()
        finally:
            flush_demo()
            # the audit trail outlives a flush (append-only); the test database must not keep it
            AuditEntry.objects.filter(Q(action__startswith="demo.") | Q(district_code=DC)).delete()


def snapshot() -> list[tuple]:
    return list(Case.objects.order_by("code").values_list("code", "status", "channel", "created_at", "rating"))


def test_the_load_reports_its_cases_and_the_accounts_work(demo):
    walked = Case.objects.filter(quick_report__isnull=True)  # the woodpeckers' quick reports come on top
    assert f"诉求{walked.count()}件" in demo
    assert "demo.gw.<网格编码>" in demo and "待办" in demo
    assert re.search(r"resident：本人诉求 \d+ 件，待评价 [1-9]", demo)
    assert walked.count() <= CASES
    assert walked.count() >= CASES - 5  # a duplicate may fall after the end
    assert Case.objects.filter(channel="woodpecker").exists()
    assert not Case.objects.exclude(district_code=DC).exists()


def test_every_event_follows_the_state_table_and_ends_at_the_status():
    events: dict[int, list[CaseEvent]] = {}
    for e in CaseEvent.objects.order_by("case_id", "at", "pk"):
        events.setdefault(e.case_id, []).append(e)
    cases = {c.pk: c for c in Case.objects.all()}
    assert set(events) == set(cases)
    for pk, steps in events.items():
        assert steps[0].action == CREATE_ACTION and steps[0].from_status == ""
        status = ""
        for e in steps:
            assert is_allowed_step(e.action, e.from_status, e.to_status), (cases[pk].code, e.action, e.from_status)
            assert e.from_status == status, (cases[pk].code, e.action)
            status = e.to_status
        assert status == cases[pk].status, cases[pk].code
        assert all(a.at <= b.at for a, b in zip(steps, steps[1:], strict=False))


def test_times_are_backdated_over_a_year_ending_at_the_end():
    created = sorted(Case.objects.values_list("created_at", flat=True))
    assert created[-1] <= END and created[0] < END - timedelta(days=300)
    assert len({c.astimezone().month for c in created}) == 12
    assert not CaseEvent.objects.filter(at__gt=END).exists()
    for case in Case.objects.exclude(first_deadline=None)[:80]:
        assert case.first_deadline > case.created_at
        assert case.code.split("-")[1] == case.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%y%m%d")
        first = case.events.order_by("at").first()
        assert first.at == case.created_at
    for case in Case.objects.filter(status="closed").exclude(closed_at=None):
        assert case.created_at < case.closed_at <= END
        assert case.replied_at is None or case.created_at < case.replied_at <= case.closed_at


def test_staff_steps_are_taken_by_people_with_roles_and_the_sweeps_by_the_system():
    for e in CaseEvent.objects.select_related("actor").filter(action__in=SYSTEM_ACTIONS):
        assert e.actor is None
    for e in CaseEvent.objects.filter(action="escalate"):
        assert e.actor is None and e.data.get("deadline_passed")
    staff_actions = {"accept", "dispatch", "start", "take", "reply", "verify", "return", "extend", "park",
                     "whistle", "reject", "merge", "supervise", "request_extension"}
    steps = CaseEvent.objects.filter(action__in=staff_actions).select_related("actor")
    assert steps.exists()
    for e in steps:
        assert e.actor is not None and e.actor.roles.exists(), (e.case_id, e.action)
    usernames = set(steps.values_list("actor__username", flat=True))
    assert {"grid", "community", "dept"} <= usernames
    assert any(u.startswith(STAFF_PREFIX + "gw.") for u in usernames)
    assert any(u.startswith(STAFF_PREFIX + "uh.") for u in usernames)


def test_a_mix_of_channels_outcomes_and_the_ways_a_case_goes():
    channels = Counter(Case.objects.values_list("channel", flat=True))
    for channel in (Channel.RESIDENT_WEB, Channel.PATROL, Channel.WOODPECKER, Channel.HOTLINE, Channel.WALK_IN):
        assert channels[channel] > 0, channel
    hotline = Case.objects.filter(channel=Channel.HOTLINE)
    assert not hotline.filter(external_id="").exists() and set(hotline.values_list("external_source", flat=True)) == {
        "12345"}
    ratings = Counter(Case.objects.filter(status="closed").values_list("rating", flat=True))
    assert ratings["satisfied"] > ratings["basic"] > 0
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in ("accept", "dispatch", "start", "take", "reply", "verify", "rate", "escalate", "warn", "return",
                   "reject", "merge", "close"):
        assert actions[action] > 0, action
    assert all(e.note for e in CaseEvent.objects.filter(action__in=("return", "reject")))
    merged = Case.objects.filter(status="merged")
    assert merged.exists() and not merged.filter(merged_into=None).exists()
    assert Case.objects.filter(overdue=True).exists()
    assert Case.objects.filter(status="closed", overdue=False).count() > 0.7 * Case.objects.filter(
        status="closed").count()
    assert {t.unit.kind for t in WhistleTask.objects.select_related("unit")} <= {"department", "utility"}


def test_recent_cases_are_open_at_every_stage():
    recent = Case.objects.filter(created_at__gte=END - timedelta(days=10))
    statuses = set(recent.values_list("status", flat=True))
    assert {"reported", "accepted", "dispatched", "in_progress", "returned", "verified"} <= statuses
    assert Case.objects.filter(created_at__lt=END - timedelta(days=60)).exclude(
        status__in=("closed", "rejected", "merged", "parked")).count() <= 2


def test_the_demo_accounts_have_work():
    users = {u.username: u for u in User.objects.filter(
        username__in=["grid", "community", "dept", "member", "resident"])}
    grid = cases_visible_to(users["grid"])
    assert grid.filter(status="reported").count() >= 3
    assert Notification.objects.filter(recipient=users["grid"], kind=Kind.NEW_CASE, read_at=None).count() >= 3
    board = cases_visible_to(users["community"]).filter(assigned_area__name="阳光社区")
    assert board.filter(status="reported").exists() and board.filter(status="returned").count() >= 2
    dept = Case.objects.filter(assigned_unit__name="张湾区住建局")
    assert dept.filter(status="dispatched").count() >= 3 and dept.filter(status="in_progress").count() >= 2
    assert set(cases_visible_to(users["dept"]).filter(status="dispatched").values_list("pk", flat=True)) >= set(
        dept.filter(status="dispatched").values_list("pk", flat=True))
    own = Case.objects.filter(reporter_user=users["resident"])
    assert own.filter(status="verified").exists() and own.filter(status="closed").exists()
    taken = cases_visible_to(users["member"])  # 党员接单: one to take, one in hand, one done
    assert {"dispatched", "in_progress"} <= set(taken.values_list("status", flat=True))
    assert set(taken.values_list("assigned_user", flat=True)) == {users["member"].pk}


def test_history_messages_are_sent_and_read():
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).exists()
    assert Notification.objects.exists()
    assert not Notification.objects.filter(read_at=None, created_at__lt=END - timedelta(days=3)).exists()
    assert not Notification.objects.filter(created_at__lt=END - timedelta(days=15)).exists()


def test_stats_count_cases_by_status_and_channel():
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert sum(stats["cases"].values()) == Case.objects.count()
    assert stats["cases"]["closed"] == Case.objects.filter(status="closed").count()
    assert sum(stats["cases_by_channel"].values()) == Case.objects.count()
    assert stats["cases_by_channel"]["patrol"] == Case.objects.filter(channel="patrol").count()


def test_same_seed_same_cases():
    # inside this test's transaction: rolled back afterwards, the module's data stays
    before = snapshot()
    call_command(*ARGS, "--flush", stdout=StringIO())
    after = snapshot()
    assert after == before
    # every staff account holds a role (the woodpeckers — riders and couriers — and the merchants'
    # counters are not staff)
    assert not User.objects.filter(username__startswith=STAFF_PREFIX, roles=None).exclude(
        username__startswith="demo.wp.").exclude(username__startswith="demo.mh.").exists()


def test_the_people_who_serve_are_loaded_and_counted():
    """Issue 10's demo: registered units and members with posts and a year of records, teams with a
    year of activities and attendance, woodpeckers with reports, wishes in every state; stats count them."""
    from grassroots.service.models import FeedbackJob, MemberRegistration, ServiceRecord, UnitRegistration
    from grassroots.volunteers.models import Activity, Signup
    from grassroots.wishes.models import Wish
    from grassroots.woodpeckers.models import QuickReport, Woodpecker

    assert UnitRegistration.objects.filter(status="approved").exists()
    assert MemberRegistration.objects.filter(status="approved").count() > 50
    assert MemberRegistration.objects.filter(status="applied").count() == 3  # the demo community's queue
    assert ServiceRecord.objects.filter(status="verified").exists() and ServiceRecord.objects.filter(
        status="submitted").exists()
    records = ServiceRecord.objects.order_by("served_on")
    assert (records.last().served_on - records.first().served_on).days > 300  # a year of them
    assert set(Activity.objects.values_list("status", flat=True)) >= {"open", "closed"}
    assert set(Signup.objects.values_list("status", flat=True)) >= {"checked_out", "no_show", "signed_up"}
    assert Woodpecker.objects.filter(status="active").exists() and Woodpecker.objects.filter(status="applied").exists()
    assert QuickReport.objects.filter(status="valid").exists() and QuickReport.objects.filter(status="pending").exists()
    assert set(Wish.objects.values_list("status", flat=True)) == {s for s, _ in Wish.Status.choices}
    assert FeedbackJob.objects.get().status == "done"
    for username in ("volunteer", "woodpecker", "unit", "member"):
        assert User.objects.filter(username=username).exists(), username
    assert User.objects.get(username="member").roles.filter(role="party_member").exists()  # from the 接单岗
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["member_registrations"]["approved"] == MemberRegistration.objects.filter(status="approved").count()
    assert stats["wishes"]["confirmed"] == Wish.objects.filter(status="confirmed").count()
    assert stats["quick_reports"]["valid"] == QuickReport.objects.filter(status="valid").count()
    assert stats["volunteer_hours_confirmed"] > 0 and stats["service_hours_verified"] > 0


def test_the_kpi_rollups_agree_with_the_cases(demo):
    """A year of cases walked through the services kept the daily rollups equal to a recomputation."""
    out = StringIO()
    call_command("kpi_rebuild", "--check", stdout=out)
    assert f"{DC}: " in out.getvalue() and "0 处差异" in out.getvalue()


def test_the_demo_audit_trail_and_case_events_verify():
    """Every event the walk wrote and every audit row of the district is chained: audit_verify passes."""
    out = StringIO()
    call_command("audit_verify", "--district", DC, stdout=out)
    text = out.getvalue()
    assert "核验通过" in text
    assert f"cases_caseevent 区县「{DC}」：{CaseEvent.objects.filter(district_code=DC).count()} 行" in text


# --- the two-way evaluation (双向评价) -------------------------------------------------------------


def test_a_share_is_rated_and_scores_lean_high(demo):
    from grassroots.evaluation import rules
    from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation

    units = list(UnitEvaluation.objects.all())
    dispatches = list(DispatchEvaluation.objects.all())
    assert len(units) >= 10 and len(dispatches) >= 10, demo
    sent = rules.sent(CaseEvent.objects.filter(district_code=DC, action__in=rules.SENDING_ACTIONS)
                      .values_list("case_id", flat=True))
    assert len(units) < len(sent) and len(dispatches) < len(sent)  # not everything is rated
    assert 3.4 < mean(e.mean for e in units) < 4.8
    assert any(e.mean <= 2.5 for e in units + dispatches)
    assert all(e.created_at <= END for e in units + dispatches)
    assert AuditEntry.objects.filter(action="evaluation.unit").count() == len(units)


def test_every_evaluation_keeps_the_rules(demo):
    from grassroots.evaluation import rules
    from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation

    assert "双向评价：评价承办单位" in demo
    for e in UnitEvaluation.objects.select_related("case__assigned_area", "evaluator", "area"):
        pair = rules.pair_of(e.case, e.unit_id)
        assert pair is not None and pair.replied and rules.may_rate_unit(e.evaluator, pair)
        assert e.area_code == e.area.code and e.created_at > pair.event.at
    for e in DispatchEvaluation.objects.select_related("case__assigned_area", "evaluator"):
        pair = rules.pair_of(e.case, e.unit_id)
        assert pair is not None and rules.may_rate_dispatch(e.evaluator, pair)
        assert e.created_at > pair.event.at
