"""The project's own after-commit queue (core/deferred.py) against two kept libraries that do the same on
PostgreSQL — django-tasks (the backport of Django 6's tasks framework, with its database backend and
``db_worker``) and procrastinate (its Django contrib and ``procrastinate worker``) — in one run, on one
database, with the same jobs (issue 14: the choice between them is made on these figures).

    pip install -e '.[bench]'                                   # the two libraries (not runtime deps)
    .venv/bin/python benchmarks/job_queue_libraries.py          # starts a throw-away PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/job_queue_libraries.py   # a THROW-AWAY database
    options: --jobs N (default 4000)  --processes 1,2,4  --queues own,django-tasks,procrastinate
             --crash-jobs N (default 200; 0 leaves the crash round out)

The settings are ``benchmarks/job_queue_settings.py`` (the product's plus the libraries' apps, so their
migrations create their tables in the throw-away database only); the job is ``benchmarks/job_queue_tasks.py``:
one row written to ``bench_done`` per run, so a job run twice — or never — shows.

For each queue and each number of worker processes (1, 2, 4):

* enqueue: the N jobs are asked for one by one, each in a request-like transaction (one row of its own
  written, then the job enqueued); the same transaction without the enqueue is timed alternately with it,
  and the difference of the medians is the enqueue's cost per job (µs);
* run: that many real worker processes (the queue's own command) take the jobs until none is left; the
  rate over the wall time including the processes' start-up, and the "steady" rate between the first and
  the last row written; the count of jobs whose row is not there exactly once, and of queue rows left
  unfinished.

Once per queue: whether enqueue is transactional (a job enqueued in a transaction that rolls back must
not exist), and a crash round over ``--crash-jobs`` jobs whose handler takes 20 ms before its write: a worker killed
(SIGKILL) mid-job three times, a fresh one started after each, then one drains the queue; the jobs lost
or run twice and the queue rows left stuck are counted. Last line: one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]
DATA_KEY = "benchmark-data-key-0123456789abcdef0123"
QUEUES = ("own", "django-tasks", "procrastinate")

OWN_WORKER = """
import django
django.setup()
from grassroots.core import deferred
import job_queue_tasks
deferred.register("bench.queue", job_queue_tasks.record)
idle = 0
while idle < 3:
    idle = 0 if deferred.task("bench") else idle + 1
