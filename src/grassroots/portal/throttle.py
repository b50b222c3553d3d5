"""Guessing tracking codes is refused: after ``LIMIT`` unknown codes from one IP address or one
session within ``WINDOW`` seconds, every look-up from there is refused for ``BLOCK`` seconds.

A code has 60 random bits, so guessing is hopeless anyway; the throttle keeps a scanner from
hammering the database and makes the attempt visible. Counters live in the ``shared`` cache that every
server process counts in (``core/throttle.py``: the database, or Redis). The IP is
``REMOTE_ADDR``: behind a reverse proxy, the proxy must set it (X-Forwarded-For can be forged).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches

from grassroots.core.throttle import CACHE

LIMIT = 20
WINDOW = 10 * 60
BLOCK = 15 * 60


def _settings() -> tuple[int, int, int]:
    return (int(getattr(settings, "GRASSROOTS_TRACK_GUESS_LIMIT", LIMIT)),
            int(getattr(settings, "GRASSROOTS_TRACK_GUESS_WINDOW", WINDOW)),
            int(getattr(settings, "GRASSROOTS_TRACK_GUESS_BLOCK", BLOCK)))


def _keys(request) -> list[str]:
    keys = []
    ip = request.META.get("REMOTE_ADDR") or ""
    if ip:
        keys.append("portal:track:ip:" + hashlib.sha256(ip.encode()).hexdigest()[:32])
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        keys.append("portal:track:s:" + hashlib.sha256(session_key.encode()).hexdigest()[:32])
    return keys


def is_blocked(request) -> bool:
    cache = caches[CACHE]
    return any(cache.get(key + ":block") for key in _keys(request))


def record_miss(request) -> bool:
    """Count one unknown code; True when this miss (or an earlier one) blocked the caller."""
    limit, window, block = _settings()
    cache = caches[CACHE]
    blocked = False
    for key in _keys(request):
        cache.add(key, 0, timeout=window)
        try:
            misses = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            misses = 1
        if misses >= limit:
            cache.set(key + ":block", 1, timeout=block)
            blocked = True
    return blocked
