"""What other apps hear from 双报到 (Django signals, sent after the write commits):

* ``record_verified(sender=ServiceRecord, record=…)`` — the community confirmed a member's service.

The verification is also the durable row (``ServiceRecord.status``, ``verified_at``); receivers
must be idempotent on the record. A receiver's error is logged and never undoes the write
(``core.events.send``).
"""

from __future__ import annotations

from django.dispatch import Signal

record_verified = Signal()
