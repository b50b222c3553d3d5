"""Walks the planned cases (``caseplan``) through the real case services, back in time.

Every event of every demo case is written by ``case_receive`` / ``case_transition`` (through the
service wrappers), with an actor who holds the right role at the right place — the grid worker,
the community worker, the street, the unit handler, the resident (by account or tracking code) or
nobody for the system's own steps (escalation at the deadline, unparking at the review date,
closing unrated cases) — so the state table, the permission rules and the effects apply exactly
as they do in production.

**Backdating.** The services stamp "now". The walk runs under one ``time_machine.travel`` with
``tick=False`` and moves that frozen clock to the moment of each step (``traveller.move_to``) just
before calling the service: ``created_at``, the events' ``at``, ``deadline`` and ``first_deadline``
(computed by the working calendar from the backdated receipt, so holidays and make-up workdays
count), ``responded_at``, ``replied_at``, ``rated_at``, ``closed_at``, ``updated_at``, the
notifications' times, the case number's date — everything the engine stamps is the step's own
moment, with no bulk update afterwards. ``time-machine`` patches the C-level clocks, so defaults
bound at import time (``default=timezone.now``) travel too; ``time.monotonic`` does not, so the
progress timing is real. A case is walked from its report to its last step before ``end`` (the
real now, or ``--end``); steps after ``end`` are not taken, which leaves the recent cases open at
every stage. Cases are walked one after the other in the order they are reported; the clock goes
back to the next case's report time between them.

The deadline sweep is simulated step by step: before any step, if the current deadline has passed
and the status allows it, the system escalates the case one tier (as ``cases.sweep`` would), at the
deadline plus a few minutes.

**Notifications.** The engine writes the inbox rows, text messages and their audit rows inside
each event's transaction; for the history that is half of the load's time, for messages that
would all have been read and sent long ago. So the walk lets the engine notify only for events of
the last ``NOTIFY_DAYS`` days before ``end`` (``cases.notify.case_event_written`` is wrapped for the
walk; nothing else about the event changes), then marks what was sent and read by then
(``settle_messages``): text messages sent a few seconds after they were queued (a demo load must
not text anyone), notifications older than three days read. The inboxes show the last days' work.

**Determinism.** Every draw comes from ``random.Random`` seeded by (seed, case index); the case
numbers' random part is drawn from the same kind of generator (tracking codes stay random: they are
the residents' secrets). Same seed, same case count and same end → the same cases, numbers,
statuses and times.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, time, timedelta
from time import monotonic
from unittest import mock

import time_machine

from grassroots.cases import notify as case_notify
from grassroots.cases import services
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case
from grassroots.cases.transitions import RUNNING, TRANSITIONS
from grassroots.worktime import calendar

from . import notes
from .caseplan import (
    EXTEND,
    MEMBER,
    MERGE,
    PARK,
    REJECT,
    RETURN,
    SYSTEM_SOURCES,
    UNRATED,
    UNSATISFIED,
    WHISTLE,
    CaseRow,
    build_case_rows,
)
from .desk import Desk
from .texts import EMERGENCY, UTILITY, render
from .timeline import WARN_AT, next_office_moment, sweep_delay, warn_moment

S = Case.Status
HOURS = {EMERGENCY: 2, UTILITY: 24}
NOTIFY_DAYS = 14
ESTIMATED_DAYS = {"general": 10, "complex": 21}  # when the calendar cannot give a deadline
ESCALATE_FROM = TRANSITIONS["escalate"].sources
SWEEP_UNPARK_NOTE = "已到复查日期，自动恢复办理"  # the notes cases.sweep writes
SWEEP_CLOSE_NOTE = "核实后{days}天内未评价，系统自动办结（未评价）"


class Walk:
    """One case's life, step by step: each step at its own moment, by the right person."""

    def __init__(self, desk: Desk, row: CaseRow, traveller, seed: int):
        self.desk, self.row, self.traveller = desk, row, traveller
        self.rng = random.Random(f"grassroots-demo:{seed}:case:{row.index}")
        self.t = row.at
        self.case: Case | None = None
        self.done = False
        self.count: Counter = Counter()
        self.reply_due: datetime | None = None
        self.replier = None
        self.reply_text = ""
        self.last = ""  # the action the last ``act`` performed (a sweep step may come instead)
        self.warn_at: dict = {}  # (limit start, deadline) → the moment of the 75 % warning
        self.text = desk.places(row, self.rng)

    # --- time -------------------------------------------------------------------------------------

    def working(self, t: datetime) -> datetime:
        return next_office_moment(t, self.rng, self.desk.overrides)

    def later(self, lo: float, hi: float, *, office: bool = True) -> datetime:
        """A moment ``lo``–``hi`` hours after the last step (log-uniform), in office hours unless
        the matter is urgent."""
        if self.row.stop:  # a pinned case reaches its last step well before the end
            hi = min(hi, max(2 * lo, 3.0))
        hours = lo * (hi / lo) ** self.rng.random()
        t = self.t + timedelta(hours=hours)
        urgent = self.row.urgency in (EMERGENCY, UTILITY)
        return t if urgent or not office else self.working(t)

    def deadline(self) -> datetime:
        case = self.case
        if case.deadline:
            return case.deadline
        if self.row.urgency in HOURS:
            return self.t + timedelta(hours=HOURS[self.row.urgency])
        return self.t + timedelta(days=ESTIMATED_DAYS.get(self.row.urgency, 10))

    def fresh_limit(self) -> None:
        """A new time limit started (escalation at the deadline, reopening, unparking): the reply
        now comes within it — mostly; one in twelve is late again."""
        share = self.rng.uniform(1.05, 1.4) if self.rng.random() < 0.08 else self.rng.uniform(0.15, 0.85)
        self.reply_due = self.t + (self.deadline() - self.t) * share

    # --- acting -----------------------------------------------------------------------------------

    def act(self, when: datetime, action: str, fn, **kwargs) -> bool:
        """Run ``fn`` (a case service) at ``when``; False when the story ends here (after ``end``,
        or a pinned row's last step). A due sweep step may come first (then True, nothing else done)."""
        when = max(when, self.t + timedelta(seconds=self.rng.randint(20, 90)))
        if self.sweep(when):
            return True
        if when > self.desk.end:
            self.done = True
            return False
        self.traveller.move_to(when)
        started = self.case.deadline_started_at
        fn(case=self.case, **kwargs)
        self._done(when, action)
        if self.case.deadline_started_at != started and action != "extend":
            self.fresh_limit()
        if self.row.stop == action:
            self.done = True
        return True

    def _done(self, when: datetime, action: str) -> None:
        self.t = when
        self.last = action
        self.count[action] += 1

    def system(self, when: datetime, action: str, note: str = "", **data) -> bool:
        """A step of the sweep (no actor) at ``when``; False when ``when`` is after the end."""
        if when > self.desk.end:
            return False
        self.traveller.move_to(when)
        services.case_transition(case=self.case, action=action, actor=None, note=note, **data)
        self._done(when, action)
        if action in ("escalate", "unpark"):
            self.fresh_limit()
        return True

    def sweep(self, when: datetime) -> bool:
        """What ``cases.sweep.sla_sweep`` would do to this case before ``when``: the 75 % warning,
        then at the deadline escalation one tier up (or, where escalating cannot help, 超时督办).
        One step at a time; True when one was taken."""
        case, desk = self.case, self.desk
        if case.status not in RUNNING or case.deadline is None:
            return False
        if case.warned_at is None and case.deadline_started_at is not None:
            unit = desk.limits[case.urgency].unit if case.urgency in desk.limits else calendar.WORKING_DAYS
            key = (case.deadline_started_at, case.deadline)
            if key not in self.warn_at:
                self.warn_at[key] = warn_moment(case.deadline_started_at, case.deadline, unit, desk.overrides)
            moment = max(self.warn_at[key], self.t)
            moment += sweep_delay(self.rng)
            if moment < when and moment < case.deadline:
                return self.system(moment, "warn", fraction=WARN_AT)
        if case.deadline < when and case.overdue_at is None:
            moment = max(case.deadline, self.t) + sweep_delay(self.rng)
            if case.status in ESCALATE_FROM:
                try:
                    return self.system(moment, "escalate", deadline_passed=True)
                except TransitionNotAllowed:
                    pass  # at the district already: the lateness is recorded instead
            return self.system(moment, "overdue")
        return False

    # --- the walk ---------------------------------------------------------------------------------

    def run(self) -> Case | None:
        if not self.receive():
            return None
        for _ in range(90):  # a bound: no story loops forever
            if self.done or self.case.status in (S.CLOSED, S.REJECTED, S.MERGED):
                break
            if not self.next_step():
                break
        return self.case

    def receive(self) -> bool:
        row, desk = self.row, self.desk
        if row.at > desk.end:
            return False
        self.traveller.move_to(row.at)
        template = row.template
        title, body = render(template.title, self.text), render(template.body, self.text)
        if row.channel == "woodpecker":
            body = body.replace("巡查发现", "路过时发现")
        person = desk.plan.persons[row.reporter] if row.reporter is not None else None
        kwargs = dict(title=title, body=body, channel=row.channel, urgency=row.urgency, tier=row.tier,
                      category=desk.category(template.path), anonymous=row.anonymous)
        if person is not None:
            from grassroots.people.models import Person

            pk = desk.person_ids[row.reporter]
            kwargs.update(reporter=Person(pk=pk, user_id=desk.person_user.get(pk)), contact_name=person.name,
                          contact_phone=person.phone)
        building = desk.areas.get(row.building)
        grid = desk.areas[row.grid]
        spot = building or grid
        actor = None
        if row.who == "resident":
            actor = desk.crew.resident
        elif row.channel == "patrol":
            actor = desk.crew.grid.get(row.grid)
        elif row.channel == "walk_in":
            actor = desk.crew.community.get(row.grid[:12])
        if row.placeless:
            kwargs.update(district_code=desk.plan.district_code, address=f"{self.text['road']}附近")
        elif row.channel in ("resident_web", "woodpecker", "open311"):
            kwargs.update(lat=spot.lat, lng=spot.lng, address=f"{self.text['estate']}{self.text['building']}")
        else:
            kwargs.update(area=spot, lat=spot.lat, lng=spot.lng,
                          address=f"{self.text['estate']}{self.text['building'] if building else ''}")
        if row.channel in SYSTEM_SOURCES:
            kwargs.update(external_source=SYSTEM_SOURCES[row.channel],
                          external_id=f"{row.at:%Y%m%d}{row.index:06d}")
        self.case, _created = services.case_receive(actor=actor, **kwargs)
        desk.cases[row.index] = self.case.pk
        self.count["report"] += 1
        limit = self.deadline() - self.case.created_at
        self.reply_due = self.case.created_at + limit * row.pace
        if row.stop == "report":
            self.done = True
        return True

    def next_step(self) -> bool:
        case, row, desk = self.case, self.row, self.desk
        st = case.status
        if st == S.REPORTED:
            dispatcher = desk.dispatcher(case)
            when = self.later(0.05, 0.5) if row.urgency == EMERGENCY else self.later(0.2, 6)
            if row.fate == REJECT:
                return self.act(when, "reject", services.case_reject, actor=dispatcher,
                                reason=notes.reject_reason(row.template.path))
            target = desk.cases.get(row.merge_of) if row.fate == MERGE else None
            if target is not None and Case.objects.filter(pk=target).exclude(
                    status__in=(S.MERGED, S.REJECTED)).exists():
                return self.act(when, "merge", services.case_merge, actor=dispatcher, into=target,
                                note="与已受理的诉求反映同一问题，合并办理")
            return self.act(when, "accept", services.case_accept, actor=dispatcher)
        if st == S.ACCEPTED:
            return self.route()
        if st == S.DISPATCHED:
            holder = desk.holder(case)
            if row.fate == RETURN and not self.count["return"] and (case.assigned_unit_id or row.unit):
                right = desk.duty_unit(row.template.path)
                if not right or desk.units[right].pk == case.assigned_unit_id:
                    right = "所在社区协调物业及业委会"
                reason = self.rng.choice(notes.RETURN_REASONS).format(right=right)
                return self.act(self.later(1, 30), "return", services.case_return, actor=holder, reason=reason)
            when = self.later(0.05, 0.4, office=False) if row.urgency == EMERGENCY else self.later(0.2, 20)
            return self.act(when, "take", services.case_take, actor=holder, note=self.rng.choice(notes.TAKE_NOTES))
        if st == S.RETURNED:
            return self.dispatch_right(self.later(0.5, 24))
        if st == S.ESCALATED:
            return self.after_escalation()
        if st == S.PARKED:  # the sweep unparks in the first minutes of the review day
            return self.system(calendar.at(case.parked_until, time(0, 0)) + sweep_delay(self.rng), "unpark",
                               note=SWEEP_UNPARK_NOTE)
        if st == S.IN_PROGRESS:
            return self.in_progress()
        if st in (S.EXTENDED, S.WHISTLED):
            return self.reply()
        if st == S.REPLIED:
            return self.verify()
        if st == S.VERIFIED:
            return self.judge()
        if st == S.REOPENED:
            return self.act(self.later(0.5, 24), "take", services.case_take, actor=desk.holder(case),
                            note="收到重办，再次核查处理")
        return False

    # --- routing ----------------------------------------------------------------------------------

    def route(self) -> bool:
        case, row, desk = self.case, self.row, self.desk
        dispatcher = desk.dispatcher(case)
        owner = len(case.assigned_area.code) if case.assigned_area_id else 6
        when = self.later(0.05, 2)
        if row.fate == PARK and not self.count["park"]:
            until = (calendar.local(self.t) + timedelta(days=self.rng.randint(30, 150))).date()
            return self.act(when, "park", services.case_park, actor=dispatcher, until=until,
                            reason=self.rng.choice(notes.PARK_REASONS))
        if row.unit == MEMBER:
            return self.dispatch_member(when)
        if row.unit:
            return self.dispatch_unit(when, row.unit)
        duty = desk.duty_unit(row.template.path)
        if row.fate == WHISTLE and owner <= 9:
            return self.whistle(when, duty)
        if row.fate == RETURN:
            wrong = self.rng.choice([u for u in desk.departments if u != duty])
            return self.dispatch_unit(when, wrong)
        prop = desk.property_units.get(case.scope_code[:12], [])
        is_property = row.template.path[:3] == ("城乡建设", "住房保障与房地产", "物业服务")
        if owner == 15:
            if is_property and prop and self.rng.random() < 0.6:
                return self.dispatch_unit(when, self.rng.choice(prop))
            return self.act(self.later(0.1, 8), "start", services.case_start, actor=desk.crew.grid[case.assigned_area.code])
        if owner == 12:
            if duty and self.rng.random() < 0.45:
                return self.dispatch_unit(when, duty)
            if is_property and prop:
                return self.dispatch_unit(when, self.rng.choice(prop))
            return self.act(self.later(0.1, 8), "start", services.case_start,
                            actor=desk.crew.community[case.assigned_area.code])
        if duty and (owner == 6 or self.rng.random() < 0.85):
            return self.dispatch_unit(when, duty)
        if owner == 6:
            return self.dispatch_unit(when, "张湾区住建局" if "张湾区住建局" in desk.units else desk.departments[0])
        return self.dispatch_team(when, case.scope_code[:12])

    def dispatch_unit(self, when: datetime, name: str) -> bool:
        unit = self.desk.units[name]
        note = self.rng.choice(notes.DISPATCH_NOTES)
        return self.act(when, "dispatch", services.case_dispatch, actor=self.desk.dispatcher(self.case),
                        to_unit=unit, note=note)

    def dispatch_member(self, when: datetime) -> bool:
        """点单-派单-接单: the community gives the case to its registered Party member personally."""
        return self.act(when, "dispatch", services.case_dispatch, actor=self.desk.dispatcher(self.case),
                        to_user=self.desk.crew.member, note="请党员志愿者帮忙上门了解情况")

    def dispatch_team(self, when: datetime, code: str, action: str = "dispatch") -> bool:
        return self.act(when, action, services.case_dispatch, actor=self.desk.dispatcher(self.case),
                        to_area=self.desk.areas[code], note=self.rng.choice(notes.DISPATCH_NOTES))

    def dispatch_right(self, when: datetime) -> bool:
        """After a return: to the unit whose duty it is, else to the most local team."""
        case, desk = self.case, self.desk
        duty = desk.duty_unit(self.row.template.path)
        last_unit = case.events.filter(action="return").values_list("data__unit", flat=True).last()
        if duty and desk.units[duty].pk != last_unit:
            return self.dispatch_unit(when, duty)
        control = case.assigned_area.code if case.assigned_area_id else case.scope_code[:6]
        down = {15: 15, 12: 15, 9: 12, 6: 9}[len(control)]
        code = case.scope_code[:down] if len(case.scope_code) >= down else control
        if len(code) == 6:
            return self.dispatch_unit(when, self.rng.choice(desk.departments))
        return self.dispatch_team(when, code)

    def after_escalation(self) -> bool:
        case, desk = self.case, self.desk
        dispatcher = desk.dispatcher(case)
        if case.supervised_at is None and self.rng.random() < 0.5:
            ok = self.act(self.later(0.2, 6), "supervise", services.case_supervise, actor=dispatcher,
                          note=self.rng.choice(notes.SUPERVISE_NOTES))
            if not ok or case.status != S.ESCALATED:
                return ok
        duty = desk.duty_unit(self.row.template.path)
        control = case.assigned_area.code if case.assigned_area_id else case.scope_code[:6]
        when = self.later(0.3, 8)
        if duty and len(control) <= 9:
            return self.dispatch_unit(when, duty)
        if len(control) == 6:
            return self.dispatch_unit(when, self.rng.choice(desk.departments))
        return self.dispatch_team(when, control)

    def whistle(self, when: datetime, duty: str | None) -> bool:
        desk = self.desk
        lead_name = duty or self.rng.choice(desk.departments)
        others = [u for u in desk.departments if u != lead_name]
        assisting = [desk.units[u] for u in self.rng.sample(others, self.rng.randint(1, 2))]
        lead = desk.units[lead_name]
        note = "该问题涉及多个部门职责，街道吹哨召集，请牵头单位组织联合处置"
        tasks = {lead.pk: f"牵头处置并答复反映人：{self.case.title}"[:2000],
                 **{u.pk: f"配合{lead.name}现场联合处置，三日内反馈本单位意见" for u in assisting}}
        return self.act(when, "whistle", services.case_whistle, actor=desk.dispatcher(self.case), lead=lead,
                        assisting=assisting, note=note, tasks=tasks)

    # --- handling and closing ---------------------------------------------------------------------

    def in_progress(self) -> bool:
        case, row, desk = self.case, self.row, self.desk
        holder = desk.holder(case)
        if not self.count["comment"] and self.rng.random() < 0.06:
            return self.act(self.later(0.5, 20), "comment", services.case_comment, actor=holder or desk.dispatcher(case),
                            note=self.rng.choice(notes.COMMENTS))
        if row.fate == EXTEND and not self.count["extend"]:
            old = self.deadline()
            ask = self.later(0.5, max(1.0, (old - self.t).total_seconds() / 3600 * 0.6))
            if ask < old:
                return self.extend(ask, old)
        return self.reply()

    def extend(self, ask: datetime, old: datetime) -> bool:
        case, desk = self.case, self.desk
        reason = self.rng.choice(notes.EXTEND_REASONS)
        try:
            until = calendar.add_working_days(old, self.rng.randint(5, 10), desk.overrides)
        except calendar.CalendarMissing:
            until = old + timedelta(days=10)
        if not self.count["request_extension"]:
            return self.act(ask, "request_extension", services.case_request_extension, actor=desk.holder(case),
                            until=until, reason=reason)
        when = self.later(0.3, 6) if self.count["request_extension"] else ask
        ok = self.act(when, "extend", services.case_extend, actor=desk.dispatcher(case), until=until, reason=reason)
        if ok and self.last == "extend":
            self.reply_due = self.t + (until - self.t) * self.rng.uniform(0.3, 0.9)
        return ok

    def reply(self) -> bool:
        case, desk = self.case, self.desk
        if case.status == S.IN_PROGRESS and self.count["request_extension"] and not self.count["extend"]:
            return self.extend(self.t, self.deadline())
        holder = desk.holder(case)
        if case.status == S.WHISTLED:
            task = case.whistle_tasks.filter(role="assist", status="open").select_related("unit").first()
            if task is not None:
                return self.act(self.later(2, 60), "task_reply", self._task_reply, task=task)
        due = self.reply_due or self.later(4, 72)
        when = max(due, self.t + timedelta(minutes=self.rng.uniform(20, 240)))
        if self.row.urgency not in (EMERGENCY, UTILITY):
            when = self.working(when)
        text = self.compose_reply()
        ok = self.act(when, "reply", services.case_reply, actor=holder, reply=text)
        if ok and self.last == "reply":
            self.replier = holder
        return ok

    def _task_reply(self, *, case, task):
        user = self.desk.crew.unit.get(task.unit_id)
        services.whistle_task_reply(task=task, reply=f"{task.unit.name}已派员参加联合处置，本单位职责范围内问题已整改。",
                                    actor=user)

    def compose_reply(self) -> str:
        case, template = self.case, self.row.template
        handler = case.assigned_unit.name if case.assigned_unit_id else (
            case.assigned_area.name if case.assigned_area_id else self.desk.plan.district_name)
        places = {**self.text, "handler": handler}
        if template.reply:
            text = render(template.reply, places)
        else:
            text = notes.compose_reply(self.rng, case.title, template.path, handler)
        if self.count["reply"]:  # after a 不满意: the second answer
            text = notes.REPLY_AGAIN.format(handler=handler, reply=text.removeprefix("您好！"))
        return text[:4900]

    def verify(self) -> bool:
        case, desk = self.case, self.desk
        staff = desk.place_staff(case)
        if staff is None or staff == self.replier:
            staff = desk.crew.extra_grid_staff.get(case.scope_code[:15])
        if staff is None or staff == self.replier:
            staff = desk.dispatcher(case)
        return self.act(self.later(0.3, 40), "verify", services.case_verify, actor=staff,
                        note=self.rng.choice(notes.VERIFY_NOTES))

    def judge(self) -> bool:
        case, row, desk = self.case, self.row, self.desk
        rating = row.second_rating if self.count["rate"] else row.rating
        if row.channel == "patrol":
            return self.act(self.later(0.3, 24), "close", services.case_close, actor=desk.dispatcher(case),
                            note=self.rng.choice(notes.PATROL_CLOSE_NOTES))
        if rating == UNRATED:  # nobody rates: the sweep closes it N days after the verification
            when = self.t + timedelta(days=desk.unrated_days) + sweep_delay(self.rng)
            return self.system(when, "close", note=SWEEP_CLOSE_NOTE.format(days=desk.unrated_days))
        comment = self.rng.choice(notes.RATING_COMMENTS[rating])
        if row.who == "resident":
            return self.act(self.later(1, 50, office=False), "rate", services.case_rate, actor=desk.crew.resident,
                            rating=rating, comment=comment)
        if row.channel in ("resident_web", "woodpecker", "open311") and row.reporter is not None:
            when = self.working(self.later(1, 60, office=False)) if rating == UNSATISFIED else \
                self.later(1, 60, office=False)
            return self.act(when, "rate", services.case_rate, actor=None, rating=rating, comment=comment,
                            tracking_code=case.tracking_code)
        return self.act(self.later(2, 30), "rate", services.case_rate, actor=desk.dispatcher(case), rating=rating,
                        comment=f"电话回访：{comment}" if comment else "电话回访")


