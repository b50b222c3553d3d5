"""``grassroots worker``: run background tasks (spreadsheet imports, …) until stopped.

``--once`` processes everything that is waiting and exits (for cron and for tests).
"""

from __future__ import annotations

import os
import signal
import socket
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from grassroots.core.jobs import run_once, run_urgent, tasks, warm_up

URGENT_POLL = 0.2  # seconds


def _names(text: str) -> set[str]:
    return {n.strip() for n in text.split(",") if n.strip()}


class Command(BaseCommand):
    help = "运行后台任务（台账导入等）。--once：处理完当前排队的任务后退出"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="process what is waiting, then exit")
        parser.add_argument("--sleep", type=float, default=1.0, help="seconds to wait when idle")
        parser.add_argument("--name", default="", help="worker name (default host:pid)")
        parser.add_argument("--only", default="",
                            help="comma-separated task names this worker runs (e.g. core.deferred: a worker kept "
                                 "for what follows residents' submits, never held up by a long report)")
        parser.add_argument("--skip", default="",
                            help="comma-separated task names this worker leaves to others (e.g. core.deferred "
                                 "on SQLite, where one worker for it answers submits best: docs/deploy.md)")

    def handle(self, *args, once: bool = False, sleep: float = 1.0, name: str = "", only: str = "",
               skip: str = "", **options):
        worker = name or f"{socket.gethostname()}:{os.getpid()}"
        if only and skip:
            raise CommandError("--only 与 --skip 只能选用一个")
        wanted, skipped = _names(only), _names(skip)
        unknown = (wanted | skipped) - set(tasks())
        if unknown:
            raise CommandError(f"没有这些任务：{', '.join(sorted(unknown))}；可选：{', '.join(tasks())}")
        self.only = wanted or (set(tasks()) - skipped if skipped else None)
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"worker {worker}: tasks {', '.join(tasks(self.only)) or '(none)'}")
        if not once:
            warm_up()
            self.stdout.write(f"worker {worker}: ready")
            self.stdout.flush()
        while not self.stopping:
            self._fresh_connection()
            done = run_once(worker, self.only)
            if done:
                continue
            if once:
                break
            self._idle(worker, sleep)
        self._fresh_connection()

    def _idle(self, worker: str, sleep: float) -> None:
        """Wait ``sleep`` seconds, looking at the urgent tasks (what follows a submit) every
        ``URGENT_POLL`` seconds meanwhile, so a resident's case is routed within a moment."""
        until = time.monotonic() + sleep
        while not self.stopping and time.monotonic() < until:
            time.sleep(min(URGENT_POLL, max(0.0, until - time.monotonic())))
            self._fresh_connection()
            if run_urgent(worker, self.only):
                return

    @staticmethod
    def _fresh_connection() -> None:
        """Drop a broken or expired database connection between tasks (not inside a transaction,
        as when a test calls the command)."""
        if not connection.in_atomic_block:
            close_old_connections()

    def _stop(self, signum, frame) -> None:
        self.stdout.write("worker: stopping after the current task")
        self.stopping = True
