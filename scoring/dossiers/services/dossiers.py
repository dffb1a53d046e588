"""Writes of the award dossier: made from a conference's proposal (or for a unit and an award kind
by the cluster's secretariat), and every step of its path — submit, return with a reason,
resubmit, appraise, decide (which writes the award register and the unit's history), revoke with a
reason (its documents: documents.py). Each step takes the dossier's row lock, checks that its state allows it
(scoring/engine/awards/dossier.py) and writes an audit row, which the dossier's page shows as its
steps. The clocks are set on receipt and on appraisal, in working days.

A dossier comes after the year's publication and changes none of the year's inputs: it needs no
published-year guard; its submission needs the year published (its results are final)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.audit import Actor
from clusters.models import EmulationYear, Membership, Unit
from clusters.permissions import body_and_ancestors
from scoring.awards.rule_sets import rule_set_on, rule_sets
from scoring.awards.services import decision_record
from scoring.dossiers.selectors import (
    award_kind_of,
    cap_of_dossier,
    dossier_verdict,
    leads_in_year,
    rule_set_of,
    work_calendar,
)
from scoring.dossiers.services.common import (
    DossierStepRefused,
    acting_user,
    checked_text,
    dossier_audit,
    dossier_locked,
    today_or,
)
from scoring.engine import awards as rules
from scoring.engine.awards import dossier as path
from scoring.errors import ScoringError
from scoring.models import AwardProposal, AwardRecipient, Dossier, DossierDeadline, DossierDocument

_STEP_NAMES = {
    "submit": gettext_lazy("gửi"),
    "resubmit": gettext_lazy("gửi lại"),
    "return": gettext_lazy("trả lại"),
    "appraise": gettext_lazy("thẩm định"),
    "decide": gettext_lazy("ghi quyết định cho"),
    "revoke": gettext_lazy("thu hồi"),
}


def _step(dossier: Dossier, step: str) -> str:
    """The state `step` leads to, or a refusal that names the state the dossier is in."""
    try:
        return path.next_state(dossier.state, step)
    except path.DossierStepError:
        raise DossierStepRefused(
            _("Không thể %(step)s hồ sơ đang ở trạng thái “%(state)s”.")
            % {
                "step": _STEP_NAMES[step],
                "state": Dossier.State(dossier.state).label,
            },
            code=f"not_{step}",
        ) from None


def _kind(dossier: Dossier, today: dt.date) -> rules.AwardKind:
    """The dossier's award kind in the rule set that judges it (a rule set edited since may have
    dropped it: then no step is taken)."""
    kind = award_kind_of(dossier, today)
    if kind is None:
        raise DossierStepRefused(
            _("Bộ quy tắc áp dụng cho hồ sơ không có hình thức “%(code)s”.")
            % {"code": dossier.award_code},
            code="award_not_in_rule_set",
        )
    return kind


# --- making a dossier ----------------------------------------------------------------------------


def dossier_bodies(emulation_year: EmulationYear) -> list[Unit]:
    """The bodies a cluster's dossiers may go to: its supervising unit and the units above it."""
    return body_and_ancestors(emulation_year.cluster.supervising_unit)


