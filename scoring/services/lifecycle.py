"""An emulation year's life cycle: planning → pledged → reporting → verification → scored →
published. Forward one step or more; any step back (a reopening) needs a recorded reason."""

from __future__ import annotations

from django.db import transaction

from clusters.audit import audit_record
from clusters.models import EmulationYear

from ..errors import ReasonRequired, ScoringError
from .years import year_mark_dirty


def year_set_status(
    *, emulation_year: EmulationYear, status: str, reason: str = "", actor=None
) -> EmulationYear:
    order = EmulationYear.LIFE_CYCLE
    if status not in order:
        raise ScoringError(f"Trạng thái không hợp lệ: {status}")
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        before = year.status
        if status == before:
            return year
        backwards = order.index(status) < order.index(before)
        if backwards and not reason.strip():
            raise ReasonRequired("Mở lại (lùi trạng thái) cần ghi rõ lý do.")
        if status == EmulationYear.Status.PUBLISHED and year.is_dirty:
            raise ScoringError("Kết quả đang được tính lại: hãy chờ xong rồi công bố.")
        year.status = status
        year.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="year.reopen" if backwards else "year.status",
            obj=year,
            emulation_year_id=year.pk,
            summary=f"Năm {year.year}: {EmulationYear.Status(before).label} → {EmulationYear.Status(status).label}",
            before={"status": before},
            after={"status": status},
            reason=reason.strip(),
        )
        if backwards and before == EmulationYear.Status.PUBLISHED:
            # Corrections may follow: make sure the results reflect the inputs again.
            year_mark_dirty(emulation_year_id=year.pk)
    return year
