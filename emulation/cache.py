"""The cache in production: Redis, but never a reason for a page to fail.

Everything cached here (sessions are written through to the database; rendered rankings,
overview cards, reader pages, scopes) can be read again from the database, so when Redis is down
or hangs a read is a miss and a write is skipped — with a warning in the log — instead of an
error page. After a failure the process leaves Redis alone for a few seconds (a circuit
breaker): a hanging Redis then costs one socket timeout, not one per cache call of every
request."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_AFTER_FAILURE = 5.0  # seconds without trying Redis after an error


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` object for every cache call (each with its ~170
    response callbacks: about 0.2 ms); one per connection pool is enough — they are thread-safe
    and share the pool's connections anyway."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class FailSoftRedisCache(RedisCache):
    _down_until = 0.0  # per process: shared by every instance of the backend

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _call(self, operation: str, call, fallback):
        if time.monotonic() < FailSoftRedisCache._down_until:
            return fallback
        try:
            return call()
        except RedisError:
            FailSoftRedisCache._down_until = time.monotonic() + PAUSE_AFTER_FAILURE
            logger.warning(
                "cache %s failed: serving without the cache for %s s",
                operation,
                PAUSE_AFTER_FAILURE,
                exc_info=True,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._call(
            "get", lambda: super(FailSoftRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._call(
            "get_many", lambda: super(FailSoftRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._call(
            "has_key", lambda: super(FailSoftRedisCache, self).has_key(key, version), False
        )

    def set(self, key, value, timeout=None, version=None):  # Django's name
        self._call(
            "set", lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version), None
        )

    def add(self, key, value, timeout=None, version=None):
        return self._call(
            "add", lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(self, data, timeout=None, version=None):
        return self._call(
            "set_many",
            lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def touch(self, key, timeout=None, version=None):
        return self._call(
            "touch", lambda: super(FailSoftRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._call(
            "delete", lambda: super(FailSoftRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys, version=None):
        self._call(
            "delete_many", lambda: super(FailSoftRedisCache, self).delete_many(keys, version), None
        )

    def incr(self, key, delta=1, version=None):
        # A miss for incr is "not there" (ValueError), as Django's backends say.
        result = self._call(
            "incr", lambda: super(FailSoftRedisCache, self).incr(key, delta, version), None
        )
        if result is None:
            raise ValueError(f"Key '{key}' not found (or the cache is unavailable)")
        return result

    def clear(self):
        self._call("clear", lambda: super(FailSoftRedisCache, self).clear(), None)
