"""Delivery of the outbox by ``grassroots worker`` (task ``notifications.outbox``).

A worker claims a batch with one ``UPDATE … WHERE status='queued' AND next_attempt_at <= now`` that
stamps the rows with its own claim token, so two workers never take the same row (on PostgreSQL the
second UPDATE re-checks the WHERE after the first commits; SQLite has one writer at a time). Every
claim counts as an attempt. Each message is then sent outside any transaction and marked ``sent``,
or ``queued`` again with exponential back-off, or ``failed`` after the last attempt.

A worker that dies between claim and send leaves rows in ``sending``: once their claim is older than
``STALE_AFTER`` another worker takes them again. A ``sent`` row is never taken again. Delivery is at
least once: a crash after the gateway accepted a message but before it was marked sent means one
more send, which the gateway drops by its idempotency key (see senders.WebhookSender).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage
from .senders import Sender, config, get_sender

log = logging.getLogger("grassroots.notifications")
Status = OutboxMessage.Status

BATCH_SIZE = 20
MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=2)


def max_attempts() -> int:
    return int(config("GRASSROOTS_NOTIFY_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failed attempt, at most two hours."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _due(now: datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING,
                                                                  claimed_at__lt=now - STALE_AFTER)


def outbox_claim(*, worker: str, now: datetime | None = None, limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages (and ones a dead worker left in ``sending``) for this worker."""
    now = now or timezone.now()
    ids = list(OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
               .values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    token = f"{worker[:30]}:{uuid.uuid4().hex}"
    OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
        status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    return list(OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING).order_by("pk"))


def outbox_deliver_batch(*, worker: str, now: datetime | None = None, sender: Sender | None = None) -> int:
    """Claim one batch and try to send each message once; how many messages were claimed."""
    clock: Callable[[], datetime] = (lambda: now) if now else timezone.now
    messages = outbox_claim(worker=worker, now=clock())
    if not messages:
        return 0
    try:
        sender = sender or get_sender()
    except Exception as exc:  # a wrong setting: count the attempt, keep the messages for later
        log.exception("notifications: cannot build the sender")
        for message in messages:
            _failed(message, exc, clock)
        return len(messages)
    limit = max_attempts()
    for message in messages:
        _deliver(message, sender, clock, limit)
    return len(messages)


def _mine(message: OutboxMessage):
    return OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token, status=Status.SENDING)


def _deliver(message: OutboxMessage, sender: Sender, clock: Callable[[], datetime], limit: int) -> None:
    if message.attempts > limit:  # taken again after crashes during its last allowed attempt
        _mine(message).update(status=Status.FAILED, claim_token="",
                              last_error=message.last_error or f"发送过程被中断了{limit}次，已停止重试")
        return
    if not _mine(message).update(claimed_at=clock()):  # renew the claim; gone means another worker has it
        return
    try:
        sender.send(message)
    except Exception as exc:
        _failed(message, exc, clock, limit)
        return
    _mine(message).update(status=Status.SENT, sent_at=clock(), claim_token="")


def _failed(message: OutboxMessage, exc: Exception, clock: Callable[[], datetime], limit: int | None = None) -> None:
    limit = max_attempts() if limit is None else limit
    error = f"{type(exc).__name__}: {exc}"[:1000]
    final = message.attempts >= limit
    fields = {"status": Status.FAILED} if final else {
        "status": Status.QUEUED, "next_attempt_at": clock() + backoff(message.attempts)}
    _mine(message).update(last_error=error, claim_token="", **fields)
    log.warning("outbox %s to %s: attempt %s of %s failed: %s", message.key, message.address_masked,
                message.attempts, limit, error)
