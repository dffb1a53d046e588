"""The production cache fails soft: with Redis unreachable a read is a miss and a write is
skipped, quickly, instead of an error page; after a failure it leaves Redis alone for a while."""

from __future__ import annotations

import socket
import time

import pytest

from emulation.cache import FailSoftRedisCache


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


@pytest.fixture
def unreachable(monkeypatch):
    monkeypatch.setattr(FailSoftRedisCache, "_down_until", 0.0)
    return FailSoftRedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_an_unreachable_redis_is_a_miss_not_an_error(unreachable):
    cache = unreachable
    started = time.monotonic()
    assert cache.get("page", "default") == "default"
    cache.set("page", "body", 60)
    assert cache.add("page", "body") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("page") is False
    cache.delete_many(["a"])
    cache.clear()
    with pytest.raises(ValueError):
        cache.incr("generation")
    assert time.monotonic() - started < 5


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(unreachable, monkeypatch):
    """A hanging Redis must cost one timeout, not one per cache call of every request."""
    calls = []
    original = FailSoftRedisCache._call

    def counting(self, operation, call, fallback):
        def counted():
            calls.append(operation)
            return call()

        return original(self, operation, counted, fallback)

    monkeypatch.setattr(FailSoftRedisCache, "_call", counting)
    cache = unreachable
    assert cache.get("a") is None
    assert calls == ["get"]  # tried once, failed
    for _ in range(20):
        assert cache.get("a", "miss") == "miss"
        cache.set("a", 1)
    assert calls == ["get"]  # not tried again during the pause
    monkeypatch.setattr(FailSoftRedisCache, "_down_until", 0.0)  # the pause is over
    cache.get("a")
    assert calls == ["get", "get"]
