"""Objections to a criterion, and the secretariat's answer; an accepted objection may amend the
criterion (definition, formula, target), which makes a new scheme version and recomputes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear, Unit
from scoring.errors import ScoringError
from scoring.fields import normalize_number
from scoring.guards import year_assert_open
from scoring.inbox.services import notify_objection_answered, notify_objection_filed
from scoring.models import Objection
from scoring.schemes.selectors import scheme_in_force
from scoring.schemes.services import scheme_amend_criterion


def objection_file(
    *,
    emulation_year: EmulationYear,
    unit: Unit,
    criterion_code: str,
    text: str,
    actor: Actor = None,
) -> Objection:
    year_assert_open(emulation_year_id=emulation_year.pk)
    scheme = scheme_in_force(emulation_year)
    codes = set(scheme.criteria.values_list("code", flat=True)) if scheme is not None else set()
    if criterion_code not in codes:
        raise ScoringError(
            _("Không có tiêu chí “%(code)s” trong thang điểm.") % {"code": criterion_code}
        )
    with transaction.atomic():
        objection = Objection.objects.create(
            emulation_year=emulation_year,
            unit=unit,
            criterion_code=criterion_code,
            text=text.strip(),
            filed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="objection.file",
            obj=objection,
            emulation_year_id=emulation_year.pk,
            summary=f"{unit} kiến nghị về tiêu chí {criterion_code}",
            after={"text": objection.text},
        )
        notify_objection_filed(objection_id=objection.pk)
    return objection


def objection_answer(
    *,
    objection: Objection,
    accept: bool,
    answer: str,
    amend: dict | None = None,
    actor: Actor = None,
) -> Objection:
    """Answer an open objection. With `accept` and `amend` ({definition, measure, target}), the
    criterion is amended in a new scheme version whose reason quotes the objection."""
    if not answer.strip():
        raise ScoringError(_("Hãy ghi nội dung trả lời kiến nghị."))
    with transaction.atomic():
        year_assert_open(emulation_year_id=objection.emulation_year_id, lock=True)
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != Objection.Status.OPEN:
            raise ScoringError(_("Kiến nghị này đã được trả lời."))
        year = EmulationYear.objects.get(pk=locked.emulation_year_id)
        locked.status = Objection.Status.ACCEPTED if accept else Objection.Status.REJECTED
        locked.answer = answer.strip()
        locked.answered_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_record(
            actor=actor,
            action="objection.answer",
            obj=locked,
            emulation_year_id=year.pk,
            summary=f"Trả lời kiến nghị của {locked.unit} về tiêu chí {locked.criterion_code}: "
            + ("chấp nhận" if accept else "không chấp nhận"),
            after={"status": locked.status, "answer": locked.answer},
        )
        notify_objection_answered(objection_id=locked.pk)
        changes = {k: v for k, v in (amend or {}).items() if v not in (None, "")}
        if accept and changes:
            if "target" in changes:
                try:
                    changes["target"] = float(normalize_number(str(changes["target"])))
                except ValueError:
                    raise ScoringError(
                        _("Chỉ tiêu không phải là số: %(value)s") % {"value": changes["target"]}
                    ) from None
                if not abs(changes["target"]) < 10**14:
                    raise ScoringError(
                        _("Chỉ tiêu quá lớn: %(value)s") % {"value": changes["target"]}
                    )
            scheme_amend_criterion(
                emulation_year=year,
                code=locked.criterion_code,
                changes=changes,
                reason=f"Kiến nghị của {locked.unit} về tiêu chí {locked.criterion_code}: {locked.text} — {locked.answer}",
                actor=actor,
            )
    return locked
