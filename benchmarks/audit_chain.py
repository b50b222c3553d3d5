"""What the hash chain (core/chain.py) costs each case event: N case receives and N comments (a step that
writes only its event) with the chain and with it switched off (``seal`` a no-op: no lock, no head read,
no hash), alternated in rounds so both see the same machine; then ``audit_verify``'s rate.

    .venv/bin/python benchmarks/audit_chain.py                       # SQLite (a temporary file)
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/audit_chain.py   # a THROW-AWAY database
    options: --n N (default 200 per round)  --rounds R (default 3)

Last line: one JSON object with milliseconds per operation with and without the chain, and the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='grassroots-chain-')}/bench.sqlite3"
    os.environ.setdefault("GRASSROOTS_DATA_KEY", "benchmark-data-key-0123456789abcdef0123")
    os.environ["DJANGO_SETTINGS_MODULE"] = "grassroots.settings"
    import django

    django.setup()
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from tests.factories import build_tree

    from grassroots.cases.models import CaseEvent, Channel
    from grassroots.cases.services import case_comment, case_create
    from grassroots.core import chain

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GRASSROOTS_AFTER_COMMIT = "worker"  # the receive's follow-up work goes to the queue, as in production
    call_command("migrate", verbosity=0)
    tree = build_tree()
    worker = tree.user("community_worker_1")
    real_seal = chain.seal

    def receives(n: int) -> float:
        t = time.perf_counter()
        for i in range(n):
            case_create(title="楼道灯不亮", body=f"3栋2单元楼道灯坏了一周，晚上看不清。{i}", channel=Channel.RESIDENT_WEB,
                        area=tree.grid("A"))
        return (time.perf_counter() - t) / n * 1000

    def comments(n: int) -> float:
        target = case_create(title="路灯", body="路灯不亮", channel=Channel.RESIDENT_WEB, area=tree.grid("A"))
        t = time.perf_counter()
        for i in range(n):
            case_comment(case=target, actor=worker, note=f"回访记录 {i}")
        return (time.perf_counter() - t) / n * 1000

    figures: dict = {"database": connection.vendor, "n": args.n, "rounds": args.rounds}
    for name, step in (("receive", receives), ("comment", comments)):
        on, off = [], []
        step(20)  # warm-up
        for r in range(args.rounds):  # ABBA: neither mode always runs on the fuller table
            for chained in ((True, False) if r % 2 == 0 else (False, True)):
                chain.seal = real_seal if chained else (lambda *a, **k: None)
                (on if chained else off).append(step(args.n))
        chain.seal = real_seal
        figures[f"{name}_ms_chain"] = round(statistics.median(on), 3)
        figures[f"{name}_ms_plain"] = round(statistics.median(off), 3)
        figures[f"{name}_ms_added"] = round(statistics.median(on) - statistics.median(off), 3)
        print(f"{connection.vendor} {name}: {statistics.median(on):.2f} ms with the chain, "
              f"{statistics.median(off):.2f} ms without (median of {args.rounds} rounds of {args.n})", flush=True)
    # the unchained rows of the "off" rounds would read as tampering: seal them again before verifying
    from grassroots.core.models import AuditEntry

    for model, fields in ((CaseEvent, CaseEvent.chain_fields), (AuditEntry, AuditEntry.chain_fields)):
        chain.seal_table(model, fields, model.chain_refs)
    rows = CaseEvent.objects.count() + AuditEntry.objects.count()
    t = time.perf_counter()
    call_command("audit_verify", stdout=StringIO())
    seconds = time.perf_counter() - t
    figures["verify_rows_per_s"] = round(rows / seconds)
    print(f"audit_verify: {rows} rows in {seconds:.2f} s = {rows / seconds:.0f} rows/s", flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