def _recent_only(original, since: datetime):
    def case_event_written(event, case) -> None:
        if event.at >= since:
            original(event, case)

    return case_event_written


def _seeded_codes(original, state: dict):
    def random_code(length: int) -> str:
        if length == services.TRACKING_CODE_LENGTH:
            return original(length)
        return "".join(state["rng"].choice(services.CODE_ALPHABET) for _ in range(length))

    return random_code


def load_cases(plan, *, cases: int, end: datetime, crew, area_ids: dict[str, int], unit_ids: dict[str, int],
               person_ids: list[int], log=None) -> dict:
    """Plan ``cases`` cases ending at ``end`` and walk them; returns counts by status and channel."""
    log = log or (lambda msg: None)
    rows = build_case_rows(plan, cases, calendar.local(end).date())
    rows = [r for r in rows if r.at <= end]
    if not rows:
        return {"cases": 0}
    desk = Desk(plan, crew=crew, area_ids=area_ids, unit_ids=unit_ids, person_ids=person_ids, end=end)
    state = {"rng": random.Random(0)}
    started = monotonic()
    steps = 0
    with time_machine.travel(rows[0].at, tick=False) as traveller, \
            mock.patch.object(services, "random_code", _seeded_codes(services.random_code, state)), \
            mock.patch.object(case_notify, "case_event_written",
                              _recent_only(case_notify.case_event_written, end - timedelta(days=NOTIFY_DAYS))):
        for i, row in enumerate(rows, 1):
            state["rng"] = random.Random(f"grassroots-demo:{plan.seed}:code:{row.index}")
            walk = Walk(desk, row, traveller, plan.seed)
            walk.run()
            steps += sum(walk.count.values())
            if i % 1000 == 0 or i == len(rows):
                spent = monotonic() - started
                log(f"诉求 {i}/{len(rows)} 件，办理记录 {steps} 条，用时 {spent:.0f} 秒")
    settle_messages(plan.district_code, end)
    return {"cases": len(rows), "events": steps}


def settle_messages(district_code: str, end: datetime) -> dict[str, int]:
    """The history's messages went out and were read long ago: a demo load must not text a year of
    residents and staff (the worker would send every queued message), nor fill every inbox with a
    year of unread items. Text messages are marked sent a few seconds after they were queued;
    notifications older than three days are marked read a few hours after they arrived."""
    from django.db.models import F

    from grassroots.notifications.models import Notification, OutboxMessage

    sent = OutboxMessage.objects.filter(district_code=district_code, status=OutboxMessage.Status.QUEUED,
                                        created_at__lte=end).update(
        status=OutboxMessage.Status.SENT, attempts=1, sent_at=F("created_at") + timedelta(seconds=40))
    read = Notification.objects.filter(district_code=district_code, read_at__isnull=True,
                                       created_at__lt=end - timedelta(days=3)).update(
        read_at=F("created_at") + timedelta(hours=3))
    return {"sent": sent, "read": read}
