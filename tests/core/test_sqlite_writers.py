"""SQLite writers take turns through a lock file (core/sqlite): a writer that finds another's
transaction open waits for it and starts as soon as it commits — not up to 100 ms later, as SQLite's
busy handler would — and a writer that dies mid-transaction leaves the lock free for the next. (Each
writer is a process of its own on a scratch file: the test runs whatever the stage's database.)"""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

# One process: open a connection of the project's backend on the file, then write in ``atomic()``.
WRITER = textwrap.dedent("""
    import os, sys, time
    import django
    from django.conf import settings
    settings.configure(DATABASES={"default": {
        "ENGINE": "grassroots.core.sqlite", "NAME": sys.argv[1],
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": float(sys.argv[4]),
                    "init_command": "PRAGMA journal_mode=WAL;"}}})
    django.setup()
    from django.db import connection, transaction
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS t (who TEXT, at REAL)")
    mode, hold = sys.argv[2], float(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()  # the test says go
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("INSERT INTO t VALUES (%s, %s)", [mode + "-begin", time.time()])
        print("in", flush=True)
        if mode == "die":
            time.sleep(hold)
            os._exit(3)  # mid-transaction, no rollback, no close
        time.sleep(hold)
        with connection.cursor() as c:
            c.execute("INSERT INTO t VALUES (%s, %s)", [mode + "-end", time.time()])
    print("done", time.time(), flush=True)
""")


def start(db: Path, mode: str, hold: float, timeout: float = 20) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), mode, str(hold), str(timeout)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert proc.stdout.readline().strip() == "ready"
    return proc


def rows(db: Path) -> list[tuple[str, float]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT who, at FROM t ORDER BY rowid").fetchall()


def test_writers_take_turns_through_the_lock_file(tmp_path):
    db = tmp_path / "w.sqlite3"
    first = start(db, "first", 0.3)
    second = start(db, "second", 0)
    first.stdin.write("go\n")
    first.stdin.flush()
    assert first.stdout.readline().strip() == "in"
    second.stdin.write("go\n")
    second.stdin.flush()
    assert first.stdout.readline().startswith("done")
    assert second.stdout.readline().strip() == "in"
    second.communicate(timeout=20)
    first.communicate(timeout=20)
    assert [who for who, _ in rows(db)] == ["first-begin", "first-end", "second-begin", "second-end"]


def test_a_writer_waits_for_the_lock_file_not_for_sqlite(tmp_path):
    """Whoever holds the lock file keeps the next transaction from beginning; it begins once freed."""
    db = tmp_path / "w.sqlite3"
    writer = start(db, "w", 0)
    fd = os.open(f"{db}-writers.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        writer.stdin.write("go\n")
        writer.stdin.flush()
        ready, _, _ = select.select([writer.stdout], [], [], 0.5)
        assert not ready, "the transaction began while another held the writers' lock"
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert writer.stdout.readline().strip() == "in"
    writer.communicate(timeout=20)
    assert [who for who, _ in rows(db)] == ["w-begin", "w-end"]


def test_a_writer_that_dies_mid_transaction_leaves_the_lock_free(tmp_path):
    db = tmp_path / "w.sqlite3"
    dying = start(db, "die", 0.3)
    after = start(db, "after", 0)
    dying.stdin.write("go\n")
    dying.stdin.flush()
    assert dying.stdout.readline().strip() == "in"
    after.stdin.write("go\n")
    after.stdin.flush()
    assert dying.wait(timeout=20) == 3
    t = time.monotonic()
    out, _ = after.communicate(timeout=20)
    assert "done" in out and time.monotonic() - t < 5
    assert [who for who, _ in rows(db)] == ["after-begin", "after-end"]  # the dead one's row was never committed