def dossier_create(
    *,
    emulation_year: EmulationYear,
    body: Unit,
    award_code: str,
    proposal: AwardProposal | None = None,
    unit: Unit | None = None,
    actor: Actor = None,
    today: dt.date | None = None,
    is_sample: bool = False,
) -> Dossier:
    """A dossier in draft for a proposal of the year's conference, or for a member unit and an
    award kind of the rule set in force (made by the cluster's secretariat)."""
    today = today_or(today)
    if proposal is not None:
        if proposal.emulation_year_id != emulation_year.pk:
            raise ScoringError(_("Đề nghị này không thuộc năm thi đua này."), field="proposal")
        unit = proposal.unit
    if unit is None:
        raise ScoringError(_("Chọn đề nghị của hội nghị hoặc đơn vị được đề nghị."), field="unit")
    if not Membership.objects.filter(emulation_year=emulation_year, unit=unit).exists():
        raise ScoringError(
            _("%(unit)s không phải thành viên của cụm năm %(year)s.")
            % {"unit": unit.name, "year": emulation_year.year},
            field="unit",
        )
    if body.pk not in {b.pk for b in dossier_bodies(emulation_year)}:
        raise ScoringError(
            _("Hồ sơ chỉ gửi được đến đơn vị chỉ đạo của cụm hoặc cấp trên của đơn vị đó."),
            field="body",
        )
    kind = rule_set_on(today).awards.get(award_code)
    if kind is None:
        raise ScoringError(
            _("Không có hình thức khen thưởng “%(code)s” trong bộ quy tắc đang áp dụng.")
            % {"code": award_code},
            field="award_code",
        )
    leads = bool(proposal and proposal.award_kind.leads_cluster) or leads_in_year(
        emulation_year=emulation_year, unit_id=unit.pk
    )
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                body=body,
                emulation_year=emulation_year,
                unit=unit,
                award_code=award_code,
                award_name=kind.name,
                proposal=proposal,
                leads_cluster=leads,
                is_sample=is_sample,
                created_by=acting_user(actor),
            )
            dossier_audit(
                dossier,
                "create",
                actor,
                f"Lập hồ sơ đề nghị {kind.name} cho {unit.name} (năm {emulation_year.year}), "
                f"gửi {body.name}",
                after={"award": award_code, "unit": unit.code, "body": body.code},
            )
    except IntegrityError:
        raise ScoringError(
            _("Đã có hồ sơ đề nghị %(award)s cho %(unit)s năm %(year)s gửi %(body)s.")
            % {"award": kind.name, "unit": unit.name, "year": emulation_year.year, "body": body},
            field="award_code",
        ) from None
    return dossier


# --- the path ------------------------------------------------------------------------------------


def _set_receipt(dossier: Dossier, today: dt.date) -> None:
    rule_set = rule_set_of(dossier, today)
    clocks = path.receipt_clocks(work_calendar(), rule_set.clocks, today)
    dossier.last_received_on = today
    dossier.return_by = clocks.return_by
    dossier.appraise_by = clocks.appraise_by
    dossier.due_on = clocks.appraise_by
    dossier.appraised_on = dossier.forward_by = None


def dossier_submit(
    *, dossier: Dossier, actor: Actor = None, today: dt.date | None = None
) -> Dossier:
    """The proposing level sends the dossier (a draft), or sends it again after a return. The
    first receipt fixes the rule set that judges it (the law in force that day); every receipt
    starts the awarding level's clocks again."""
    today = today_or(today)
    with transaction.atomic():
        locked = dossier_locked(dossier)
        step = "resubmit" if locked.state == Dossier.State.RETURNED else "submit"
        state = _step(locked, step)
        year = EmulationYear.objects.get(pk=locked.emulation_year_id)
        if not year.is_published:
            raise DossierStepRefused(
                _("Kết quả năm %(year)s chưa công bố: chỉ gửi hồ sơ sau khi công bố.")
                % {"year": year.year},
                code="year_not_published",
            )
        if locked.received_on is None:
            try:
                rule_set = rule_set_on(today)
            except rules.RuleSetError:
                raise DossierStepRefused(
                    _("Không có bộ quy tắc khen thưởng nào có hiệu lực ngày %(day)s.")
                    % {"day": today.strftime("%d/%m/%Y")},
                    code="no_rule_set",
                ) from None
            locked.received_on, locked.rule_set_code = today, rule_set.code
            deadline = DossierDeadline.objects.filter(
                body_id=locked.body_id, award_code=locked.award_code, year=year.year
            ).first()
            locked.late = deadline is not None and today > deadline.due_on
        kind = _kind(locked, today)
        # A generated item filed as a print page (before the documents room made files) has no
        # file to send: it counts as missing until generated again.
        filed = (
            DossierDocument.objects.filter(dossier=locked)
            .exclude(generated=True, generated_document__isnull=True)
            .values_list("item_code", flat=True)
        )
        if missing := path.missing_documents(kind.dossier, filed):
            raise DossierStepRefused(
                _("Hồ sơ còn thiếu: %(items)s.") % {"items": "; ".join(i.name for i in missing)},
                code="documents_missing",
            )
        _set_receipt(locked, today)
        locked.state = state
        locked.save()
        dossier_audit(
            locked,
            step,
            actor,
            f"{'Gửi lại' if step == 'resubmit' else 'Gửi'} hồ sơ đến {locked.body.name}; hạn thẩm "
            f"định {locked.appraise_by:%d/%m/%Y}",
            after={
                "state": state,
                "received_on": today.isoformat(),
                "appraise_by": locked.appraise_by.isoformat() if locked.appraise_by else None,
                "rule_set": locked.rule_set_code,
                "late": locked.late,
            },
        )
    return locked


