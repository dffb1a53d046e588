"""Points entered by the secretariat: for manual criteria, or as an adjustment of a computed one,
always with a reason; the member's own proposal is kept beside them."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear, Unit
from scoring.errors import ScoringError
from scoring.fields import display_number
from scoring.formatting import plain_number
from scoring.guards import year_assert_open
from scoring.models import ManualPoints
from scoring.ranking.services.dirty import year_mark_dirty
from scoring.schemes.selectors import scheme_criterion, scheme_id_in_force


def manual_points_set(
    *,
    emulation_year: EmulationYear,
    unit: Unit,
    criterion_code: str,
    points: Decimal,
    reason: str,
    proposed: Decimal | None = None,
    actor: Actor = None,
) -> ManualPoints:
    year_assert_open(emulation_year_id=emulation_year.pk)
    if not reason.strip():
        raise ScoringError(_("Điểm chấm tay cần ghi rõ lý do."))
    criterion = scheme_criterion(scheme_id=scheme_id_in_force(emulation_year), code=criterion_code)
    if criterion is None:
        raise ScoringError(
            _("Không có tiêu chí “%(code)s” trong thang điểm.") % {"code": criterion_code}
        )
    if not Decimal(0) <= points <= criterion.points:
        raise ScoringError(
            _("Điểm phải từ 0 đến %(points)s (điểm tối đa của tiêu chí %(code)s).")
            % {"points": display_number(criterion.points), "code": criterion_code},
            field="points",
        )
    with transaction.atomic():
        year_assert_open(emulation_year_id=emulation_year.pk, lock=True)
        row = ManualPoints.objects.filter(
            emulation_year=emulation_year, unit=unit, criterion_code=criterion_code
        ).first()
        before = None if row is None else {"points": plain_number(row.points), "reason": row.reason}
        if row is None:
            row = ManualPoints(
                emulation_year=emulation_year, unit=unit, criterion_code=criterion_code
            )
        row.points, row.proposed_points, row.reason = points, proposed, reason.strip()
        row.entered_by = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        audit_record(
            actor=actor,
            action="manual.set",
            obj=row,
            emulation_year_id=emulation_year.pk,
            summary=f"Điểm chấm tay {unit} — tiêu chí {criterion_code}: {plain_number(points)}",
            before=before,
            after={"points": plain_number(points), "reason": row.reason},
            reason=row.reason,
        )
        year_mark_dirty(emulation_year_id=emulation_year.pk)
    return row


def manual_points_delete(*, row: ManualPoints, reason: str, actor: Actor = None) -> None:
    if not reason.strip():
        raise ScoringError(_("Xóa điểm chấm tay cần ghi rõ lý do."))
    with transaction.atomic():
        year_id = row.emulation_year_id
        year_assert_open(emulation_year_id=year_id, lock=True)
        audit_record(
            actor=actor,
            action="manual.delete",
            obj=row,
            emulation_year_id=year_id,
            summary=f"Xóa điểm chấm tay {row.unit} — tiêu chí {row.criterion_code}",
            before={"points": plain_number(row.points), "reason": row.reason},
            reason=reason.strip(),
        )
        row.delete()
        year_mark_dirty(emulation_year_id=year_id)
