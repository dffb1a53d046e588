"""Rounding and number formatting shared by explanations and output.

One rounding rule everywhere (half away from zero, 2 decimals) so that the points in an
explanation are the points in the published table. Integer arithmetic on cents is used instead
of Decimal because a 500-member block formats about 100,000 numbers per scoring run.
"""

from __future__ import annotations

import math


def _cents(x: float) -> int:
    # round(…, 6) first: 0.285 * 100 is 28.499999999999996 in binary, a person expects 29.
    return math.floor(round(abs(x) * 100.0, 6) + 0.5)


def round2(x: float) -> float:
    """Round half away from zero to 2 decimals."""
    cents = _cents(x)
    return math.copysign(cents / 100.0, x) if cents else 0.0


def round_opt(x: float | None) -> float | None:
    return None if x is None else round2(x)


_caches: dict[str, dict[float, str]] = {"vi": {}, "en": {}}


def fmt_number(x: float, language: str = "vi") -> str:
    """`1234.5` → "1.234,5" (vi) or "1,234.5" (en); at most 2 decimals, trailing zeros trimmed."""
    cache = _caches.get(language)
    if cache is None:
        language, cache = "vi", _caches["vi"]
    text = cache.get(x)
    if text is not None:
        return text
    cents = _cents(x)
    whole, frac = divmod(cents, 100)
    sign = "-" if x < 0 and cents else ""
    thousands, point = (",", ".") if language == "en" else (".", ",")
    body = f"{whole:,}".replace(",", thousands)
    if frac:
        body += point + (f"{frac:02d}".rstrip("0"))
    text = sign + body
    if len(cache) < 50_000:  # bounded: a long-running worker must not grow without limit
        cache[x] = text
    return text


def with_unit(x: float, unit: str | None, language: str = "vi") -> str:
    text = fmt_number(x, language)
    if not unit:
        return text
    return text + unit if unit == "%" else f"{text} {unit}"
