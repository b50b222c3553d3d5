"""Small tables read on every request (time limits, the holiday calendar, the tier rules), kept in
memory for a few seconds instead of being queried each time.

``memoized(key, load)`` returns ``load()``'s result, computed at most once per ``ttl`` seconds in
this process. ``forget_on_change(key, *models)`` drops it as soon as a row of those models is saved
or deleted in this process (admin, services), so an edit takes effect at once here and within
``ttl`` seconds in every other process. Writes that bypass signals (``QuerySet.update``, raw SQL)
are seen after ``ttl`` seconds; call ``forget(key)`` after them when that matters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
TTL_SECONDS = 5.0

_values: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def memoized(key: str, load: Callable[[], T], ttl: float = TTL_SECONDS) -> T:
    now = time.monotonic()
    hit = _values.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _values[key] = (now + ttl, value)
    return value


def forget(*keys: str) -> None:
    with _lock:
        for key in keys or list(_values):
            _values.pop(key, None)


def forget_on_change(key: str, *models) -> None:
    def drop(sender, **kwargs) -> None:
        forget(key)

    for model in models:
        post_save.connect(drop, sender=model, weak=False, dispatch_uid=f"memo:{key}:{model._meta.label}:save")
        post_delete.connect(drop, sender=model, weak=False, dispatch_uid=f"memo:{key}:{model._meta.label}:delete")
