"""Background tasks run by ``grassroots worker``.

An app registers a task in its ``AppConfig.ready``: a function that takes the worker's name, does one
unit of work if there is any (claiming it so no other worker does it too) and returns True, or
returns False when there is nothing to do. Tasks must be safe to run again after a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Task = Callable[[str], bool]
_TASKS: dict[str, Task] = {}


def register_task(name: str, task: Task) -> None:
    _TASKS[name] = task


def tasks() -> dict[str, Task]:
    return dict(_TASKS)


def run_once(worker: str) -> int:
    """Give every task one turn; the number of tasks that did some work."""
    done = 0
    for name, task in tasks().items():
        try:
            done += bool(task(worker))
        except Exception:  # one failing task must not stop the others
            log.exception("task %s failed", name)
    return done
