"""The production cache fails soft: with Redis unreachable a read is a miss and a write is
skipped, quickly, instead of an error page."""

from __future__ import annotations

import socket
import time

from emulation.cache import FailSoftRedisCache


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


def test_an_unreachable_redis_is_a_miss_not_an_error():
    cache = FailSoftRedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    started = time.monotonic()
    assert cache.get("page", "default") == "default"
    cache.set("page", "body", 60)
    assert cache.add("page", "body") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("page") is False
    cache.delete_many(["a"])
    cache.clear()
    assert time.monotonic() - started < 5
