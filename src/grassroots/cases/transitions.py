"""The case state machine: which action moves a case from which statuses to which, and who may act.

Pure data and pure functions (no database): ``services.case_transition`` enforces them under a
row lock, and the tests check every event ever written against them.

States (``Case.Status``)::

    reported → accepted → dispatched → in_progress → replied → verified → closed
    plus returned, extended, parked, escalated, whistled, reopened, rejected, merged

The table (action: from statuses → to status; who may do it)::

    accept            reported                                    → accepted     dispatcher
    reject            reported, accepted                          → rejected     dispatcher (reason)
    merge             reported, accepted                          → merged       dispatcher (into)
    dispatch          accepted, returned, escalated               → dispatched   dispatcher (unit or team)
    start             accepted                                    → in_progress  local handler (就地办理)
    take              dispatched, reopened                        → in_progress  holder (接单)
    return            dispatched, in_progress                     → returned     holder, once each (reason)
    reassign          dispatched, in_progress, extended,
                      whistled, reopened                          → dispatched   dispatcher (转派)
    extend            in_progress                                 → extended     dispatcher (approves; until)
    park              accepted, returned, escalated,
                      in_progress, extended                       → parked       dispatcher (review date)
    unpark            parked                                      → accepted     dispatcher or system
    escalate          accepted, returned, dispatched,
                      in_progress, extended                       → escalated    dispatcher, holder or system
    whistle           accepted, returned, escalated               → whistled     dispatcher (lead unit)
    reply             in_progress, extended, whistled             → replied      holder (the lead unit)
    verify            replied                                     → verified     place staff or dispatcher, not
                                                                                  the one who replied
    rate              verified                                    → closed       reporter or dispatcher (回访)
    rate_unsatisfied  verified                                    → reopened     (``rate``, see below)
    reopen            replied, verified, closed                   → reopened     dispatcher (reason)
    close             verified                                    → closed       dispatcher or system (no rating)

Terminal: closed (until a dispatcher reopens it), rejected, merged.

Who (each rule is checked against the case's *control code*: the code of the team that owns the
case, ``assigned_area``, or else the case's own place, so that once a case is escalated to the street
the community can no longer dispatch it):

* **dispatcher** — holds ``DISPATCH_CASES`` at an area containing the control code (community,
  street and district staff).
* **local handler** — holds ``HANDLE_CASES`` at an area containing the control code (the grid team,
  or the community, handling a small matter on the spot).
* **place staff** — holds ``HANDLE_CASES`` at an area containing the case's own place (the grid
  worker of the grid where it happened, whoever owns the case now): they check the result on site.
* **holder** — a handler of ``assigned_unit`` when a unit holds the case, otherwise a user holding
  ``HANDLE_CASES`` at exactly ``assigned_area`` (that grid's, community's or street's own team).
* **reporter** — the resident's account (``reporter_user``), or whoever shows the tracking code.
* **system** — no actor: the deadline sweep (escalate), the review-date sweep (unpark), the
  auto-close of unrated cases (close).

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

from .models import Case, Rating

S = Case.Status


class Who(StrEnum):
    DISPATCHER = "dispatcher"
    LOCAL_HANDLER = "local_handler"
    PLACE_STAFF = "place_staff"
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


D, L, P, H, R, SYS = (Who.DISPATCHER, Who.LOCAL_HANDLER, Who.PLACE_STAFF, Who.HOLDER, Who.REPORTER,
                      Who.SYSTEM)

TRANSITIONS: dict[str, Transition] = {
    "accept": _t({S.REPORTED}, S.ACCEPTED, {D}, "受理"),
    "reject": _t({S.REPORTED, S.ACCEPTED}, S.REJECTED, {D}, "不予受理"),
    "merge": _t({S.REPORTED, S.ACCEPTED}, S.MERGED, {D}, "合并"),
    "dispatch": _t({S.ACCEPTED, S.RETURNED, S.ESCALATED}, S.DISPATCHED, {D}, "派单"),
    "start": _t({S.ACCEPTED}, S.IN_PROGRESS, {L}, "就地办理"),
    "take": _t({S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS, {H}, "接单"),
    "return": _t({S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, {H}, "退单", public=False),
    "reassign": _t({S.DISPATCHED, S.IN_PROGRESS, S.EXTENDED, S.WHISTLED, S.REOPENED}, S.DISPATCHED, {D},
                   "转派"),
    "extend": _t({S.IN_PROGRESS}, S.EXTENDED, {D}, "延期"),
    "park": _t({S.ACCEPTED, S.RETURNED, S.ESCALATED, S.IN_PROGRESS, S.EXTENDED}, S.PARKED, {D}, "挂账"),
    "unpark": _t({S.PARKED}, S.ACCEPTED, {D, SYS}, "解除挂账"),
    "escalate": _t({S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.EXTENDED}, S.ESCALATED,
                   {D, H, SYS}, "上提"),
    "whistle": _t({S.ACCEPTED, S.RETURNED, S.ESCALATED}, S.WHISTLED, {D}, "吹哨"),
    "reply": _t({S.IN_PROGRESS, S.EXTENDED, S.WHISTLED}, S.REPLIED, {H}, "答复"),
    "verify": _t({S.REPLIED}, S.VERIFIED, {P, D}, "核实"),
    "rate": _t({S.VERIFIED}, S.CLOSED, {R, D}, "评价"),
    "rate_unsatisfied": _t({S.VERIFIED}, S.REOPENED, {R, D}, "评价"),
    "reopen": _t({S.REPLIED, S.VERIFIED, S.CLOSED}, S.REOPENED, {D}, "重办"),
    "close": _t({S.VERIFIED}, S.CLOSED, {D, SYS}, "办结"),
}

# Actions callers name; ``rate_unsatisfied`` is only ever reached through ``resolve_action``.
ACTIONS: tuple[str, ...] = tuple(a for a in TRANSITIONS if a != "rate_unsatisfied")
TERMINAL: frozenset[str] = frozenset({S.REJECTED, S.MERGED})
CREATE_ACTION = "report"  # the first event of every case: "" → reported


def resolve_action(action: str, *, rating: str = "", previous_rating: str = "") -> str:
    """The table entry an action really uses: a first 不满意 rating reopens the case."""
    if action == "rate" and rating == Rating.UNSATISFIED and previous_rating != Rating.UNSATISFIED:
        return "rate_unsatisfied"
    return action


def status_label(status: str) -> str:
    if status in S.values:
        return str(S(status).label)
    return status


def action_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    return transition.label if transition else ("上报" if action == CREATE_ACTION else action)


def can_move(action: str, status: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources


def is_allowed_step(action: str, from_status: str, to_status: str) -> bool:
    """Whether an event (action, from → to) is one the table allows (the first event included)."""
    if action == CREATE_ACTION:
        return from_status == "" and to_status == S.REPORTED
    transition = TRANSITIONS.get(action)
    return transition is not None and from_status in transition.sources and to_status == transition.target


def actions_from(status: str) -> list[str]:
    """The actions the table allows from ``status`` (before any permission check)."""
    return [a for a in ACTIONS if can_move(a, status)]
