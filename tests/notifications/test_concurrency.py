"""Four workers deliver one outbox at the same moment: every message is sent exactly once.

PostgreSQL only: there the claim's UPDATE … WHERE status='queued' really races between connections
(SQLite lets one writer in at a time, which test_outbox.py covers sequentially).
"""

import threading

import pytest
from django.db import connection

from grassroots.notifications.models import OutboxMessage
from grassroots.notifications.outbox import outbox_deliver_batch
from grassroots.notifications.services import outbox_enqueue

WORKERS = 4
MESSAGES = 120

pytestmark = [
    pytest.mark.postgresql,  # needs concurrent writers (PostgreSQL)
    # serialized_rollback: the seeded taxonomy, tier rules and time limits are restored after each
    # test's flush, so the next test routes and times cases like a real installation.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Recorder:
    def __init__(self):
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def send(self, message) -> None:
        with self.lock:
            self.keys.append(message.key)


def test_workers_racing_send_each_message_once():
    for i in range(MESSAGES):
        outbox_enqueue(channel="sms", address=f"138{i:08d}", text=f"消息{i}", key=f"race:{i}")
    recorder, errors = Recorder(), []
    barrier = threading.Barrier(WORKERS)

    def work(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            while outbox_deliver_batch(worker=f"w{n}", sender=recorder):
                pass
        except Exception as exc:  # shown by the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(recorder.keys) == sorted(f"race:{i}" for i in range(MESSAGES))
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == MESSAGES
