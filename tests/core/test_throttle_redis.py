"""The shared cache on Redis (GRASSROOTS_REDIS_URL): the same limits, counted atomically — twenty
attempts at once against a limit of ten let exactly ten through. ./dev test installs redis-server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.cache import caches

from grassroots.core.throttle import Limit, hit, peek


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing: ./dev test installs Debian's redis-server")
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def on_redis(settings, redis_url):
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                     "LOCATION": redis_url, "KEY_PREFIX": "test"}}
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def test_limits_and_cooldowns_work_on_redis(on_redis):
    window = Limit("redis.window", 2, 600)
    assert [hit(window, "a").allowed for _ in range(3)] == [True, True, False]
    cooldown = Limit("redis.cooldown", 1, 60)
    assert hit(cooldown, "b").allowed and not peek(cooldown, "b").allowed and not hit(cooldown, "b").allowed


def test_simultaneous_attempts_are_counted_exactly(on_redis):
    limit = Limit("redis.race", 10, 600)
    barrier = threading.Barrier(20)
    allowed, lock = [], threading.Lock()

    def attempt():
        barrier.wait(timeout=10)
        verdict = hit(limit, "same-key")
        with lock:
            allowed.append(verdict.allowed)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert allowed.count(True) == 10 and len(allowed) == 20
