"""Sustained Open311 intake: which steady rate of submits one machine both answers and follows up.

``http_load.py`` measures bursts: for 15 s its clients send creates as fast as the server answers, and the
worker (at ``nice 10``, as deploy/ runs it) catches up afterwards. This script asks the other question an
operations engineer has: at a steady rate, for minutes, does the work after each answer (notifications,
duplicate check, routing and automatic dispatch: ``core.deferred``) keep up, or does it fall behind?

For each rate of ``--rates`` (creates a second), for ``--seconds``:

1. the same database and servers as ``http_load.py`` (``http_load.prepare``: built or reused in
   ``--home``, SQLite or ``--postgresql``; gunicorn with 2 workers and ``--workers`` (1 by default)
   ``grassroots worker --only core.deferred`` at ``--worker-nice``, 10 by default);
2. open-loop load: a create is due every 1/rate s, whether or not the earlier ones were answered, sent by
   up to ``--threads`` client threads; a create's time counts from when it was due, so a server that falls
   behind shows it in the answer times;
3. every second, the deferred rows still waiting; then how long the worker takes to do what is left;
4. from the worker's log (``GRASSROOTS_LOG_LEVEL=INFO``: it logs each row "N ms after it was asked
   for"), the delay from each submit's commit to its follow-up done: p50, p95, max;
5. the rate's creates are then rejected as test data (``http_load.work_off_creates``), so each rate starts
   from the database as built.

A rate is **kept up** when the rows waiting at the end are at most two seconds of submits and the
follow-up's p95 is at most 2 s (issue 14's aim for submit to automatic dispatch). Ends with one JSON line.

    .venv/bin/python benchmarks/sustained.py --postgresql --reuse --home /tmp/hlpg1m --cases 1000000
    .venv/bin/python benchmarks/sustained.py --reuse --home /tmp/hlsq100k --rates 20,40,60
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load  # noqa: E402 — the benchmark beside this one: its database, servers and client

DONE_LINE = re.compile(r"deferred cases\.after_receive#\d+ done by \S+, (\d+) ms after it was asked for")


def run_rate(servers: http_load.Servers, rate: float, seconds: float, threads: int, creates: list) -> dict:
    """``rate`` creates a second for ``seconds``, open loop; the answers, the backlog, the follow-up."""
    from django.db import connection

    from grassroots.core.models import Deferred

    port = servers.port
    times: list[float] = []
    errors: list[str] = []  # the first few, to show
    failed = [0]
    lock = threading.Lock()

    def send(due: float) -> None:
        method, path, body, headers = http_load.create_request(creates.pop())
        try:
            status, data, _ = http_load.request(port, method, path, body=body, headers=headers)
        except OSError as exc:
            status, data = 0, repr(exc).encode()
        with lock:
            times.append((time.perf_counter() - due) * 1000)
            if status != 201:
                failed[0] += 1
                if len(errors) < 3:
                    errors.append(f"{status}: {data[:300].decode('utf-8', 'replace')}")

    backlog: list[int] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(1.0):
            backlog.append(Deferred.objects.filter(failed=False).count())
        connection.close()

    log_at = servers.worker_log.stat().st_size
    web0, worker0 = servers.cpu()
    sampler = threading.Thread(target=sample)
    sampler.start()
    n = int(rate * seconds)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for i in range(n):
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, due)
    elapsed = time.perf_counter() - start
    web1, worker1 = servers.cpu()
    sampling.set()
    sampler.join()
    waiting = Deferred.objects.filter(failed=False).count()
    drain_s, left = http_load.worker_drains(waiting, worker=True)
    connection.close()
    time.sleep(1)  # the worker's last lines reach its log
    with open(servers.worker_log, encoding="utf-8", errors="replace") as log:
        log.seek(log_at)
        delays = [int(m[1]) / 1000 for m in DONE_LINE.finditer(log.read())]
    out = {
        "rate": rate, "seconds": seconds, "sent": n, "answered_per_s": round(len(times) / elapsed, 1),
        "p50_ms": round(http_load.pct(times, 0.5), 1), "p95_ms": round(http_load.pct(times, 0.95), 1),
        "errors": failed[0], "backlog_max": max(backlog, default=waiting), "backlog_end": waiting,
        "drain_s": round(drain_s, 1) if waiting else 0.0, "left": left, "followups": len(delays),
        "followup_p50_s": round(http_load.pct(delays, 0.5) or 0, 2),
        "followup_p95_s": round(http_load.pct(delays, 0.95) or 0, 2),
        "followup_max_s": round(max(delays, default=0), 2),
        "cores_web": round((web1 - web0) / elapsed, 2), "cores_worker": round((worker1 - worker0) / elapsed, 2),
    }
    out["kept_up"] = bool(not failed[0] and waiting <= 2 * rate and out["followup_p95_s"] <= 2.0)
    print(f"{rate:6.1f}/s for {seconds:.0f} s: answered {out['answered_per_s']}/s, p50 {out['p50_ms']} ms, "
          f"p95 {out['p95_ms']} ms, errors {out['errors']}; waiting rows max {out['backlog_max']}, at the end "
          f"{waiting} (done {out['drain_s']} s later); follow-up after the submit p50 {out['followup_p50_s']} s, "
          f"p95 {out['followup_p95_s']} s, max {out['followup_max_s']} s ({len(delays)} of {n}); cores "
          f"gunicorn {out['cores_web']}, worker {out['cores_worker']} -> "
          f"{'kept up' if out['kept_up'] else 'fell behind'}", flush=True)
    for error in errors:
        print(f"    error: {error}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="20,35,50", help="creates a second, one phase each (default 20,35,50)")
    parser.add_argument("--seconds", type=float, default=60, help="seconds of each phase (default 60)")
    parser.add_argument("--threads", type=int, default=8, help="client threads sending the due creates")
    parser.add_argument("--workers", type=int, default=1,
                        help="deferred workers (default 1, as http_load.py; deploy/ runs three that all take it first)")
    http_load.add_world_arguments(parser)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    run = http_load.prepare(args)
    from django.db import connection

    from grassroots.cases.models import Case
    from grassroots.core.models import Deferred

    cases = Case.objects.count()
    creates = http_load.open311_payloads(int(sum(rates) * args.seconds) + 100, run.key, seed=int(time.time()))
    db = connection.vendor
    connection.close()
    servers = http_load.Servers(run.home, run.env, worker_nice=args.worker_nice,
                                worker_env={"GRASSROOTS_LOG_LEVEL": "INFO"}, workers=args.workers)
    servers.start()
    t = time.perf_counter()
    while len(re.findall(r": ready\s*$", servers.worker_log.read_text(errors="replace"), re.M)) < args.workers:
        if time.perf_counter() - t > 300:  # its warm-up loads the routing model and the word counts first
            sys.exit("the worker did not say it was ready within 300 s:\n" + servers.worker_log.read_text()[-2000:])
        time.sleep(0.5)
    print(f"gunicorn (2 workers) on 127.0.0.1:{servers.port}, {args.workers} worker(s) for core.deferred at nice "
          f"{args.worker_nice}; {cases:,} cases ({db}); {args.threads} client threads", flush=True)
    for _ in range(12):  # warm: each gunicorn worker's gazetteer, resolver and first connection
        method, path, body, headers = http_load.create_request(creates.pop())
        http_load.request(servers.port, method, path, body=body, headers=headers)
    http_load.worker_drains(Deferred.objects.filter(failed=False).count(), worker=True)
    connection.close()
    results = []
    try:
        for rate in rates:
            results.append(run_rate(servers, rate, args.seconds, args.threads, creates))
            done, took = http_load.work_off_creates(run.district, run.admin, run.closer)
            http_load.worker_drains(Deferred.objects.filter(failed=False).count(), worker=True)
            connection.close()
            print(f"    the phase's {done} creates rejected as test data ({took:.0f} s)", flush=True)
    finally:
        servers.stop()
    kept = [r["rate"] for r in results if r["kept_up"]]
    print(f"kept up with: {', '.join(f'{r:g}/s' for r in kept) or 'none of the rates'}; load average {http_load.loadavg()}",
          flush=True)
    print(json.dumps({"benchmark": "sustained", "db": db, "cases": cases, "worker_nice": args.worker_nice,
                      "workers": args.workers,
                      "threads": args.threads, "highest_kept_up_per_s": max(kept, default=None), "rates": results},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
