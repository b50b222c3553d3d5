"""The after-commit queue (core/deferred.py) on PostgreSQL: jobs per second with 1, 2 and 4 worker
processes taking rows at once (``SELECT … FOR UPDATE SKIP LOCKED``), and proof that each job ran once.

    .venv/bin/python benchmarks/job_queue.py                 # starts a throw-away PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/job_queue.py   # a THROW-AWAY database
    options: --jobs N (default 4000)  --work-ms N (the handler's own time, default 0: the queue's overhead alone)

Each process is a real ``python`` with its own connection running ``deferred.task`` until the queue is
empty; the handler writes one audit row per job (so a job run twice shows) and, with ``--work-ms``,
sleeps as long as a real handler would compute. The baseline, in the same run, is one process inserting
and deleting the same rows without any queue (what the table work alone costs). Last line: one JSON
object with the rates, the baseline and the count of jobs run other than exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]
DATA_KEY = "benchmark-data-key-0123456789abcdef0123"

WORKER = """
import sys, time, django
django.setup()
from grassroots.core import deferred
from grassroots.core.models import AuditEntry
work = float(sys.argv[2]) / 1000
def handler(object_id):
    if work:
        time.sleep(work)
    AuditEntry.objects.create(action="bench.queue", object_type="bench", object_id=str(object_id),
                              detail={"worker": sys.argv[1]})
deferred.register("bench.queue", handler)
idle = 0
while idle < 3:
    idle = 0 if deferred.task(sys.argv[1]) else idle + 1
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=4000)
    parser.add_argument("--work-ms", type=float, default=0.0)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        import intake

        print("starting a throw-away PostgreSQL …", flush=True)
        url = intake.start_postgres()
    os.environ.update({"DATABASE_URL": url, "GRASSROOTS_DATA_KEY": DATA_KEY,
                       "DJANGO_SETTINGS_MODULE": "grassroots.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from grassroots.core.models import AuditEntry, Deferred

    call_command("migrate", verbosity=0)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    figures: dict = {"jobs": args.jobs, "work_ms": args.work_ms}

    # baseline: the same rows inserted and deleted one by one in one process, no claiming
    rows = [Deferred(kind="bench.queue", object_id=n) for n in range(args.jobs)]
    Deferred.objects.bulk_create(rows)
    t = time.perf_counter()
    for row in Deferred.objects.order_by("id").iterator():
        with transaction.atomic():
            AuditEntry.objects.create(action="bench.base", object_type="bench", object_id=str(row.object_id))
            Deferred.objects.filter(pk=row.pk).delete()
    figures["baseline_per_s"] = round(args.jobs / (time.perf_counter() - t), 1)
    print(f"baseline (one process, insert the audit row and delete the job, no claim): "
          f"{figures['baseline_per_s']}/s", flush=True)

    for processes in (1, 2, 4):
        AuditEntry.objects.filter(action="bench.queue").delete()
        Deferred.objects.bulk_create([Deferred(kind="bench.queue", object_id=n) for n in range(args.jobs)])
        connection.close()
        t = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, f"w{i}", str(args.work_ms)], env=env)
                   for i in range(processes)]
        codes = [w.wait(timeout=1800) for w in workers]
        seconds = time.perf_counter() - t
        assert codes == [0] * processes, codes
        counts = dict(AuditEntry.objects.filter(action="bench.queue").values_list("object_id")
                      .annotate(n=Count("id")).values_list("object_id", "n"))
        wrong = sum(1 for n in range(args.jobs) if counts.get(str(n), 0) != 1)
        per_worker = dict(AuditEntry.objects.filter(action="bench.queue").values_list("detail__worker")
                          .annotate(n=Count("id")).values_list("detail__worker", "n"))
        figures[f"p{processes}_per_s"] = round(args.jobs / seconds, 1)
        figures[f"p{processes}_not_once"] = wrong
        print(f"{processes} worker process(es): {args.jobs} jobs in {seconds:.1f} s = {args.jobs / seconds:.0f}/s "
              f"(with each process's start-up); jobs not run exactly once: {wrong}; per worker {per_worker}",
              flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
