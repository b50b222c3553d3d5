"""The case state machine: which action moves a case from which statuses to which, and who may act.

Pure data and pure functions (no database): ``services.case_transition`` enforces them under a
row lock, and the tests check every event ever written against them.

States (``Case.Status``)::

    reported → accepted → dispatched → in_progress → replied → verified → closed
    plus returned, extended, parked, escalated, whistled, reopened, rejected, merged

The table (action: from statuses → to status; who may do it)::

    accept            reported                                    → accepted     dispatcher or system (auto-dispatch)
    reject            reported, accepted                          → rejected     dispatcher (reason)
    merge             reported, accepted                          → merged       dispatcher (into)
    dispatch          accepted, returned, escalated               → dispatched   dispatcher (unit, team or member)
                                                                                  or system (auto-dispatch)
    start             accepted                                    → in_progress  local handler (就地办理)
    take              dispatched, reopened                        → in_progress  holder (接单)
    return            dispatched, in_progress                     → returned     holder, once each (reason)
    reassign          dispatched, in_progress, extended,
                      whistled, reopened                          → dispatched   dispatcher (转派)
    extend            in_progress                                 → extended     dispatcher (approves; until)
    park              accepted, returned, escalated,
                      in_progress, extended                       → parked       dispatcher (review date)
    unpark            parked                                      → accepted     dispatcher or system
    escalate          reported, accepted, returned, dispatched,
                      in_progress, extended                       → escalated    dispatcher, holder or system
    whistle           accepted, returned, escalated               → whistled     dispatcher (lead unit)
    reply             in_progress, extended, whistled             → replied      holder (the lead unit) or system
                                                                                  (an answer another app gives:
                                                                                  a resolution carried out)
    verify            replied                                     → verified     place staff or dispatcher, not
                                                                                  the one who replied
    rate              verified                                    → closed       reporter or dispatcher (回访)
    rate_unsatisfied  verified                                    → reopened     (``rate``, see below)
    reopen            replied, verified, closed                   → reopened     dispatcher (reason)
    close             verified                                    → closed       dispatcher or system (no rating)

Terminal: closed (until a dispatcher reopens it), rejected, merged.

The notes (``NOTES``): actions that write an event but leave the status as it is (``open`` is every
status but closed, rejected and merged)::

    supervise          open                                        督办           dispatcher (note)
    unsupervise        open                                        取消督办       dispatcher
    comment            open, closed                                备注           staff on the case or system (note)
    request_extension  in_progress                                 申请延期       holder (until, reason)
    deny_extension     in_progress                                 不同意延期     dispatcher (reason)
    task_reply         open                                        协办回复       task unit (task, reply)
    warn               reported, accepted, returned, dispatched,
                       in_progress, extended, escalated, whistled,
                       reopened                                    临期预警       system (75 % of the limit)
    overdue            reported, accepted, returned, dispatched,
                       in_progress, extended, escalated, whistled,
                       reopened                                    超时督办       system (deadline passed where
                                                                                  escalation cannot help)
    schedule           reported, accepted, returned, dispatched,
                       in_progress, extended, escalated, whistled,
                       reopened                                    计算时限       system (the calendar of the
                                                                                  year was entered since)
    categorize         open                                        分类           dispatcher or system (category;
                                                                                  the system's routes a
                                                                                  reported case again)

Approving an extension is ``extend``; a dispatcher may also extend without a request.

Who (each rule is checked against the case's *control code*: the code of the team that owns the
case, ``assigned_area``, or else the case's own place, so that once a case is escalated to the street
the community can no longer dispatch it):

* **dispatcher** — holds ``DISPATCH_CASES`` at an area containing the control code (community,
  street and district staff).
* **local handler** — holds ``HANDLE_CASES`` at an area containing the control code (the grid team,
  or the community, handling a small matter on the spot).
* **place staff** — holds ``HANDLE_CASES`` at an area containing the case's own place (the grid
  worker of the grid where it happened, whoever owns the case now): they check the result on site.
* **holder** — ``assigned_user`` when a Party member personally holds the case (点单-派单-接单), a
  handler of ``assigned_unit`` when a unit holds it, otherwise a user holding ``HANDLE_CASES`` at
  exactly ``assigned_area`` (that grid's, community's or street's own team).
* **task unit** — a handler of a unit with an open assisting task (``WhistleTask``) on the case.
* **staff on the case** — any of dispatcher, local handler, place staff, holder or task unit.
* **reporter** — the resident's account (``reporter_user``), or whoever shows the tracking code.
* **system** — no actor: the deadline sweep (warn, escalate), the review-date sweep (unpark), the
  auto-close of unrated cases (close), and routing's auto-dispatch of a confidently classified new
  case (categorize, accept, dispatch; see ``routing/intake.py``).

Rating: 满意 and 基本满意 close the case. 不满意 reopens it to the same holder — unless the
previous rating was already 不满意, in which case it closes as unsatisfied. ``resolve_action``
turns ``rate`` into ``rate_unsatisfied`` for the first case, so that each action keeps exactly one
target status.

Naming: the glossary's 接单 is ``take`` here, because ``accept`` is 受理 (GB/T 30428): the
dispatcher's acknowledgement that the request is a public matter the platform will handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .models import STATUS_LABELS, Case, Rating

S = Case.Status


class Who(StrEnum):
    DISPATCHER = "dispatcher"
    LOCAL_HANDLER = "local_handler"
    PLACE_STAFF = "place_staff"
    TASK_UNIT = "task_unit"
    HOLDER = "holder"
    REPORTER = "reporter"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    who: frozenset[Who]
    label: str  # the action in Chinese, for messages and the timeline
    public: bool = True  # whether its event is shown on the resident's tracking page by default


def _t(sources: set[str], target: str, who: set[Who], label: str, public: bool = True) -> Transition:
    return Transition(frozenset(sources), target, frozenset(who), label, public)


D, L, P, H, T, R, SYS = (Who.DISPATCHER, Who.LOCAL_HANDLER, Who.PLACE_STAFF, Who.HOLDER, Who.TASK_UNIT,
                         Who.REPORTER, Who.SYSTEM)
STAFF = {D, L, P, H, T}

TRANSITIONS: dict[str, Transition] = {
    "accept": _t({S.REPORTED}, S.ACCEPTED, {D, SYS}, "受理"),
    "reject": _t({S.REPORTED, S.ACCEPTED}, S.REJECTED, {D}, "不予受理"),
    "merge": _t({S.REPORTED, S.ACCEPTED}, S.MERGED, {D}, "合并"),
    "dispatch": _t({S.ACCEPTED, S.RETURNED, S.ESCALATED}, S.DISPATCHED, {D, SYS}, "派单"),
    "start": _t({S.ACCEPTED}, S.IN_PROGRESS, {L}, "就地办理"),
    "take": _t({S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS, {H}, "接单"),
    "return": _t({S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, {H}, "退单", public=False),
    "reassign": _t({S.DISPATCHED, S.IN_PROGRESS, S.EXTENDED, S.WHISTLED, S.REOPENED}, S.DISPATCHED, {D},
                   "转派"),
    "extend": _t({S.IN_PROGRESS}, S.EXTENDED, {D}, "延期"),
    "park": _t({S.ACCEPTED, S.RETURNED, S.ESCALATED, S.IN_PROGRESS, S.EXTENDED}, S.PARKED, {D}, "挂账"),
    "unpark": _t({S.PARKED}, S.ACCEPTED, {D, SYS}, "解除挂账"),
    "escalate": _t({S.REPORTED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.EXTENDED}, S.ESCALATED,
                   {D, H, SYS}, "上提"),
    "whistle": _t({S.ACCEPTED, S.RETURNED, S.ESCALATED}, S.WHISTLED, {D}, "吹哨"),
    "reply": _t({S.IN_PROGRESS, S.EXTENDED, S.WHISTLED}, S.REPLIED, {H, SYS}, "答复"),
    "verify": _t({S.REPLIED}, S.VERIFIED, {P, D}, "核实"),
    "rate": _t({S.VERIFIED}, S.CLOSED, {R, D}, "评价"),
    "rate_unsatisfied": _t({S.VERIFIED}, S.REOPENED, {R, D}, "评价"),
    "reopen": _t({S.REPLIED, S.VERIFIED, S.CLOSED}, S.REOPENED, {D}, "重办"),
    "close": _t({S.VERIFIED}, S.CLOSED, {D, SYS}, "办结"),
}

TERMINAL: frozenset[str] = frozenset({S.REJECTED, S.MERGED})
OPEN: frozenset[str] = frozenset(S.values) - TERMINAL - {S.CLOSED}
# Statuses in which a time limit is running (the sweep warns and escalates only these).
RUNNING: frozenset[str] = frozenset({S.REPORTED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS,
                                     S.EXTENDED, S.ESCALATED, S.WHISTLED, S.REOPENED})

# Notes: an event, no change of status (``target`` is empty: the case stays where it is).
NOTES: dict[str, Transition] = {
    "supervise": _t(set(OPEN), "", {D}, "督办", public=False),
    "unsupervise": _t(set(OPEN), "", {D}, "取消督办", public=False),
    "comment": _t(set(OPEN | {S.CLOSED}), "", STAFF | {SYS}, "备注", public=False),
    "request_extension": _t({S.IN_PROGRESS}, "", {H}, "申请延期", public=False),
    "deny_extension": _t({S.IN_PROGRESS}, "", {D}, "不同意延期", public=False),
    "task_reply": _t(set(OPEN), "", {T}, "协办回复", public=False),
    "warn": _t(set(RUNNING), "", {SYS}, "临期预警", public=False),
    "overdue": _t(set(RUNNING), "", {SYS}, "超时督办", public=False),
    "schedule": _t(set(RUNNING), "", {SYS}, "计算时限", public=False),
    "categorize": _t(set(OPEN), "", {D, SYS}, "分类", public=False),
}
TABLE: dict[str, Transition] = {**TRANSITIONS, **NOTES}

# Actions callers name; ``rate_unsatisfied`` is only ever reached through ``resolve_action``.
ACTIONS: tuple[str, ...] = tuple(a for a in TABLE if a != "rate_unsatisfied")
CREATE_ACTION = "report"  # the first event of every case: "" → reported


def resolve_action(action: str, *, rating: str = "", previous_rating: str = "") -> str:
    """The table entry an action really uses: a first 不满意 rating reopens the case."""
    if action == "rate" and rating == Rating.UNSATISFIED and previous_rating != Rating.UNSATISFIED:
        return "rate_unsatisfied"
    return action


# Preconditions on the case's fields that the status alone does not tell (the effect enforces them;
# pages use them so as not to offer a button that can only fail).
GUARDS = {
    "supervise": lambda case: case.supervised_at is None,
    "unsupervise": lambda case: case.supervised_at is not None,
    "request_extension": lambda case: case.extension_requested_until is None,
    "deny_extension": lambda case: case.extension_requested_until is not None,
    "warn": lambda case: case.deadline is not None and case.warned_at is None,
    "overdue": lambda case: case.deadline is not None and case.overdue_at is None,
    "schedule": lambda case: case.deadline is None,
}


def offered(action: str, case) -> bool:
    """Whether the table and the case's fields allow ``action`` now (before any permission check)."""
    guard = GUARDS.get(action)
    return can_move(action, case.status) and (guard is None or guard(case))


def status_label(status: str) -> str:
    """The status's name, translated now; an unknown value as it is. (``S.values`` built the enum's list
    of values on every call: a page of 50 Open311 requests asks 50 times.)"""
    label = STATUS_LABELS.get(status)
    return status if label is None else str(label)


def target_of(action: str, status: str) -> str:
    """The status ``action`` leads to from ``status`` (a note keeps it)."""
    return TABLE[action].target or status


def action_label(action: str) -> str:
    transition = TABLE.get(action)
    return transition.label if transition else ("上报" if action == CREATE_ACTION else action)


def can_move(action: str, status: str) -> bool:
    transition = TABLE.get(action)
    return transition is not None and status in transition.sources


def is_allowed_step(action: str, from_status: str, to_status: str) -> bool:
    """Whether an event (action, from → to) is one the table allows (the first event included)."""
    if action == CREATE_ACTION:
        return from_status == "" and to_status == S.REPORTED
    transition = TABLE.get(action)
    return (transition is not None and from_status in transition.sources
            and to_status == (transition.target or from_status))


def actions_from(status: str) -> list[str]:
    """The actions the table allows from ``status`` (before any permission check)."""
    return [a for a in ACTIONS if can_move(a, status)]
