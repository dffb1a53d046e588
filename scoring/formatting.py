"""Numbers as the audit trail and messages write them."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language


def plain_number(value) -> str | None:
    """10 not 10.0000 nor 1E+1; None stays None."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def page_language() -> str:
    """The active language as the engine and the number formats name it: "en" or "vi"."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"
