"""Reads that may be a few seconds stale, on a PostgreSQL streaming replica (docs/scale.md).

With ``DATABASE_REPLICA_URL`` set, settings.py adds the ``replica`` alias and installs
``ReplicaRouter``. Every query still goes to the primary (``default``) unless the code says, in so
many words, that this read may lag behind::

    @login_required
    @replica_reads()          # innermost: the session and the user are read from the primary first
    def ranking(request): ...

    with replica_reads():
        data = content.build(area, month)

Inside ``replica_reads()`` the router sends reads to the replica, except

- inside a ``transaction.atomic`` block on the primary (a read there may lead to a write and must
  see the transaction's own rows), and
- of the tables whose reads must be exact: the sessions and the shared cache (sign-in counters).

Writes always go to the primary, inside or outside. The flag is a context variable: one thread's
(or one request's) ``replica_reads()`` never changes where another thread's queries go. Without the
router (no ``DATABASE_REPLICA_URL``) ``replica_reads()`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Reads that must never lag: a session made a moment ago on the primary, the shared cache's counters
# (core/throttle.py) and its entries (Django's DatabaseCache model has the app label "django_cache").
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache"})

_stale_ok: ContextVar[bool] = ContextVar("grassroots_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may come from the replica (a few seconds behind the primary).

    A context manager, and a decorator (``@replica_reads()``) for a view function. Nested blocks
    are fine; leaving one restores what was before.
    """
    token = _stale_ok.set(True)
    try:
        yield
    finally:
        _stale_ok.reset(token)


def stale_reads_allowed() -> bool:
    """True inside ``replica_reads()`` (whether or not a replica is configured)."""
    return _stale_ok.get()


def _in_transaction_on_primary() -> bool:
    """Inside a ``transaction.atomic`` block on the primary. The block a test case wraps every
    test in does not count (Django marks it, and skips it the same way for ``durable=True``)."""
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when ``DATABASE_REPLICA_URL`` is set."""

    def db_for_read(self, model, **hints):
        if (not _stale_ok.get() or model._meta.app_label in PRIMARY_ONLY_APPS
                or REPLICA not in connections.settings or _in_transaction_on_primary()):
            return DEFAULT_DB_ALIAS  # even for the relations of a row that was read from the replica
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        dbs = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in dbs and obj2._state.db in dbs:
            return True  # one database, two doors
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL; nothing is migrated on it