def dossier_return(
    *, dossier: Dossier, reason: str, actor: Actor = None, today: dt.date | None = None
) -> Dossier:
    """The awarding level returns the dossier to the proposing level with its reasons."""
    today = today_or(today)
    reason = checked_text(reason, "reason")
    if not reason:
        raise ScoringError(_("Ghi lý do trả lại hồ sơ."), field="reason")
    with transaction.atomic():
        locked = dossier_locked(dossier)
        state = _step(locked, "return")
        late = locked.return_by is not None and today > locked.return_by
        locked.state, locked.return_reason = state, reason
        locked.due_on = None
        locked.save()
        dossier_audit(
            locked,
            "return",
            actor,
            "Trả lại hồ sơ" + (" (sau hạn trả lại)" if late else ""),
            after={"state": state, "after_return_clock": late},
            reason=reason,
        )
    return locked


def dossier_appraise(
    *, dossier: Dossier, note: str = "", actor: Actor = None, today: dt.date | None = None
) -> Dossier:
    """The awarding level appraises the dossier: never one the engine holds (a pending
    discipline, inspection or complaint); one it finds not eligible only with a note that says
    why (the officer's reading against the engine's, recorded); the forwarding clock starts."""
    today = today_or(today)
    note = checked_text(note, "note")
    with transaction.atomic():
        locked = dossier_locked(dossier)
        state = _step(locked, "appraise")
        _kind(locked, today)
        verdict = dossier_verdict(locked, rule_set_of(locked, today), today)
        assert verdict is not None  # a dossier not decided, of an award kind of its rule set
        if verdict.status == rules.HELD:
            raise DossierStepRefused(
                _("Đơn vị đang bị tạm hoãn xét khen thưởng: %(reason)s")
                % {"reason": verdict.reasons[0].vi},
                code="held",
            )
        if verdict.status == rules.NOT_ELIGIBLE and not note:
            raise ScoringError(
                _(
                    "Đơn vị chưa đủ điều kiện theo bộ quy tắc: ghi ý kiến thẩm định nói rõ căn cứ "
                    "đề nghị khen thưởng."
                ),
                field="note",
            )
        locked.state = state
        locked.appraised_on = today
        locked.appraisal_note = note
        locked.appraisal_verdict = verdict.status
        rule_set = rule_set_of(locked, today)
        locked.forward_by = path.forward_by(work_calendar(), rule_set.clocks, today)
        locked.due_on = locked.forward_by
        locked.save()
        dossier_audit(
            locked,
            "appraise",
            actor,
            f"Thẩm định hồ sơ ({verdict.status}); hạn chuyển quyết định "
            f"{locked.forward_by:%d/%m/%Y}",
            after={
                "state": state,
                "verdict": verdict.status,
                "forward_by": locked.forward_by.isoformat() if locked.forward_by else None,
                "after_appraisal_clock": bool(locked.appraise_by and today > locked.appraise_by),
            },
            reason=note,
        )
    return locked


