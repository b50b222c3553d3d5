"""Work that can wait a second: done by ``grassroots worker`` right after the commit that asked for it.

A request stores what it must (a resident's case and its event) and answers; what can follow — the
notifications, the duplicate finder, routing and automatic dispatch — is a row of ``Deferred``
written **in the same transaction**, which the worker takes up:

    deferred.register("cases.after_receive", handler)      # handler(object_id) in AppConfig.ready
    deferred.enqueue("cases.after_receive", case.pk, district_code=case.district_code)  # inside the write

Guarantees:
* nothing lost — the row commits with the case or not at all; a worker that dies mid-way rolls back
  and the row is there for the next one;
* exactly once — a worker locks up to ten rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL,
  so several workers never wait on each other; SQLite writes one at a time), runs each handler in a
  savepoint and deletes the done rows in the same transaction: the handlers' writes and the rows'
  removal commit together, or — if the worker dies — not at all, and the rows wait for the next;
* a handler may come with ``prepare(object_id) -> value``, which only reads: on SQLite (one writing
  transaction at a time, no row locks) the worker runs it *before* it opens the write transaction and
  calls ``handler(object_id, value)`` inside, so a long read (the duplicate finder, the classifier)
  does not keep every submit waiting; on PostgreSQL it runs inside, after the row is locked. The row
  may be gone by then (another worker did it): the value is dropped;
* a handler that raises is rolled back alone, retried with back-off (5 s, 20 s, 45 s, …) and after
  ``MAX_ATTEMPTS`` kept as ``failed`` with its error for an operator (admin: 待办后台工作);
* ``register(…, last=True)``: the kind's rows run after the other rows of their transaction. For a
  handler that takes a lock every worker needs (the KPI rollups' district lock, held to the commit):
  taken last, it is held for that handler's statements, not for the other handlers of the batch, so
  several workers do not queue behind it.

``settings.GRASSROOTS_AFTER_COMMIT``: ``"worker"`` (the default) or ``"request"`` — the caller does the
work itself, in the request, as before (tests of the steps' behaviour; a machine with no worker).
``inline()`` forces the request mode for a block (the demo loader writes a year of cases at once).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Deferred

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 50  # rows a worker takes per turn before giving the other tasks theirs
CLAIM = 10  # rows per transaction: one claim query and one delete for ten (each still in its own savepoint)

_handlers: dict[str, Callable[..., None]] = {}
_prepares: dict[str, Callable[[int], object]] = {}
_last: set[str] = set()  # kinds run after the others of their transaction
_inline: contextvars.ContextVar[bool] = contextvars.ContextVar("grassroots_deferred_inline", default=False)


def register(kind: str, handler: Callable[..., None], *, prepare: Callable[[int], object] | None = None,
             last: bool = False) -> None:
    """``handler(object_id)``; with ``prepare``, ``handler(object_id, prepare(object_id))``; ``last``: run
    after the other kinds' rows of the same transaction."""
    _handlers[kind] = handler
    if last:
        _last.add(kind)
    else:
        _last.discard(kind)
    if prepare is None:
        _prepares.pop(kind, None)
    else:
        _prepares[kind] = prepare


def deferring() -> bool:
    """Whether work after a commit goes to the worker (else the caller does it in the request)."""
    return getattr(settings, "GRASSROOTS_AFTER_COMMIT", "worker") == "worker" and not _inline.get()


@contextmanager
def inline() -> Iterator[None]:
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def enqueue(kind: str, object_id: int, *, district_code: str = "") -> None:
    """Ask for ``kind`` to be done for ``object_id`` once the caller's transaction commits."""
    if kind not in _handlers:
        raise ValueError(f"no handler registered for {kind!r}")
    Deferred.objects.create(kind=kind, object_id=object_id, district_code=district_code)


def _waiting(now):
    return Deferred.objects.filter(failed=False, available_at__lte=now).order_by("available_at", "id")


def run_some(worker: str, limit: int = CLAIM) -> int:
    """Take up to ``limit`` waiting rows in one transaction, do each in a savepoint of its own, and
    delete the done ones with it; the number taken (0 when none waits, or every waiting row is locked
    by another worker). A worker that dies mid-way rolls all of them back, for the next one."""
    now = timezone.now()
    prepared: dict[int, object] = {}
    locking = connection.features.has_select_for_update_skip_locked
    if not locking:
        # SQLite: a transaction holds the one write lock of the database from its start, so ten rows in
        # one would keep every web process's submit waiting for ten handlers; one row a transaction,
        # and its handler's reads done before it opens
        limit = 1
        ahead = _waiting(now).first()
        if ahead is None:
            return 0
        if ahead.kind in _prepares:
            prepared[ahead.pk] = _prepare(ahead, worker)
    with transaction.atomic():
        rows = _waiting(now)
        if locking:
            rows = rows.select_for_update(skip_locked=True)
        taken = sorted(rows[:limit], key=lambda row: row.kind in _last)  # stable: in order otherwise
        done = []
        for row in taken:
            handler = _handlers.get(row.kind)
            try:
                if handler is None:
                    raise LookupError(f"no handler for {row.kind!r} in this worker")
                with transaction.atomic():
                    if row.kind in _prepares:
                        value = prepared[row.pk] if row.pk in prepared else _prepare(row, worker)
                        handler(row.object_id, value)
                    else:
                        handler(row.object_id)
            except Exception as exc:  # noqa: BLE001 — the handler's writes are rolled back; the row stays
                log.exception("deferred %s#%s failed (attempt %s, worker %s)", row.kind, row.object_id,
                              row.attempts + 1, worker)
                row.attempts += 1
                row.failed = row.attempts >= MAX_ATTEMPTS
                row.available_at = now + timedelta(seconds=5 * row.attempts ** 2)
                row.error = f"{type(exc).__name__}: {exc}"[:2000]
                row.save(update_fields=["attempts", "failed", "available_at", "error"])
            else:
                done.append(row.pk)
                log.info("deferred %s#%s done by %s, %.0f ms after it was asked for", row.kind, row.object_id,
                         worker, (timezone.now() - row.created_at).total_seconds() * 1000)
        if done:
            Deferred.objects.filter(pk__in=done).delete()
    return len(taken)


def _prepare(row: Deferred, worker: str) -> object:
    """The handler's reads for ``row``; ``None`` when they fail (the handler then reads for itself)."""
    try:
        return _prepares[row.kind](row.object_id)
    except Exception:  # noqa: BLE001 — the handler itself still runs, and fails properly if it must
        log.exception("deferred %s#%s: its reads failed (worker %s)", row.kind, row.object_id, worker)
        return None


def run_one(worker: str) -> bool:
    """Do one waiting piece of work; False when there is none."""
    return run_some(worker, 1) > 0


def task(worker: str) -> bool:
    """The worker's task: up to ``BATCH`` rows, ``CLAIM`` per transaction."""
    done = 0
    while done < BATCH:
        taken = run_some(worker)
        if not taken:
            break
        done += taken
    return done > 0


def waiting_count() -> int:
    return Deferred.objects.filter(failed=False).count()
