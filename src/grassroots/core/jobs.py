"""Background tasks run by ``grassroots worker``.

An app registers a task in its ``AppConfig.ready``: a function that takes the worker's name, does one
unit of work if there is any (claiming it so no other worker does it too) and returns True, or
returns False when there is nothing to do. Tasks must be safe to run again after a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils import timezone

log = logging.getLogger(__name__)

Task = Callable[[str], bool]
_TASKS: dict[str, Task] = {}
_URGENT: set[str] = set()


def register_task(name: str, task: Task, *, urgent: bool = False) -> None:
    """``urgent``: work a person is waiting for a second later (what follows a resident's submit):
    it gets a turn before every other task's, so a long task (a month's reports) never holds it up."""
    _TASKS[name] = task
    if urgent:
        _URGENT.add(name)
    else:
        _URGENT.discard(name)


_WARMUPS: dict[str, Callable[[], None]] = {}


def register_warmup(name: str, warmup: Callable[[], None]) -> None:
    """Something a worker loads once when it starts (a model, a dictionary), so the first resident's
    case does not wait for it."""
    _WARMUPS[name] = warmup


def warm_up() -> None:
    for name, warmup in list(_WARMUPS.items()):
        try:
            warmup()
        except Exception:  # a worker that cannot warm up still works, a little slower at first
            log.exception("warm-up %s failed", name)


def tasks(only: frozenset[str] | set[str] | None = None) -> dict[str, Task]:
    """The registered tasks, or those of them named in ``only`` (``grassroots worker --only``)."""
    return {name: task for name, task in _TASKS.items() if only is None or name in only}


def _turn(name: str, task: Task, worker: str) -> bool:
    try:
        return bool(task(worker))
    except Exception:  # one failing task must not stop the others
        log.exception("task %s failed", name)
        return False


def run_urgent(worker: str, only: set[str] | None = None) -> int:
    """Give every urgent task one turn; the number that did some work."""
    return sum(_turn(name, task, worker) for name, task in tasks(only).items() if name in _URGENT)


def run_once(worker: str, only: set[str] | None = None) -> int:
    """Give every task one turn, the urgent ones before each of the others; the number of turns that
    did some work. ``only``: the names this worker runs (all when None)."""
    done = 0
    for name, task in tasks(only).items():
        if name in _URGENT:
            continue
        done += run_urgent(worker, only)
        done += _turn(name, task, worker)
    return done + run_urgent(worker, only)


def claim_next(queryset_of, *, worker: str, stale_after, order_by: tuple[str, ...], max_attempts: int,
               give_up: Callable[[int, str, int], None], queued: str, running: tuple[str, ...],
               claimed: str, **also):
    """Claim the oldest waiting job of a jobs table (or one whose worker died), or None.

    ``queryset_of`` is the model's manager. A job is waiting when its status is ``queued``, or one
    of ``running`` with a heartbeat older than ``stale_after``. The claim is a compare-and-swap on
    (status, attempts), so two workers never take the same job; a job tried ``max_attempts`` times
    is handed to ``give_up(pk, status, attempts)`` instead. The claimed row gets status ``claimed``,
    one more attempt, the worker's name, a fresh heartbeat and start, and ``also``.
    """
    now = timezone.now()
    waiting = queryset_of.filter(status=queued) | queryset_of.filter(
        status__in=running, heartbeat_at__lt=now - stale_after)
    for pk, status, attempts in waiting.order_by(*order_by).values_list("pk", "status", "attempts")[:20]:
        if attempts >= max_attempts:
            give_up(pk, status, attempts)
            continue
        taken = queryset_of.filter(pk=pk, status=status, attempts=attempts).update(
            status=claimed, attempts=attempts + 1, claimed_by=worker[:100], heartbeat_at=now, started_at=now,
            processed_rows=0, **also)
        if taken:
            return queryset_of.get(pk=pk)
    return None
