"""Random sequences of service calls by random users of the tree (and the system) on one case.

Whatever happens, the case only ever moves along the table: its status equals the last event's
``to_status``, each event is a step the table allows and follows on from the one before, a call
that succeeds writes exactly one event and changes the row, and a call that is refused writes no
event and leaves the row as it was. Along the way: a holder never returns twice, and a
dissatisfied rating reopens a case only when the rating before it was not dissatisfied.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from grassroots.accounts.models import Role
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseEvent, Rating
from grassroots.cases.permissions import may
from grassroots.cases.services import case_create, case_transition
from grassroots.cases.transitions import ACTIONS, actions_from, is_allowed_step
from tests.factories import make_user

ACTORS = ["district_admin", "street_admin_1", "community_worker_1", "community_worker_2", "grid_worker_A",
          "grid_worker_B", "dept_handler", "property_handler", "party_member", "resident", "nobody", "root", None]
# ``None`` is the system (the sweep): it may escalate, warn, unpark and close.
SNAPSHOT = ["status", "assigned_unit_id", "assigned_area_id", "handler_id", "tier", "return_count",
            "reopen_count", "deadline", "parked_until", "rating", "merged_into_id", "closed_at"]
REFUSED = (TransitionNotAllowed, PermissionDenied, ValidationError)
# How much more often a sensible draw picks the forward steps than the detours and dead ends.
WEIGHT = {"accept": 4, "dispatch": 3, "start": 2, "take": 4, "reply": 4, "verify": 4, "rate": 4, "close": 1,
          "reject": 1, "merge": 1, "whistle": 2, "task_reply": 2, "comment": 1}


def snapshot(case: Case) -> dict:
    case.refresh_from_db()
    return {name: getattr(case, name) for name in SNAPSHOT}


def inputs(action: str, variant: int, world: dict) -> dict:
    """Plausible (and sometimes wrong) inputs for ``action``; ``variant`` picks one."""
    tree = world["tree"]
    now, today = timezone.now(), timezone.localdate()
    targets = [{"to_unit": tree.units["dept"]}, {"to_unit": tree.units["property"]},
               {"to_area": tree.grid("A")}, {"to_area": tree.grid("B")},
               {"to_area": tree.communities[0]}, {"to_area": tree.streets[0]},
               {"to_user": tree.user("party_member")}, {}]
    options = {
        "dispatch": targets, "reassign": targets,
        "whistle": [{"lead": tree.units["dept"], "assisting": [tree.units["property"]]},
                    {"lead": tree.units["property"]}, {"lead": None}],
        "extend": [{"until": now + timedelta(days=10)}, {"until": now - timedelta(days=1)}],
        "park": [{"until": today + timedelta(days=30)}, {"until": today}],
        "merge": [{"into": world["other"]}, {"into": world["case"]}],
        "rate": [{"rating": Rating.UNSATISFIED}, {"rating": Rating.SATISFIED}, {"rating": Rating.BASIC},
                 {"rating": "bad"}, {"rating": Rating.UNSATISFIED, "tracking_code": world["case"].tracking_code}],
    }
    case = world["case"]
    assisting = case.whistle_tasks.filter(role="assist").order_by("-pk")
    options.update({
        "whistle": [*options["whistle"],
                    {"lead": tree.units["property"], "assisting": [tree.units["dept"]],
                     "tasks": {tree.units["dept"].pk: "负责管网维修"}, "deadline": now + timedelta(days=3)}],
        "request_extension": [{"until": now + timedelta(days=20)}, {"until": now - timedelta(days=1)}],
        "task_reply": [{"task": assisting.first()}, {"task": None}],
        "warn": [{"fraction": 0.8}],
    })
    choices = options.get(action, [{}])
    return dict(choices[variant % len(choices)])


@pytest.fixture
def world(tree):
    tree.users["property_handler"] = make_user("property_handler", Role.DEPARTMENT_HANDLER,
                                               unit=tree.units["property"])
    tree.users["resident"] = make_user("resident", Role.RESIDENT, area=tree.households[0])
    tree.users["party_member"] = make_user("party_member", Role.PARTY_MEMBER, area=tree.communities[0])
    return tree


def test_random_call_sequences_follow_the_table(world):
    tree = world

    class CaseMachine(RuleBasedStateMachine):
        @initialize(grid=st.sampled_from("AB"))
        def report(self, grid):
            area = tree.grid(grid)
            self.case = case_create(title="井盖松动", body="小区门口井盖松动，有安全隐患。", channel="resident_web",
                                    area=area, actor=tree.user("resident"))
            other = case_create(title="井盖", body="同一井盖", channel="resident_web", area=area)
            self.world = {"tree": tree, "case": self.case, "other": other}
            self.events = 1
            self.ratings: list[str] = []

        @rule(data=st.data(), variant=st.integers(min_value=0, max_value=7),
              note=st.sampled_from(["", "情况说明"]))
        def act(self, data, variant, note):
            # Mostly an action the table allows now, by someone allowed to do it, so that runs get
            # deep into the lifecycle; otherwise anything by anyone, to exercise the refusals.
            self.case.refresh_from_db()
            allowed = [a for a in actions_from(self.case.status) for _ in range(WEIGHT.get(a, 1))]
            sensible = data.draw(st.integers(0, 9), label="sensible") < 8 and allowed
            action = data.draw(st.sampled_from(allowed if sensible else ACTIONS), label="action")
            users = {name: tree.user(name) if name else None for name in ACTORS}
            permitted = [n for n, u in users.items() if may(u, self.case, action)] if sensible else []
            actor = data.draw(st.sampled_from(permitted or ACTORS), label="actor")
            user = users[actor]
            before, total = snapshot(self.case), CaseEvent.objects.count()
            try:
                event = case_transition(case=self.case, action=action, actor=user, note=note,
                                        **inputs(action, variant, self.world))
            except REFUSED:
                assert snapshot(self.case) == before
                assert CaseEvent.objects.count() == total
                return
            self.events += 1
            assert CaseEvent.objects.count() == total + 1
            assert event.from_status == before["status"] and event.to_status == self.case.status
            if event.action.startswith("rate"):
                if event.action == "rate_unsatisfied":
                    assert not self.ratings or self.ratings[-1] != Rating.UNSATISFIED
                self.ratings.append(event.data["rating"])

        @invariant()
        def follows_the_table(self):
            if not hasattr(self, "case"):
                return
            events = list(CaseEvent.objects.filter(case=self.case).order_by("at", "pk"))
            assert len(events) == self.events
            self.case.refresh_from_db()
            assert self.case.status == events[-1].to_status
            previous = ""
            for event in events:
                assert event.from_status == previous, event
                assert is_allowed_step(event.action, event.from_status, event.to_status), event
                previous = event.to_status
            holders = [e.data["holder"] for e in events if e.action == "return"]
            assert len(holders) == len(set(holders)) == self.case.return_count
            for event in events:
                if event.action == "whistle":  # one task per summoned unit, the lead's first
                    roles = list(event.whistle_tasks.order_by("role").values_list("role", flat=True))
                    assert roles == ["assist"] * len(event.data["assisting"]) + ["lead"]
            if self.case.status in (Case.Status.CLOSED, Case.Status.DISPATCHED):
                assert not self.case.whistle_tasks.filter(status="open").exists()
            assert (self.case.supervised_at is not None) == (
                [e.action for e in events if e.action in ("supervise", "unsupervise")][-1:] == ["supervise"])

    run_state_machine_as_test(CaseMachine, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))