def dossier_decide(
    *,
    dossier: Dossier,
    number: str,
    decided_on: dt.date,
    deciding_body: str,
    note: str = "",
    actor: Actor = None,
    today: dt.date | None = None,
) -> Dossier:
    """The awarding level's decision on an appraised dossier: the council's vote must have passed
    where the rule set has the council vote, and the award kind's cap must leave room; the
    decision goes into the register (`decision_record`) and so into the unit's history."""
    today = today_or(today)
    note = checked_text(note, "note")
    with transaction.atomic():
        locked = dossier_locked(dossier)
        state = _step(locked, "decide")
        kind = _kind(locked, today)
        if kind.council is not None:
            result = getattr(locked, "council_result", None)
            if result is None:
                raise DossierStepRefused(
                    _("Hội đồng Thi đua – Khen thưởng chưa bỏ phiếu về đề nghị này."),
                    code="council_missing",
                )
            if not result.passed:
                raise DossierStepRefused(
                    _("Đề nghị không đạt tỷ lệ phiếu của Hội đồng: không thể quyết định."),
                    code="council_failed",
                )
        cap = cap_of_dossier(locked, kind)
        if cap is not None and cap.decided >= cap.result.allowed:
            raise DossierStepRefused(
                _("Vượt số lượng được khen: %(reason)s") % {"reason": cap.result.reason.vi},
                code="over_cap",
            )
        decision = decision_record(
            number=number,
            decided_on=decided_on,
            deciding_body=deciding_body,
            award_code=locked.award_code,
            achievement_year=locked.emulation_year.year,
            units=[locked.unit],
            note=note,
            actor=actor,
            is_sample=locked.is_sample,
        )
        locked.state, locked.decision = state, decision
        locked.due_on = None
        locked.save()
        dossier_audit(
            locked,
            "decide",
            actor,
            f"Quyết định {decision.number} ngày {decided_on:%d/%m/%Y}",
            after={
                "state": state,
                "decision": decision.number,
                "decided_on": decided_on.isoformat(),
                "after_forward_clock": bool(locked.forward_by and today > locked.forward_by),
            },
        )
    return locked


def dossier_revoke(*, dossier: Dossier, reason: str, actor: Actor = None) -> Dossier:
    """The award revoked (a decision annulled for the unit): the register keeps the decision,
    marked revoked with the reason, and the unit's history no longer counts it."""
    reason = checked_text(reason, "reason")
    if not reason:
        raise ScoringError(_("Ghi lý do thu hồi."), field="reason")
    with transaction.atomic():
        locked = dossier_locked(dossier)
        state = _step(locked, "revoke")
        AwardRecipient.objects.filter(
            decision_id=locked.decision_id, unit_id=locked.unit_id
        ).update(revoked=True, revoked_reason=reason[:300])
        locked.state, locked.revoke_reason = state, reason
        locked.save()
        dossier_audit(
            locked, "revoke", actor, "Thu hồi khen thưởng", after={"state": state}, reason=reason
        )
    return locked


def dossiers_reclock(*, today: dt.date | None = None) -> int:
    """Every running clock set again from the calendar as it is now (after a day off or a day
    worked was added or removed): the deadlines of dossiers awaiting the awarding level."""
    calendar, sets = work_calendar(), rule_sets()
    changed = 0
    with transaction.atomic():
        for dossier in Dossier.objects.select_for_update().filter(state__in=Dossier.AWAITING):
            clocks = rule_set_of(dossier, today_or(today), sets).clocks
            if dossier.state == Dossier.State.APPRAISED and dossier.appraised_on:
                fields = {"forward_by": path.forward_by(calendar, clocks, dossier.appraised_on)}
                fields["due_on"] = fields["forward_by"]
            elif dossier.last_received_on:
                receipt = path.receipt_clocks(calendar, clocks, dossier.last_received_on)
                fields = {
                    "return_by": receipt.return_by,
                    "appraise_by": receipt.appraise_by,
                    "due_on": receipt.appraise_by,
                }
            else:
                continue
            if any(getattr(dossier, k) != v for k, v in fields.items()):
                Dossier.objects.filter(pk=dossier.pk).update(**fields, updated_at=timezone.now())
                changed += 1
    return changed
