"""Reads whose joins PostgreSQL takes in the order Django wrote them, instead of searching for one.

A page of Open311 requests is one statement with five LEFT JOINs from the case to its category, place,
teams and receipt, each on a primary or unique key. PostgreSQL's planner tried every join order for it:
6.6 ms of planning for 0.8 ms of running, on every request (at 100,000 cases; docs/benchmarks.md,
http_load, stop 32). Joined in the written order (``join_collapse_limit = 1``) it plans in 1.1 ms and
runs the same plan. Use it only around reads whose written order is the right one: each join adds one
row's worth of columns to the row before it::

    with joins_as_written():
        found = list(cases.order_by("-created_at")[:50])

The previous value comes back at the end: set and restored with ``set_config`` (two statements), so a
block inside a transaction changes nothing after it, and a transaction that fails takes the setting
back with it. SQLite has no such setting: nothing happens there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections


@contextmanager
def joins_as_written(using: str = "default") -> Iterator[None]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('join_collapse_limit'), set_config('join_collapse_limit', '1', false)")
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('join_collapse_limit', %s, false)", [before])
        except DatabaseError:  # a failed transaction: its rollback restores the setting
            pass
