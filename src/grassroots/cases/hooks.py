"""Steps other apps add after a new case is received — the duplicate finder looks for the same
request nearby, routing classifies the case and may dispatch it.

An app registers its step in ``AppConfig.ready()``::

    from grassroots.cases.hooks import on_case_received
    on_case_received(my_step, order=20)      # my_step(case, context) -> None

A step whose reading is long (the duplicate finder compares the case with hundreds of others; routing
runs the classifier) can split it off as ``prepare(case) -> value``, which only reads::

    on_case_received(my_step, order=20, prepare=my_reads)   # my_step(case, context, value)

The worker runs every ``prepare`` before it opens the write transaction (``prepare_after_receive``) and
hands the values to ``run_after_receive``: on SQLite, where one transaction writes at a time, the
reading then no longer keeps the residents' submits waiting. A step whose value is missing (the
request mode, or its ``prepare`` failed) has it computed right there, inside the transaction.

Steps run in ``order`` once the case and its ``report`` event are saved, each in a savepoint of its
own, and share one ``context`` dict (an earlier step leaves notes for a later one, e.g.
``context["duplicate_of"]``); a step that changes the case row sets ``context["changed"] = True``
so ``case_receive`` hands its caller the case as it now is. A step that fails is logged and rolled back alone: the resident's case
stays received as it was — a routing fault never loses a request.

Apps that want to hear every step of the loop (a rating, a closing) register a listener::

    from grassroots.cases.hooks import on_case_event
    on_case_event(my_listener)               # my_listener(event, case) -> None

Listeners run after the transition's transaction commits, each on its own; one that fails is logged
and never undoes the step. The event row (``CaseEvent``) is the durable record: a listener that
missed one (a crash between commit and call) catches up from the rows, and must be idempotent.

Apps that keep figures derived from the case row itself (the assessment's daily KPI rollups) register a
writer that runs **inside** the write's transaction, so the figures and the row never disagree::

    from grassroots.cases.hooks import on_case_written
    on_case_written(my_writer)               # my_writer(before, case) -> None

``before`` is ``snapshot(case)`` taken under the row lock before the step (None for a new case) and
``case`` the row as saved. A writer that fails fails the step: nothing of it is written.

A receive that leaves its follow-up to the worker (``core.deferred``) leaves the writers to it too, so a
resident's submit does not wait for them: the case is stored with ``writers_pending``, a step taken
before the worker comes runs no writer, and the worker's ``count_new`` task (asked for by
``after_receive``) calls them with ``before`` None and the row as it is then, and clears the flag, in
one transaction. A writer that rebuilds its figures from the rows leaves out the cases still pending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Step = Callable[..., None]
Prepare = Callable[[Any], Any]
_steps: list[tuple[int, str, Step, Prepare | None]] = []


def on_case_received(step: Step, *, order: int = 100, prepare: Prepare | None = None) -> None:
    """Register ``step``; registering the same function again replaces it (ready() may run twice in tests).
    With ``prepare``, the step is called as ``step(case, context, prepare(case))``."""
    name = f"{step.__module__}.{step.__qualname__}"
    _steps[:] = [s for s in _steps if s[1] != name]
    _steps.append((order, name, step, prepare))
    _steps.sort(key=lambda s: (s[0], s[1]))


def prepare_after_receive(case) -> dict[str, Any]:
    """The steps' reads for ``case``, by step name — to be run before the write transaction opens.
    A ``prepare`` that fails is logged and left out: its step computes the value itself."""
    prepared: dict[str, Any] = {}
    for _order, name, _step, prepare in list(_steps):
        if prepare is None:
            continue
        try:
            prepared[name] = prepare(case)
        except Exception:  # noqa: BLE001 — the step will read for itself
            logger.exception("after-receive reads of %s failed for case %s", name, case.code)
    return prepared


def run_after_receive(case, prepared: dict[str, Any] | None = None) -> dict:
    """Run every registered step for a newly received ``case`` (with the values ``prepare_after_receive``
    gave, where there are some); returns the shared context."""
    context: dict = {}
    prepared = prepared or {}
    for _order, name, step, prepare in list(_steps):
        try:
            with transaction.atomic():
                if prepare is None:
                    step(case, context)
                else:
                    step(case, context, prepared[name] if name in prepared else prepare(case))
        except Exception:  # noqa: BLE001 — a step's fault must not lose the case
            logger.exception("after-receive step %s failed for case %s", name, case.code)
            context.setdefault("failed", []).append(name)
    return context


_listeners: dict[str, Callable[[Any, Any], None]] = {}


def on_case_event(listener: Callable[[Any, Any], None]) -> None:
    """Register ``listener(event, case)``; registering the same function again replaces it."""
    _listeners[f"{listener.__module__}.{listener.__qualname__}"] = listener


def run_after_event(event, case) -> None:
    """Call every listener (after commit: the caller wraps this in ``transaction.on_commit``)."""
    for name, listener in list(_listeners.items()):
        try:
            listener(event, case)
        except Exception:  # noqa: BLE001 — a listener's fault must not break the loop
            logger.exception("case-event listener %s failed for event %s", name, event.pk)


def has_listeners() -> bool:
    return bool(_listeners)


# --- writers inside the transaction -------------------------------------------------------------------

SNAPSHOT_FIELDS = ("status", "area_code", "district_code", "assigned_unit_id", "category_id", "created_at",
                   "responded_at", "replied_at", "rating", "overdue", "deadline", "reopen_count")

_writers: dict[str, Callable[[dict | None, Any], None]] = {}


def on_case_written(writer: Callable[[dict | None, Any], None]) -> None:
    """Register ``writer(before, case)``; registering the same function again replaces it."""
    _writers[f"{writer.__module__}.{writer.__qualname__}"] = writer


def snapshot(case) -> dict | None:
    """The fields writers may compare, as they are now (None when nobody listens)."""
    if not _writers:
        return None
    return {name: getattr(case, name) for name in SNAPSHOT_FIELDS}


def run_case_written(before: dict | None, case) -> None:
    """Call every writer inside the caller's transaction (errors propagate: the step is undone)."""
    for writer in list(_writers.values()):
        writer(before, case)


def has_writers() -> bool:
    return bool(_writers)
