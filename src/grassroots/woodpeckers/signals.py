"""What other apps hear from woodpeckers (Django signals, sent after the write commits):

* ``report_judged(sender=QuickReport, report=…)`` — a grid worker said whether a quick report was valid.

The judgement is also the durable row (``QuickReport.status``, ``decided_at``): a receiver that
missed the signal (a crash between commit and send) catches up by reading the rows, and must be
idempotent on the report (points pay once per report). A receiver's exception is logged and does
not undo the judgement (``send_robust``).
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)
report_judged = Signal()


def send(signal: Signal, sender, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            log.error("receiver %r of %s failed: %s", receiver, sender.__name__, result, exc_info=result)
