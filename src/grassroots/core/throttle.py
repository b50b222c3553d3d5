"""Rate limits that every server process shares: "at most N in S seconds" per key.

    SEND_PER_PHONE = Limit("signup.phone", 5, 3600)
    verdict = hit(SEND_PER_PHONE, phone_index)     # counts one attempt
    if not verdict.allowed: ... verdict.retry_after  # seconds until the window ends

Counters live in the ``shared`` cache (``settings.CACHES``): Django's database cache by default,
so several gunicorn workers and app servers count together; point it at Redis for a large
installation. Each counter is a fixed window (``now // seconds``); a limit of one is a cooldown from
the last attempt instead (so two attempts a moment apart never fall into two windows). Keys are hashed, so a phone
number or an address never appears in the cache. Under simultaneous requests the database cache
may lose an increment (its ``incr`` reads, then writes); a limit may then let one or two more
through, never twice as many.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.exceptions import ValidationError

CACHE = "shared"


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    used: int  # attempts counted in this window, this one included
    retry_after: int  # seconds until the window ends (0 when allowed)


def _key(limit: Limit, key: str, now: float) -> tuple[str, int]:
    window = int(now // limit.seconds)
    digest = hashlib.sha256(f"{limit.name}\0{key}".encode()).hexdigest()[:32]
    ends = (window + 1) * limit.seconds - int(now)
    return f"throttle:{limit.name}:{digest}:{window}", max(1, ends)


def _cooldown_key(limit: Limit, key: str) -> str:
    digest = hashlib.sha256(f"{limit.name}\0{key}".encode()).hexdigest()[:32]
    return f"throttle:{limit.name}:{digest}"


def _cooldown(limit: Limit, key: str, now: float, *, take: bool) -> Verdict:
    """A limit of one per ``seconds`` is a cooldown from the last attempt, not a calendar window (two
    attempts a moment apart must never fall into two windows)."""
    cache = caches[CACHE]
    cache_key = _cooldown_key(limit, key)
    last = cache.get(cache_key)
    if last is not None and now - float(last) < limit.seconds:
        return Verdict(allowed=False, used=2, retry_after=max(1, math.ceil(float(last) + limit.seconds - now)))
    if take:
        if last is None:
            if not cache.add(cache_key, now, timeout=limit.seconds + 5):  # another request, a moment ago
                return Verdict(allowed=False, used=2, retry_after=limit.seconds)
        else:
            cache.set(cache_key, now, timeout=limit.seconds + 5)
    return Verdict(allowed=True, used=1, retry_after=0)


def peek(limit: Limit, key: str, *, now: float | None = None) -> Verdict:
    """Whether one more attempt would be allowed, without counting it."""
    now = time.time() if now is None else now
    if limit.count == 1:
        return _cooldown(limit, key, now, take=False)
    cache_key, ends = _key(limit, key, now)
    used = int(caches[CACHE].get(cache_key, 0))
    allowed = used < limit.count
    return Verdict(allowed=allowed, used=used, retry_after=0 if allowed else ends)


def hit(limit: Limit, key: str, *, now: float | None = None) -> Verdict:
    """Count one attempt; refused when it is over ``limit.count`` in the current window."""
    now = time.time() if now is None else now
    if limit.count == 1:
        return _cooldown(limit, key, now, take=True)
    cache = caches[CACHE]
    cache_key, ends = _key(limit, key, now)
    cache.add(cache_key, 0, timeout=ends + 5)
    try:
        used = cache.incr(cache_key)
        # Django's database cache writes an incremented value back with its default timeout (five
        # minutes): a limit per hour would then forget its count after five quiet minutes. Redis keeps
        # the key's expiry; touching costs one statement and keeps both the same.
        cache.touch(cache_key, timeout=ends + 5)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=ends + 5)
        used = 1
    allowed = used <= limit.count
    return Verdict(allowed=allowed, used=used, retry_after=0 if allowed else ends)


class Throttled(ValidationError):
    """A refusal by a limit: a ValidationError (keyed like the form field it concerns) that also says
    when to try again, so an API can answer 429 with Retry-After."""

    def __init__(self, message, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def wait_text(seconds: int) -> str:
    """"3分钟后" / "45秒后": when to try again, in Chinese."""
    if seconds >= 3600:
        return f"{(seconds + 3599) // 3600}小时后"
    if seconds >= 60:
        return f"{(seconds + 59) // 60}分钟后"
    return f"{seconds}秒后"