"""


def worker_command(queue: str, name: str) -> list[str]:
    if queue == "own":  # what `grassroots worker --only core.deferred` does, until the queue is empty
        return [sys.executable, "-c", OWN_WORKER]
    if queue == "django-tasks":
        return [sys.executable, "-m", "django", "db_worker", "--batch", "--no-reload", "--no-startup-delay",
                "--interval", "0", "--worker-id", name, "-v", "0"]
    return [sys.executable, "-m", "django", "procrastinate", "worker", "--one-shot", "--name", name,
            "--concurrency", "1"]


class Queue:
    """How the benchmark asks each queue for a job, counts its rows and clears it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def enqueue(self, job: int) -> None:
        import job_queue_tasks
        from grassroots.core import deferred

        if self.name == "own":
            deferred.enqueue("bench.queue", job)
        elif self.name == "django-tasks":
            job_queue_tasks.tasks_write.enqueue(job=job)
        else:
            job_queue_tasks.procrastinate_write.defer(job=job)

    def _sql(self, query: str, params: list | None = None) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(query, params or [])
            return cursor.fetchone()[0]

    def count(self, job: int) -> int:
        """Rows of this queue for ``job``, whatever their state."""
        if self.name == "own":
            return self._sql("SELECT count(*) FROM core_deferred WHERE kind = 'bench.queue' AND object_id = %s",
                             [job])
        if self.name == "django-tasks":
            return self._sql("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                             "WHERE (args_kwargs -> 'kwargs' ->> 'job')::bigint = %s", [job])
        return self._sql("SELECT count(*) FROM procrastinate_jobs WHERE (args ->> 'job')::bigint = %s", [job])

    def unfinished(self) -> int:
        """Rows left not done: waiting, running (claimed by a worker that may be dead) or failed."""
        if self.name == "own":
            return self._sql("SELECT count(*) FROM core_deferred")
        if self.name == "django-tasks":
            return self._sql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status <> 'SUCCESSFUL'")
        return self._sql("SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'")

    def clear(self) -> None:
        from django.db import connection

        table = {"own": "core_deferred", "django-tasks": "django_tasks_database_dbtaskresult",
                 "procrastinate": "procrastinate_jobs"}[self.name]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")
            cursor.execute("TRUNCATE bench_done, bench_request")


class Rollback(Exception):
    pass


def enqueue_round(queue: Queue, jobs: int) -> tuple[float, float]:
    """Enqueue ``jobs`` jobs, each in a request-like transaction; the enqueue's own cost per job in µs
    and the whole transaction's with it. The same transaction without the enqueue is timed alternately
    with it, so a change of load falls on both; medians, so another process's burst does not count."""
    from django.db import connection, transaction

    with_job, without = [], []
    for n in range(jobs):
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_request (n) VALUES (%s)", [n])
            queue.enqueue(n)
        t1 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_request (n) VALUES (%s)", [n])
        t2 = time.perf_counter()
        with_job.append(t1 - t0)
        without.append(t2 - t1)
    return ((statistics.median(with_job) - statistics.median(without)) * 1e6,
            statistics.median(with_job) * 1e6)


def transactional(queue: Queue) -> bool:
    """A job enqueued in a transaction that rolls back must not exist afterwards."""
    from django.db import transaction

    marker = 10**9
    try:
        with transaction.atomic():
            queue.enqueue(marker)
            assert queue.count(marker) == 1, "enqueue not visible inside its own transaction"
            raise Rollback
    except Rollback:
        pass
    return queue.count(marker) == 0


def outcome(jobs: int) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT job, count(*) FROM bench_done GROUP BY job")
        counts = dict(cursor.fetchall())
        cursor.execute("SELECT count(*), extract(epoch FROM max(at) - min(at)), extract(epoch FROM min(at)) "
                       "FROM bench_done")
        rows, span, first = cursor.fetchone()
        cursor.execute("SELECT worker, count(*) FROM bench_done GROUP BY worker ORDER BY worker")
        per_worker = dict(cursor.fetchall())
    return {"never": sum(1 for n in range(jobs) if counts.get(n, 0) == 0),
            "twice_or_more": sum(1 for n in range(jobs) if counts.get(n, 0) > 1),
            "rows": rows, "span_s": float(span or 0), "first_at": float(first or 0),
            "per_worker": per_worker}


def start(queue: Queue, env: dict, name: str, sleep_ms: float = 0) -> subprocess.Popen:
    return subprocess.Popen(worker_command(queue.name, name), stdout=subprocess.DEVNULL,
                            env={**env, "BENCH_WORKER": name, "BENCH_SLEEP_MS": str(sleep_ms)})


def run_round(queue: Queue, jobs: int, processes: int, env: dict) -> dict:
    from django.db import connection

    queue.clear()
    enqueue_us, request_us = enqueue_round(queue, jobs)
    connection.close()
    load = os.getloadavg()[0]
    t, started = time.perf_counter(), time.time()
    workers = [start(queue, env, f"w{i}") for i in range(processes)]
    codes = [w.wait(timeout=1800) for w in workers]
    seconds = time.perf_counter() - t
    assert codes == [0] * processes, f"{queue.name}: worker exit codes {codes}"
    got = outcome(jobs)
    steady = (got["rows"] - 1) / got["span_s"] if got["span_s"] else 0.0
    figures = {"per_s": round(jobs / seconds, 1), "steady_per_s": round(steady, 1),
               "not_once": got["never"] + got["twice_or_more"], "unfinished": queue.unfinished(),
               "enqueue_us": round(enqueue_us), "request_with_enqueue_us": round(request_us),
               "first_job_after_s": round(got["first_at"] - started, 2), "load": round(load, 2)}
    print(f"  {queue.name:13} {processes} process(es): {jobs / seconds:6.0f}/s with start-up, "
          f"{steady:6.0f}/s steady (first job {figures['first_job_after_s']} s after the start); not exactly once {figures['not_once']}, unfinished rows "
          f"{figures['unfinished']}; enqueue {enqueue_us:5.0f} µs/job (request with it {request_us:.0f} µs); "
          f"per worker {got['per_worker']}; load {load:.2f}", flush=True)
    return figures


def crash_round(queue: Queue, jobs: int, env: dict, kills: int = 3) -> dict:
    """A worker killed mid-job ``kills`` times (a fresh one started after each), then one drains the
    queue: how many jobs were lost, run twice, or left stuck in the queue's table."""
    from django.db import connection

    queue.clear()
    for n in range(jobs):
        queue.enqueue(n)
    for kill in range(kills):
        done = queue._sql("SELECT count(*) FROM bench_done")
        connection.close()
        victim = start(queue, env, f"victim{kill}", sleep_ms=20)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it once it has done a few jobs (20 ms each)
            time.sleep(0.1)
            if queue._sql("SELECT count(*) FROM bench_done") >= done + 10:
                break
        connection.close()
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    drain = start(queue, env, "drain")
    assert drain.wait(timeout=600) == 0, f"{queue.name}: the draining worker failed"
    got = outcome(jobs)
    figures = {"kills": kills, "lost": got["never"], "twice": got["twice_or_more"],
               "stuck_rows": queue.unfinished()}
    print(f"  {queue.name:13} crash: a worker killed mid-job {kills} times over {jobs} jobs, then a fresh "
          f"worker: jobs never done {figures['lost']}, done twice {figures['twice']}, queue rows left "
          f"unfinished {figures['stuck_rows']}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=4000)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--queues", default=",".join(QUEUES))
    parser.add_argument("--crash-jobs", type=int, default=200)
    args = parser.parse_args()
    processes = [int(p) for p in args.processes.split(",")]
    names = [q for q in args.queues.split(",") if q]
    assert set(names) <= set(QUEUES), names
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        import intake

        print("starting a throw-away PostgreSQL …", flush=True)
        url = intake.start_postgres()
    os.environ.update({"DATABASE_URL": url, "GRASSROOTS_DATA_KEY": os.environ.get("GRASSROOTS_DATA_KEY", DATA_KEY),
                       "DJANGO_SETTINGS_MODULE": "job_queue_settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grassroots.core import deferred

    call_command("migrate", verbosity=0)  # the product's tables and the two libraries' own
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_done (id bigserial PRIMARY KEY, job bigint NOT NULL, "
                       "worker text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_request (id bigserial PRIMARY KEY, n bigint NOT NULL)")
    deferred.register("bench.queue", lambda object_id: None)  # enqueue checks that a handler exists
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}:{ROOT / 'benchmarks'}"}

    figures: dict = {"jobs": args.jobs, "cores": os.cpu_count(), "load_at_start": round(os.getloadavg()[0], 2)}
    print(f"{args.jobs} jobs, {os.cpu_count()} cores, load average {figures['load_at_start']}", flush=True)
    for name in names:
        queue = Queue(name)
        result: dict = {"transactional_enqueue": transactional(queue)}
        print(f"{name}: enqueue rolled back with its transaction: {result['transactional_enqueue']}", flush=True)
        for p in processes:
            result[f"p{p}"] = run_round(queue, args.jobs, p, env)
        if args.crash_jobs:
            result["crash"] = crash_round(queue, args.crash_jobs, env)
        queue.clear()
        figures[name] = result
    figures["load_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
