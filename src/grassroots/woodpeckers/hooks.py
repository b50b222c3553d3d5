"""What other apps hear from woodpeckers: a grid worker's judgement of a quick report.

    from grassroots.woodpeckers.hooks import on_judged
    on_judged(my_listener)          # my_listener(report) after the judgement commits

The judgement is also the durable row (``QuickReport.status``, ``decided_at``), so a listener that
missed it (a crash between commit and call) can catch up by reading the rows; a listener must be
idempotent on the report (points, for one, pays once per report).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
_listeners: dict[str, Callable] = {}


def on_judged(listener: Callable) -> None:
    _listeners[f"{listener.__module__}.{listener.__qualname__}"] = listener


def judged(report) -> None:
    for name, listener in list(_listeners.items()):
        try:
            listener(report)
        except Exception:  # noqa: BLE001 — one listener's fault must not undo the judgement
            log.exception("listener %s failed for quick report %s", name, report.pk)
