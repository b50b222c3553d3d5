"""The time-limit sweep: warnings, escalation, supervision, review dates, unrated cases.

``sla_sweep()`` is run by ``grassroots worker`` (task ``cases.sweep``, at most once a minute per
worker) and by ``grassroots case_sweep``. Each step it takes is one ``case_transition`` by the system
(actor None), so it writes exactly one event per change, under the row lock, with its notifications
in the same transaction (cases/notify.py).

Idempotent: every step is guarded by the case's own fields, re-checked under the row lock —
``warned_at`` (the 75 % warning of the current limit), the deadline itself (escalation gives the team
above a fresh limit, so the case is no longer due), ``overdue_at`` (supervision when escalating
cannot help), the status (parked, verified). Running it twice, two workers at once, or again after a
crash half way through sends nothing twice and loses nothing: a case either got its step and its
notifications in one commit, or neither and it is picked up next time.

1. **warn** — a running case that has used 75 % of its limit (working time for working-day limits,
   see docs/worktime.md) and has not been warned for this limit.
2. **escalate** — a case past its deadline whose status allows escalation goes one tier up
   (grid → community → street → district), is marked overdue and gets a fresh limit there.
3. **overdue** — a case past its deadline that escalating cannot help (whistled, reopened, already
   escalated, or at the district) is marked overdue and put under supervision (督办), once per limit.
4. **unpark** — a parked case whose review date has come back to the dispatcher's queue.
5. **close** — a verified case nobody rated within ``GRASSROOTS_UNRATED_CLOSE_DAYS`` (default 7)
   days closes as unrated.
6. whistle tasks past their deadline: their units are reminded once (no change of the case).

First of all, **schedule**: a case received while its year's working calendar was missing has no
deadline (its first event says why); once an administrator has entered the year, it gets one,
counted from when it was received.

Last, **count**: a new case is counted in the figures by a task its follow-up in the worker asks for
(``services.count_new``). One whose follow-up and count are no longer waiting — it failed for good, or a
worker still on older code did it during an upgrade — and that is still not counted ten minutes on
is counted here, so the rankings do not depend on routing or the duplicate check working.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.selectors import users_of_units
from grassroots.core.models import Deferred
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.worktime import calendar
from grassroots.worktime.selectors import limits_load, overrides_load

from .errors import TransitionNotAllowed
from .models import Case, WhistleTask
from .notify import case_link
from .services import AFTER_RECEIVE, COUNT_NEW, case_transition, count_left_behind
from .transitions import RUNNING, TRANSITIONS

log = logging.getLogger(__name__)
WARN_AT = 0.75
SKIPPED = (TransitionNotAllowed, PermissionDenied, ValidationError)
ESCALATABLE = TRANSITIONS["escalate"].sources


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    supervised: int = 0
    unparked: int = 0
    closed: int = 0
    tasks_reminded: int = 0
    scheduled: int = 0
    counted: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return (self.warned + self.escalated + self.supervised + self.unparked + self.closed
                + self.tasks_reminded + self.scheduled + self.counted)

    def as_dict(self) -> dict:
        return {**asdict(self), "changed": self.changed}


def unrated_close_days() -> int:
    return int(getattr(settings, "GRASSROOTS_UNRATED_CLOSE_DAYS", 7))


def _step(result: SweepResult, counter: str, case: Case, action: str, **data) -> None:
    try:
        case_transition(case=case, action=action, actor=None, **data)
    except SKIPPED:  # somebody (or another worker) acted first: the guard re-checked under the lock
        result.skipped += 1
        return
    setattr(result, counter, getattr(result, counter) + 1)


def _schedule(result: SweepResult, now: datetime) -> None:
    """Cases received while their year's calendar was missing get a deadline once it is entered."""
    for case in Case.objects.filter(status__in=RUNNING, deadline__isnull=True).only("pk", "status"):
        try:
            case_transition(case=case, action="schedule", actor=None)
            result.scheduled += 1
        except TransitionNotAllowed as exc:  # the year is still missing: say so, try again next time
            result.problems.append(f"{case.pk}: {exc.message}")


