"""``grassroots worker``: run background tasks (spreadsheet imports, …) until stopped.

``--once`` processes everything that is waiting and exits (for cron and for tests).
"""

from __future__ import annotations

import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from grassroots.core.jobs import run_once, tasks


class Command(BaseCommand):
    help = "运行后台任务（台账导入等）。--once：处理完当前排队的任务后退出"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="process what is waiting, then exit")
        parser.add_argument("--sleep", type=float, default=1.0, help="seconds to wait when idle")
        parser.add_argument("--name", default="", help="worker name (default host:pid)")

    def handle(self, *args, once: bool = False, sleep: float = 1.0, name: str = "", **options):
        worker = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"worker {worker}: tasks {', '.join(tasks()) or '(none)'}")
        while not self.stopping:
            self._fresh_connection()
            done = run_once(worker)
            if done:
                continue
            if once:
                break
            time.sleep(sleep)
        self._fresh_connection()

    @staticmethod
    def _fresh_connection() -> None:
        """Drop a broken or expired database connection between tasks (not inside a transaction,
        as when a test calls the command)."""
        if not connection.in_atomic_block:
            close_old_connections()

    def _stop(self, signum, frame) -> None:
        self.stdout.write("worker: stopping after the current task")
        self.stopping = True
