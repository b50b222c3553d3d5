"""Sending a Django signal after a write commits, so that no receiver can undo or break the write:
each receiver runs (``send_robust``) and a failing one is logged.

    transaction.on_commit(lambda: events.send(signals.record_verified, ServiceRecord, record=row))

Apps that tell others what happened define their signals in ``<app>/signals.py`` and say there what
durable row backs each one (a receiver that missed a signal catches up from the rows).
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)


def send(signal: Signal, sender, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            log.error("receiver %r of %s failed: %s", receiver, getattr(sender, "__name__", sender), result,
                      exc_info=result)
