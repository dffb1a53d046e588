"""Numbers as the audit trail and messages write them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import get_language

from scoring.engine.numbers import format_decimal


def plain_number(value) -> str | None:
    """10 not 10.0000 nor 1E+1; None stays None."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def page_language() -> str:
    """The active language as the engine and the number formats name it: "en" or "vi"."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


# --- numbers and dates in official documents (always Vietnamese: docs/documents.md) ----------


def document_points(value) -> str:
    """Points as a document writes them: two decimals, grouped the Vietnamese way ("1.234,50",
    "87,50"); "—" for none."""
    if value is None:
        return "—"
    return format_decimal(Decimal(str(value)), "vi", places=2)


def document_figure(value, unit: str = "") -> str:
    """A reported figure or a target: at most two decimals, trailing zeros trimmed, grouped
    ("127.529", "62,5 %", "20 HTX"), the unit kept on the line by a no-break space."""
    if value is None:
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format_decimal(rounded, "vi")
    return f"{text}\u00a0{unit}" if unit else text


def document_percent(share: float) -> str:
    """A share (0.6) as a document writes it: "60 %"; at most one decimal ("66,7 %")."""
    rounded = (Decimal(str(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{format_decimal(rounded, 'vi')}\u00a0%"


def document_date(day: dt.date) -> str:
    """ "ngày 05 tháng 01 năm 2026", "ngày 27 tháng 6 năm 2025": NĐ 30/2020, Phụ lục I, II.4.b —
    days below 10 and the months 1 and 2 take a leading 0."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def document_time(moment: dt.datetime) -> str:
    """ "08 giờ 00 phút, ngày 27 tháng 01 năm 2026" in the server's time zone."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {document_date(local.date())}"
