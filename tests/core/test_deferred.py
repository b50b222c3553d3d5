"""Work after a commit, done by the worker (core/deferred.py): asked for in the writer's transaction,
done once, retried with back-off when it fails, never half-done; four worker processes over three
thousand rows on PostgreSQL do each exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from grassroots.core import deferred, jobs
from grassroots.core.models import AuditEntry, Deferred

pytestmark = pytest.mark.django_db
KIND = "test.touch"
calls: list[int] = []


def touch(object_id: int) -> None:
    """A handler whose every run leaves a row (so a second run would show)."""
    calls.append(object_id)
    AuditEntry.objects.create(action=KIND, object_type="test", object_id=str(object_id))
    if object_id < 0:
        raise RuntimeError("the handler broke after writing")


@pytest.fixture(autouse=True)
def _handler():
    deferred.register(KIND, touch)
    calls.clear()


def test_asked_for_inside_the_transaction_and_lost_with_it():
    with transaction.atomic():
        deferred.enqueue(KIND, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        deferred.enqueue(KIND, 2)
        raise RuntimeError("the writer's transaction fails: its work is not asked for either")
    assert list(Deferred.objects.values_list("object_id", flat=True)) == [1]
    with pytest.raises(ValueError):
        deferred.enqueue("nobody.handles.this", 3)


def test_done_once_in_order_then_nothing_is_left():
    for n in (1, 2, 3):
        deferred.enqueue(KIND, n)
    assert deferred.task("w1") is True
    assert calls == [1, 2, 3] and not Deferred.objects.exists()
    assert deferred.task("w1") is False
    assert sorted(AuditEntry.objects.filter(action=KIND).values_list("object_id", flat=True)) == ["1", "2", "3"]


@pytest.mark.skipif("not connection.features.has_select_for_update_skip_locked",
                    reason="SQLite takes one row a transaction: there is no batch to order")
def test_a_kind_registered_last_runs_after_the_others_of_its_batch():
    # The KPI count takes a district lock to the commit: run last, the other handlers do not hold it.
    deferred.register("test.last", lambda object_id: calls.append(-object_id), last=True)
    deferred.enqueue("test.last", 1)
    for n in (2, 3):
        deferred.enqueue(KIND, n)
    deferred.enqueue("test.last", 4)
    assert deferred.run_some("w1") == 4
    assert calls == [2, 3, -1, -4]  # in order within each group


def test_a_failure_rolls_back_its_writes_and_is_tried_again_later_then_kept_for_the_operator():
    deferred.enqueue(KIND, -7)
    deferred.enqueue(KIND, 8)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        deferred.task("w1")
        assert calls == [-7, 8]
        row = Deferred.objects.get()
        assert (row.object_id, row.attempts, row.failed) == (-7, 1, False)
        assert "RuntimeError: the handler broke after writing" in row.error
        assert not AuditEntry.objects.filter(action=KIND, object_id="-7").exists()  # its write undone
        assert deferred.task("w1") is False  # not before its back-off (5 s)
        for attempt in range(2, deferred.MAX_ATTEMPTS + 1):
            clock.shift(timedelta(seconds=5 * attempt ** 2 + 1))
            assert deferred.task("w1") is True
        row.refresh_from_db()
        assert row.attempts == deferred.MAX_ATTEMPTS and row.failed
        clock.shift(timedelta(days=1))
        assert deferred.task("w1") is False  # given up: kept, not retried
    assert deferred.waiting_count() == 0


def test_the_request_mode_and_inline_say_no_deferring(settings):
    settings.GRASSROOTS_AFTER_COMMIT = "worker"
    assert deferred.deferring()
    with deferred.inline():
        assert not deferred.deferring()
    assert deferred.deferring()
    settings.GRASSROOTS_AFTER_COMMIT = "request"
    assert not deferred.deferring()


WORKER = """
import sys, django
django.setup()
from grassroots.core import deferred, jobs
from grassroots.core.models import AuditEntry
def touch(object_id):
    AuditEntry.objects.create(action="test.touch", object_type="test", object_id=str(object_id),
                              detail={"worker": sys.argv[1]})
