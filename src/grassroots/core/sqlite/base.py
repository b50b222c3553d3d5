"""Django's SQLite backend with writers taking turns through a lock file (``settings.py`` uses it for
every SQLite database on disk).

SQLite lets one transaction write at a time. ``transaction_mode=IMMEDIATE`` makes every ``atomic()``
take that lock at its ``BEGIN``; a process that finds it taken waits in SQLite's busy handler, which
*sleeps* — 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms and then 100 ms at a time — and does not
notice when the lock comes free. Under load (two gunicorn processes and the worker each writing a few
milliseconds at a time) the database then sits idle while every writer sleeps: measured with
``benchmarks/http_load.py``, the processes used 0.4 of 2 cores while creates crawled at 8 a second.

Here each transaction first takes an exclusive ``flock`` on ``<database>-writers.lock``: a writer that
finds it taken polls it every fraction of a millisecond (growing to 2 ms), so the next writer starts
within about a millisecond of the last one's ``COMMIT``, and only then sends ``BEGIN IMMEDIATE``, which
then finds SQLite's lock free. The lock file is released at ``COMMIT``/``ROLLBACK``/close, and by the
operating system when a process dies. The wait is bounded by the database's ``timeout`` option, as
SQLite's own is: after it the ``BEGIN`` goes ahead and SQLite answers "database is locked" as before.

Writes outside a transaction (autocommit) and other programs (``sqlite3`` on the command line, a
backup) do not take the file lock; SQLite's own lock still keeps them apart, with its busy handler.
In-memory databases (the tests' default) have one connection and no file: nothing changes for them.
"""

from __future__ import annotations

import fcntl
import os
import time

from django.db.backends.sqlite3 import base

POLL_FIRST = 0.0002  # seconds between two tries of the lock file, growing …
POLL_MOST = 0.002  # … to this


class DatabaseWrapper(base.DatabaseWrapper):
    _writers_fd: int | None = None
    _holding = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db():
            return None
        return f"{name}-writers.lock"

    def _take_writers_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._holding:
            return
        if self._writers_fd is None:
            self._writers_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        pause = POLL_FIRST
        while True:
            try:
                fcntl.flock(self._writers_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's own lock decides (and says "database is locked")
                time.sleep(pause)
                pause = min(pause * 1.5, POLL_MOST)
            else:
                self._holding = True
                return

    def _drop_writers_lock(self) -> None:
        if self._holding and self._writers_fd is not None:
            self._holding = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._drop_writers_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._drop_writers_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._drop_writers_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._drop_writers_lock()
            if self._writers_fd is not None:
                os.close(self._writers_fd)
                self._writers_fd = None
