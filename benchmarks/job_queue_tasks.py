"""The one job of ``benchmarks/job_queue_libraries.py``, as each queue spells it: write one row of
``bench_done`` (so a job run twice, or never, shows), after sleeping ``BENCH_SLEEP_MS`` (0 unless the
crash round asks for time to kill a worker mid-job). Imported with ``job_queue_settings`` only."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task
from procrastinate.contrib.django import app

SLEEP = float(os.environ.get("BENCH_SLEEP_MS", "0")) / 1000


def record(job: int) -> None:
    if SLEEP:  # the work a real handler does before it writes its result
        time.sleep(SLEEP)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_done (job, worker) VALUES (%s, %s)",
                       [job, os.environ.get("BENCH_WORKER", "")])


@task()
def tasks_write(job: int) -> None:
    """django-tasks (DatabaseBackend, db_worker)."""
    record(job)


@app.task(name="bench_write")
def procrastinate_write(job: int) -> None:
    """procrastinate (Django contrib, ``procrastinate worker``)."""
    record(job)
