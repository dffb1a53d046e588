"""The cache in production: Redis, but never a reason for a page to fail.

Everything cached here (rendered rankings, overview cards, reader pages) can be recomputed from
the database, so when Redis is down or hangs a read is a miss and a write is skipped — with a
warning in the log and short socket timeouts (see settings) — instead of an error page."""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class FailSoftRedisCache(RedisCache):
    def _failed(self, operation: str) -> None:
        logger.warning("cache %s failed: serving without the cache", operation, exc_info=True)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            self._failed("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError:
            self._failed("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError:
            self._failed("has_key")
            return False

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 — Django's name
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            self._failed("set")

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            self._failed("add")
            return False

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError:
            self._failed("set_many")
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError:
            self._failed("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError:
            self._failed("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError:
            self._failed("delete_many")

    def clear(self):
        try:
            super().clear()
        except RedisError:
            self._failed("clear")
