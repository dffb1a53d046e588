"""Path converters, registered once on import (emulation/urls.py and scoring/urls.py import this)."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """A database id in a URL: at most 18 digits, so every id that matches fits a 64-bit signed
    integer (the largest is 9223372036854775807, 19 digits). A longer number matches no URL and
    is a 404 — it never reaches a query (the database driver raised OverflowError: a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