deferred.register("test.touch", touch)
idle = 0
while idle < 3:
    idle = 0 if deferred.task(sys.argv[1]) else idle + 1
"""


@pytest.mark.postgresql
# serialized_rollback: the flush after a transactional test empties the seeded tables and makes the
# content types anew under other ids; without it, the next test that restores a serialized copy fails
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_worker_processes_do_each_of_three_thousand_exactly_once():
    """SELECT … FOR UPDATE SKIP LOCKED: four processes take rows from one queue at once; every row is
    done by exactly one of them, and all four did some."""
    Deferred.objects.bulk_create([Deferred(kind=KIND, object_id=n) for n in range(3000)])
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
           f"{settings_dict['PORT']}/{settings_dict['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "grassroots.settings",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, f"w{i}"], env=env) for i in range(4)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0, 0, 0]
    done = list(AuditEntry.objects.filter(action=KIND).values_list("object_id", "detail__worker"))
    assert sorted(int(n) for n, _ in done) == list(range(3000))  # each once: none missed, none twice
    assert {w for _, w in done} == {"w0", "w1", "w2", "w3"}
    assert not Deferred.objects.exists()


def test_urgent_work_gets_a_turn_before_every_other_task(monkeypatch):
    """A month's reports take a second per turn; what follows a submit must not wait for all of them."""
    from grassroots.core import jobs

    order: list[str] = []
    monkeypatch.setattr(jobs, "_TASKS", {})
    monkeypatch.setattr(jobs, "_URGENT", set())
    jobs.register_task("slow.a", lambda w: order.append("a") or True)
    jobs.register_task("slow.b", lambda w: order.append("b") or True)
    jobs.register_task("urgent", lambda w: order.append("u") or False, urgent=True)
    assert jobs.run_once("w") == 2
    assert order == ["u", "a", "u", "b", "u"]


def test_a_worker_kept_for_some_tasks_refuses_a_name_it_does_not_know():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="没有这些任务"):
        call_command("worker", "--once", "--only", "core.deferred,no.such.task")
    deferred.enqueue(KIND, 5)
    call_command("worker", "--once", "--only", "core.deferred")
    assert calls == [5]
    # a worker kept for some tasks leaves the others registered for every later caller in the process
    assert "core.deferred" in jobs.tasks() and len(jobs.tasks()) > 1


def test_a_worker_can_leave_the_submits_follow_up_to_another():
    from django.core.management import CommandError, call_command

    deferred.enqueue(KIND, 6)
    call_command("worker", "--once", "--skip", "core.deferred")
    assert calls == [] and Deferred.objects.count() == 1  # left for the worker kept for it
    with pytest.raises(CommandError, match="只能选用一个"):
        call_command("worker", "--once", "--only", "core.deferred", "--skip", "cases.sweep")
    with pytest.raises(CommandError, match="没有这些任务"):
        call_command("worker", "--once", "--skip", "no.such.task")


def test_only_runs_the_named_tasks(monkeypatch):
    ran = []
    monkeypatch.setattr(jobs, "_TASKS", {"a": lambda w: ran.append("a") or False,
                                         "b": lambda w: ran.append("b") or False})
    jobs.run_once("w", {"b"})
    assert ran == ["b"]
    assert set(jobs.tasks()) == {"a", "b"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_handlers_reads_run_before_its_write_transaction_on_sqlite():
    """SQLite writes one transaction at a time: the worker does a handler's reads before it opens it
    (PostgreSQL locks the row first and reads inside)."""
    seen = []

    def reads(object_id):
        seen.append(("reads", object_id, connection.in_atomic_block))
        return object_id * 10

    def handler(object_id, value):
        seen.append(("handler", object_id, value))
        AuditEntry.objects.create(action="test.prepared", object_type="test", object_id=str(value))

    deferred.register("test.prepared", handler, prepare=reads)
    with transaction.atomic():
        deferred.enqueue("test.prepared", 7)
    assert deferred.run_some("w") == 1
    outside = connection.vendor == "sqlite"
    assert seen == [("reads", 7, not outside), ("handler", 7, 70)]
    assert AuditEntry.objects.filter(action="test.prepared", object_id="70").count() == 1
    assert not Deferred.objects.filter(kind="test.prepared").exists()