def _warn(result: SweepResult, now: datetime) -> None:
    limits, overrides = limits_load(), overrides_load()
    due = Case.objects.filter(status__in=RUNNING, warned_at__isnull=True, deadline__gt=now,
                              deadline_started_at__isnull=False).only(
        "pk", "status", "urgency", "deadline", "deadline_started_at", "warned_at")
    for case in due.iterator(chunk_size=500):
        limit = limits.get(case.urgency)
        try:
            used = calendar.fraction_elapsed(case.deadline_started_at, case.deadline, now,
                                             unit=limit.unit if limit else calendar.WORKING_DAYS,
                                             overrides=overrides)
        except calendar.CalendarMissing as exc:
            result.problems.append(f"{case.pk}: {exc}")
            continue
        if used >= WARN_AT:
            _step(result, "warned", case, "warn", fraction=used)


def _late(result: SweepResult, now: datetime) -> None:
    late = Case.objects.filter(status__in=RUNNING, deadline__lte=now, overdue_at__isnull=True).only("pk", "status")
    for case in late.iterator(chunk_size=500):
        if case.status in ESCALATABLE:
            try:
                case_transition(case=case, action="escalate", actor=None, deadline_passed=True)
                result.escalated += 1
                continue
            except TransitionNotAllowed:
                pass  # at the district already (or handled meanwhile): record the lateness instead
            except SKIPPED:
                result.skipped += 1
                continue
        _step(result, "supervised", case, "overdue")


def _unpark(result: SweepResult, now: datetime) -> None:
    for case in Case.objects.filter(status=Case.Status.PARKED,
                                    parked_until__lte=timezone.localdate(now)).only("pk"):
        _step(result, "unparked", case, "unpark", note="已到复查日期，自动恢复办理")


def _close_unrated(result: SweepResult, now: datetime) -> None:
    days = unrated_close_days()
    cutoff = now - timedelta(days=days)
    verified = Case.objects.filter(status=Case.Status.VERIFIED).annotate(
        verified_at=Max("events__at", filter=Q(events__action="verify"))).filter(verified_at__lte=cutoff)
    for case in verified.only("pk"):
        _step(result, "closed", case, "close", note=f"核实后{days}天内未评价，系统自动办结（未评价）")


def _remind_tasks(result: SweepResult, now: datetime) -> None:
    due = WhistleTask.objects.filter(status=WhistleTask.Status.OPEN, deadline__lte=now,
                                     overdue_at__isnull=True).select_related("case", "unit")
    for task in due:
        with transaction.atomic():
            if not WhistleTask.objects.filter(pk=task.pk, overdue_at__isnull=True,
                                              status=WhistleTask.Status.OPEN).update(overdue_at=timezone.now()):
                continue  # another worker reminded it
            notify(recipients=users_of_units(Capability.HANDLE_CASES, [task.unit_id]), kind=Kind.WARNING,
                   title=f"吹哨任务已超时：{task.case.title}"[:200],
                   body=f"{task.case.code} · {task.get_role_display()}任务：{task.task[:80]}",
                   link=case_link(task.case), key=f"case:{task.case_id}:task:{task.pk}:overdue", obj=task.case,
                   sms=True)
        result.tasks_reminded += 1


def sla_sweep(*, now: datetime | None = None) -> SweepResult:
    """One pass over every district. ``now`` picks what is due (tests pass a later time); what the
    steps record (warned_at, the new deadline, …) is stamped with the real time."""
    now = now or timezone.now()
    result = SweepResult()
    for part in (_schedule, _warn, _late, _unpark, _close_unrated, _remind_tasks, _count_left_behind):
        part(result, now)
    return result


COUNT_AFTER = timedelta(minutes=10)


def _count_left_behind(result: SweepResult, now: datetime) -> None:
    waiting = Deferred.objects.filter(kind__in=(AFTER_RECEIVE, COUNT_NEW), object_id=OuterRef("pk"), failed=False)
    left = (Case.objects.filter(writers_pending=True, created_at__lt=now - COUNT_AFTER)
            .exclude(Exists(waiting)).order_by().values_list("pk", flat=True)[:1000])
    for pk in left:
        result.counted += count_left_behind(pk)


_last_run: float | None = None


def sweep_task(worker: str) -> bool:
    """The worker's task: a sweep at most every ``GRASSROOTS_SWEEP_SECONDS`` (60) in this process."""
    global _last_run
    interval = float(getattr(settings, "GRASSROOTS_SWEEP_SECONDS", 60))
    if _last_run is not None and time.monotonic() - _last_run < interval:
        return False
    _last_run = time.monotonic()
    result = sla_sweep()
    if result.problems:
        log.warning("sweep by %s: %d case(s) without a computable limit, e.g. %s", worker,
                    len(result.problems), result.problems[0])
    return result.changed > 0
