"""The outbox worker: each message sent once, retried with back-off, given up after N attempts,
taken again after a worker died holding it. The clock is passed in; nothing here waits or times."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots.core import jobs
from grassroots.notifications.models import Kind, OutboxMessage
from grassroots.notifications.outbox import backoff, outbox_claim, outbox_deliver_batch
from grassroots.notifications.services import notify, outbox_enqueue

from .conftest import PHONE, FailingSender, RecordingSender, give_phone

pytestmark = pytest.mark.django_db
MINUTE = timedelta(minutes=1)


@pytest.fixture
def message(tree, worker_a):
    give_phone(worker_a)
    notify(recipients=[worker_a], kind=Kind.WARNING, title="临期预警", body="诉求 #7 已用去75%的时限",
           key="case:7:warning75", sms=True)
    return OutboxMessage.objects.get()


@pytest.fixture
def t0():
    return timezone.now() + MINUTE  # every message in these tests is due by then


def state(message):
    message.refresh_from_db()
    return message.status, message.attempts


def test_the_worker_task_is_registered():
    assert "notifications.outbox" in jobs.tasks()


def test_delivered_once_even_when_the_worker_runs_twice(message, sent):
    call_command("worker", "--once")
    call_command("worker", "--once")
    assert sent == [(f"case:7:warning75:sms:{message.notification.recipient_id}", PHONE,
                     "临期预警：诉求 #7 已用去75%的时限")]
    assert state(message) == ("sent", 1)
    assert message.sent_at is not None and message.claim_token == "" and message.last_error == ""


def test_a_second_worker_gets_nothing_already_claimed(message, t0):
    assert [m.pk for m in outbox_claim(worker="w1", now=t0)] == [message.pk]
    assert outbox_claim(worker="w2", now=t0) == []
    assert outbox_claim(worker="w2", now=t0 + 4 * MINUTE) == []  # w1's claim is still fresh


def test_failure_backs_off_then_gives_up_with_the_last_error(message, t0, settings):
    settings.GRASSROOTS_NOTIFY_MAX_ATTEMPTS = 3
    assert outbox_deliver_batch(worker="w", now=t0, sender=FailingSender()) == 1
    assert state(message) == ("queued", 1)
    assert message.next_attempt_at == t0 + MINUTE and "短信网关超时" in message.last_error
    assert outbox_deliver_batch(worker="w", now=t0 + MINUTE - timedelta(seconds=1), sender=FailingSender()) == 0

    t1 = t0 + MINUTE
    assert outbox_deliver_batch(worker="w", now=t1, sender=FailingSender()) == 1
    assert state(message) == ("queued", 2) and message.next_attempt_at == t1 + 2 * MINUTE

    t2 = t1 + 2 * MINUTE
    assert outbox_deliver_batch(worker="w", now=t2, sender=FailingSender()) == 1
    assert state(message) == ("failed", 3)
    assert message.last_error == "RuntimeError: 短信网关超时"
    assert outbox_deliver_batch(worker="w", now=t2 + timedelta(days=1), sender=RecordingSender()) == 0


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert backoff(30) == timedelta(hours=2)


def test_a_message_left_sending_by_a_dead_worker_is_sent_by_another(message, t0, sent):
    outbox_claim(worker="w1", now=t0)  # w1 dies before sending
    assert outbox_deliver_batch(worker="w2", now=t0 + MINUTE) == 0
    assert outbox_deliver_batch(worker="w2", now=t0 + 6 * MINUTE) == 1
    assert state(message) == ("sent", 2) and len(sent) == 1
    assert outbox_deliver_batch(worker="w3", now=t0 + timedelta(days=1)) == 0
    assert len(sent) == 1


def test_a_worker_whose_claim_was_taken_over_does_not_send(message, t0, sent):
    from grassroots.notifications import outbox

    (stale,) = outbox_claim(worker="w1", now=t0)  # w1 hangs …
    (fresh,) = outbox_claim(worker="w2", now=t0 + 6 * MINUTE)  # … w2 takes the message over
    outbox._deliver(stale, RecordingSender(), lambda: t0 + 7 * MINUTE, limit=5)  # w1 wakes up
    assert sent == []
    outbox._deliver(fresh, RecordingSender(), lambda: t0 + 7 * MINUTE, limit=5)
    assert len(sent) == 1 and state(message) == ("sent", 2)


def test_crashing_on_the_last_attempt_fails_without_sending(message, t0, sent, settings):
    settings.GRASSROOTS_NOTIFY_MAX_ATTEMPTS = 2
    outbox_claim(worker="w1", now=t0)
    outbox_claim(worker="w2", now=t0 + 6 * MINUTE)
    assert outbox_deliver_batch(worker="w3", now=t0 + 12 * MINUTE) == 1
    assert state(message) == ("failed", 3) and sent == []
    assert "中断了2次" in message.last_error


def test_a_misconfigured_sender_keeps_the_messages(message, t0, settings):
    settings.GRASSROOTS_NOTIFY_SENDER = "webhook"
    settings.GRASSROOTS_NOTIFY_WEBHOOK_URL = ""
    assert outbox_deliver_batch(worker="w", now=t0) == 1
    assert state(message) == ("queued", 1) and "GRASSROOTS_NOTIFY_WEBHOOK_URL" in message.last_error


def test_log_sender_logs_only_the_masked_phone(message, caplog):
    with caplog.at_level(logging.INFO, logger="grassroots.notifications"):
        assert outbox_deliver_batch(worker="w") == 1
    assert "139****5678" in caplog.text and "临期预警" in caplog.text
    assert PHONE not in caplog.text
    assert state(message) == ("sent", 1)


def test_batches_take_the_oldest_due_first(tree, t0):
    for i in range(3):
        outbox_enqueue(channel="sms", address=f"1380000000{i}", text=f"第{i}条", key=f"k{i}")
    OutboxMessage.objects.filter(key="k0").update(next_attempt_at=t0 + timedelta(hours=1))
    claimed = outbox_claim(worker="w", now=t0, limit=1)
    assert [m.key for m in claimed] == ["k1"]
    assert [m.key for m in outbox_claim(worker="w", now=t0)] == ["k2"]
