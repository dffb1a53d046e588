"""Rounding and number formatting shared by explanations and output.

One rounding rule everywhere (half away from zero, 2 decimals) so that the points in an
explanation are the points in the published table. Integer arithmetic on cents is used instead
of Decimal because a 500-member block formats about 100,000 numbers per scoring run.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal


def _cents(x: float) -> int:
    # round(…, 6) first: 0.285 * 100 is 28.499999999999996 in binary, a person expects 29.
    return math.floor(round(abs(x) * 100.0, 6) + 0.5)


# Results repeat the same few numbers (figures, targets, points): a national what-if run rounds
# 800,000 of them, and looking one up costs a tenth of rounding it (bench_cli).
_ROUNDED: dict[float, float] = {}
_ROUNDED_MAX = 200_000


def round2(x: float) -> float:
    """Round half away from zero to 2 decimals."""
    rounded = _ROUNDED.get(x)
    if rounded is None:
        cents = _cents(x)
        rounded = math.copysign(cents / 100.0, x) if cents else 0.0
        if len(_ROUNDED) >= _ROUNDED_MAX:
            _ROUNDED.clear()
        _ROUNDED[x] = rounded
    return rounded


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


# --- reading numbers as people type them ---------------------------------------------------------
#
# One rule for every form and file (docs/numbers.md):
# - Vietnamese (the default): "." groups thousands, "," is the decimal mark: "1.234,5", "0,5",
#   "1.000.000". A single "." followed by other than exactly three digits ("1234.5", "0.5",
#   "12.75") can only be a decimal point and is read as one; the ambiguous "1.234" is 1234.
# - English: the mirror image ("1,234.5", "1,234" is 1234, "1.234" is 1.234).
# - In both: a number with both marks is read by the last one ("1.234,5" and "1,234.5" are both
#   1234.5); spaces (also non-breaking) may group thousands; ASCII digits only ("１２" and "1_000"
#   are refused, not silently read); "−" is a minus.

_GROUPS = {  # a grouped integer part: the first group 1–3 digits, not starting with 0
    ".": re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+"),
    ",": re.compile(r"[1-9]\d{0,2}(?:,\d{3})+"),
}
_DIGITS = re.compile(r"\d*")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\t")


class NumberFormatError(ValueError):
    """The text is not a number in the accepted forms."""


def parse_decimal(text: str, language: str = "vi") -> Decimal:
    """Read a number typed by a person (see the rule above). Raises NumberFormatError."""
    s = text.translate(_SPACES).replace("\u2212", "-")
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    if not s or not s.isascii():
        raise NumberFormatError(text)
    decimal_mark, group_mark = (".", ",") if language == "en" else (",", ".")
    whole, frac = s, ""
    if "," in s and "." in s:
        last = "," if s.rfind(",") > s.rfind(".") else "."
        whole, frac = s.rsplit(last, 1)
        other = "." if last == "," else ","
        if not _GROUPS[other].fullmatch(whole):
            raise NumberFormatError(text)
        whole = whole.replace(other, "")
    elif decimal_mark in s:
        if s.count(decimal_mark) > 1:
            # "1,000,000" in Vietnamese cannot be a decimal: it is English grouping.
            if not _GROUPS[decimal_mark].fullmatch(s):
                raise NumberFormatError(text)
            whole = s.replace(decimal_mark, "")
        else:
            whole, frac = s.split(decimal_mark)
    elif group_mark in s:
        if _GROUPS[group_mark].fullmatch(s):
            whole = s.replace(group_mark, "")
        elif s.count(group_mark) == 1:
            # "1234.5", "0.5": only a decimal point can stand there.
            whole, frac = s.split(group_mark)
        else:
            raise NumberFormatError(text)
    if not (whole or frac) or not _DIGITS.fullmatch(whole) or not _DIGITS.fullmatch(frac):
        raise NumberFormatError(text)
    if "." in s and "," in s and not frac:
        raise NumberFormatError(text)
    return Decimal(f"{sign}{whole or '0'}.{frac}" if frac else f"{sign}{whole}")


def format_decimal(
    value: Decimal | float | int, language: str = "vi", places: int | None = None
) -> str:
    """A stored number as a person writes it: grouped, trailing zeros trimmed (or exactly
    `places` decimals): Decimal("127529.0000") → "127.529"; 62.5 → "62,5"."""
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if value.is_zero():
        value = abs(value)  # no "-0"
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(value) if value.is_zero() else value:,.{places}f}"
    else:
        value = value.normalize() if value != value.to_integral_value() else value.quantize(1)
        text = f"{value:,f}"
    if language == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
