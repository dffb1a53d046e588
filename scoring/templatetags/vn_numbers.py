"""Numbers in pages as people write them: `{{ value|vn }}` → "127.529", "62,5" (grouped, trailing
zeros trimmed, in the active language); `{{ value|vn_unit:"HTX" }}` → "20 HTX"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from scoring.forms import display_number, number_with_unit

register = template.Library()


def _decimal(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def vn(value):
    number = _decimal(value)
    return value if number is None else display_number(number)


@register.filter
def vn_unit(value, unit):
    number = _decimal(value)
    return value if number is None else number_with_unit(number, unit)
