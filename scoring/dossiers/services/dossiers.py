"""Writes of the award dossier: made from a conference's proposal (or for a unit and an award kind
by the cluster's secretariat), its documents, and every step of its path — submit, return with a
reason, resubmit, appraise, decide (which writes the award register and the unit's history),
revoke with a reason. Each step takes the dossier's row lock, checks that its state allows it
(scoring/engine/awards/dossier.py) and writes an audit row, which the dossier's page shows as its
steps. The clocks are set on receipt and on appraisal, in working days.

A dossier comes after the year's publication and changes none of the year's inputs: it needs no
published-year guard; its submission needs the year published (its results are final)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear, Membership, Unit
from clusters.permissions import body_and_ancestors
from scoring.awards.rule_sets import rule_set_on
from scoring.awards.services import decision_record
from scoring.documents.selectors import year_archived_document
from scoring.documents.services import documents_generate
from scoring.dossiers.selectors import (
    award_kind_of,
    cap_of_dossier,
    dossier_verdict,
    leads_in_year,
    rule_set_of,
    work_calendar,
)
from scoring.engine import awards as rules
from scoring.engine.awards import dossier as path
from scoring.errors import ScoringError
from scoring.models import (
    AwardProposal,
    AwardRecipient,
    DocumentKind,
    Dossier,
    DossierDeadline,
    DossierDocument,
    GeneratedDocument,
)
from scoring.reporting.services.evidence import stored_upload

# What a dossier's document may be, told by its first bytes and its name.
DOCUMENT_KINDS = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".docx": (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
# A reason or a note longer than this is pasted by mistake.
MAX_TEXT = 4000


class DossierStepRefused(ScoringError):
    """A step the dossier's state (or its contents) does not allow."""

    code = "dossier_step_refused"


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _locked(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until commit, read again (a step taken meanwhile counts)."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("emulation_year", "unit", "body")
        .get(pk=dossier.pk)
    )


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


def _audit(dossier: Dossier, action: str, actor: Actor, summary: str, **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=f"dossier.{action}",
        obj=dossier,
        emulation_year_id=dossier.emulation_year_id,
        summary=summary,
        **extra,
    )


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ScoringError(
            _("Tối đa %(n)s ký tự.") % {"n": f"{MAX_TEXT:,}".replace(",", ".")}, field=field
        )
    return value


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
    today = _today(today)
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
                created_by=_user(actor),
            )
            _audit(
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


# --- documents -----------------------------------------------------------------------------------


def document_check(upload: UploadedFile) -> str:
    """The upload's content type: a PDF or a Word (DOCX) file, told by its content, within the
    evidence limit."""
    assert upload.name is not None and upload.size is not None  # a file from a form has both
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoringError(
            _("%(file)s: tệp quá lớn (tối đa %(megabytes)s MB).")
            % {"file": upload.name, "megabytes": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    extension = os.path.splitext(upload.name)[1].lower()
    head = upload.read(8)
    upload.seek(0)
    magic, content_type = DOCUMENT_KINDS.get(extension, (b"", ""))
    if not magic or not head.startswith(magic):
        raise ScoringError(
            _("%(file)s: chỉ nhận tệp PDF hoặc Word (.docx), kiểm tra theo nội dung tệp.")
            % {"file": upload.name},
            field="file",
        )
    return content_type


def _pdf_pages(data: bytes) -> int | None:
    """A PDF's page count (None for one the reader cannot count: still a document)."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        return None


def _digest_and_pages(upload: UploadedFile, content_type: str) -> tuple[str, int | None]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    pages = None
    if content_type == "application/pdf":
        pages = _pdf_pages(upload.read())
        upload.seek(0)
    return digest.hexdigest(), pages


def _item(dossier: Dossier, item_code: str, today: dt.date) -> rules.DossierItem:
    kind = award_kind_of(dossier, today)
    for item in kind.dossier if kind is not None else ():
        if item.code == item_code:
            return item
    raise ScoringError(_("Hồ sơ của hình thức này không có mục đó."), field="item_code")


def _editable(dossier: Dossier) -> None:
    if dossier.state not in path.EDITABLE:
        raise DossierStepRefused(
            _("Chỉ thay đổi tài liệu khi hồ sơ đang chuẩn bị hoặc bị trả lại."),
            code="documents_closed",
        )


def _replace(dossier: Dossier, item_code: str) -> None:
    """Remove the item's earlier document (its file once the transaction commits)."""
    old = DossierDocument.objects.filter(dossier=dossier, item_code=item_code).first()
    if old is not None:
        if old.file:
            name = old.file.name
            transaction.on_commit(lambda: default_storage.delete(name))
        old.delete()


def dossier_document_add(
    *,
    dossier: Dossier,
    item_code: str,
    upload: UploadedFile,
    number: str = "",
    issued_on: dt.date | None = None,
    actor: Actor = None,
    today: dt.date | None = None,
) -> DossierDocument:
    """A file for an item of the checklist (replacing the item's earlier one)."""
    today = _today(today)
    item = _item(dossier, item_code, today)
    content_type = document_check(upload)
    assert upload.name is not None and upload.size is not None
    digest, pages = _digest_and_pages(upload, content_type)
    original = os.path.basename(upload.name)[:255]
    folder = f"dossiers/{dossier.emulation_year.year}"
    with (
        stored_upload(upload, folder=folder, name=f"{dossier.pk}-{item.code}") as stored,
        transaction.atomic(),
    ):
        locked = _locked(dossier)
        _editable(locked)
        _replace(locked, item.code)
        document = DossierDocument.objects.create(
            dossier=locked,
            item_code=item.code,
            file=stored,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            sha256=digest,
            pages=pages,
            number=_text(number, "number")[:60],
            issued_on=issued_on,
            uploaded_by=_user(actor),
        )
        _audit(
            locked,
            "document",
            actor,
            f"Đính kèm “{item.name}”: {original} ({upload.size} byte)",
            after={"item": item.code, "file": original, "sha256": digest},
        )
    return document


def _generated_source(
    dossier: Dossier, item: rules.DossierItem, actor: Actor, today: dt.date
) -> tuple[GeneratedDocument, bool]:
    """The documents room's document an item is filed as, and whether it existed: the year's
    newest archived one of the item's kind (for a score sheet, the dossier's unit's), else one
    generated now — archived, the year being published. The rendering happens here, outside
    any transaction; a template failing on the year's data is the room's refusal (DocumentRefused:
    nothing stored)."""
    year = EmulationYear.objects.select_related("cluster").get(pk=dossier.emulation_year_id)
    if not year.is_published:
        # A draft still changes, and the documents room replaces its drafts: a dossier files
        # only what the published year archived.
        raise DossierStepRefused(
            _(
                "Kết quả năm %(year)s chưa công bố: tài liệu tạo từ dữ liệu chỉ dùng bản lưu trữ "
                "của năm đã công bố."
            )
            % {"year": year.year},
            code="year_not_published",
        )
    if item.document == DocumentKind.PROPOSAL and dossier.proposal_id is None:
        raise ScoringError(
            _(
                "Tờ trình của năm chỉ nêu các đề nghị của hội nghị tổng kết, mà hồ sơ này không "
                "lập từ đề nghị của hội nghị: hãy tải tờ trình lên."
            ),
            field="item_code",
        )
    unit_id = dossier.unit_id if item.document == DocumentKind.SCORE_SHEET else None
    found = year_archived_document(emulation_year=year, kind=item.document, unit_id=unit_id)
    if found is not None:
        return found, True
    made = documents_generate(
        emulation_year=year,
        kind=item.document,
        unit_ids=[unit_id] if unit_id else None,
        issued_on=today,
        actor=actor,
    )
    if len(made) != 1 or not made[0].archived:  # the year reopened meanwhile: a draft
        raise DossierStepRefused(
            _("Năm %(year)s vừa được mở lại: chưa có bản lưu trữ để dùng.") % {"year": year.year},
            code="year_not_published",
        )
    return made[0], False


def dossier_document_generated(
    *, dossier: Dossier, item_code: str, actor: Actor = None, today: dt.date | None = None
) -> DossierDocument:
    """The item filled by the document the documents room generates from the year's data (the
    minutes with the vote results, the cluster's letter): the year's archived copy, or one
    generated now (`_generated_source`). The item points at it and carries its number, date,
    the PDF's digest, size and page count; the package takes its Word and PDF files."""
    today = _today(today)
    item = _item(dossier, item_code, today)
    if item.source != "generated":
        raise ScoringError(_("Mục này phải tải tệp lên."), field="item_code")
    # Before rendering anything (read now: a step may have been taken since); again under the lock.
    _editable(Dossier.objects.only("state").get(pk=dossier.pk))
    source, reused = _generated_source(dossier, item, actor, today)
    pdf = bytes(source.pdf)
    pages = _pdf_pages(pdf)
    with transaction.atomic():
        locked = _locked(dossier)
        _editable(locked)
        _replace(locked, item.code)
        document = DossierDocument.objects.create(
            dossier=locked,
            item_code=item.code,
            generated=True,
            generated_document=source,
            content_type="application/pdf",
            size=len(pdf),
            sha256=source.pdf_sha256,
            pages=pages,
            number=source.number,
            issued_on=source.issued_on,
            uploaded_by=_user(actor),
        )
        _audit(
            locked,
            "document_generated",
            actor,
            f"Dùng “{item.name}” tạo từ dữ liệu của năm: {source.number}, "
            f"{source.issued_on:%d/%m/%Y}" + (" (bản lưu trữ có sẵn)" if reused else ""),
            after={
                "item": item.code,
                "generated": True,
                "document": source.pk,
                "kind": source.kind,
                "pdf_sha256": source.pdf_sha256,
                "reused": reused,
            },
        )
    return document


def dossier_document_remove(*, dossier: Dossier, document_id: int, actor: Actor = None) -> None:
    with transaction.atomic():
        locked = _locked(dossier)
        _editable(locked)
        document = DossierDocument.objects.filter(dossier=locked, pk=document_id).first()
        if document is None:
            raise ScoringError(_("Không có tài liệu này trong hồ sơ."))
        if document.file:
            name = document.file.name
            transaction.on_commit(lambda: default_storage.delete(name))
        document.delete()
        _audit(
            locked,
            "document_remove",
            actor,
            f"Bỏ tài liệu mục {document.item_code}",
            before={"item": document.item_code, "file": document.original_name},
        )


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
    today = _today(today)
    with transaction.atomic():
        locked = _locked(dossier)
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
        _audit(
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
    today = _today(today)
    reason = _text(reason, "reason")
    if not reason:
        raise ScoringError(_("Ghi lý do trả lại hồ sơ."), field="reason")
    with transaction.atomic():
        locked = _locked(dossier)
        state = _step(locked, "return")
        late = locked.return_by is not None and today > locked.return_by
        locked.state, locked.return_reason = state, reason
        locked.due_on = None
        locked.save()
        _audit(
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
    today = _today(today)
    note = _text(note, "note")
    with transaction.atomic():
        locked = _locked(dossier)
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
        _audit(
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
    today = _today(today)
    note = _text(note, "note")
    with transaction.atomic():
        locked = _locked(dossier)
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
        _audit(
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
    reason = _text(reason, "reason")
    if not reason:
        raise ScoringError(_("Ghi lý do thu hồi."), field="reason")
    with transaction.atomic():
        locked = _locked(dossier)
        state = _step(locked, "revoke")
        AwardRecipient.objects.filter(
            decision_id=locked.decision_id, unit_id=locked.unit_id
        ).update(revoked=True, revoked_reason=reason[:300])
        locked.state, locked.revoke_reason = state, reason
        locked.save()
        _audit(
            locked, "revoke", actor, "Thu hồi khen thưởng", after={"state": state}, reason=reason
        )
    return locked


def dossiers_reclock(*, today: dt.date | None = None) -> int:
    """Every running clock set again from the calendar as it is now (after a day off or a day
    worked was added or removed): the deadlines of dossiers awaiting the awarding level."""
    calendar = work_calendar()
    changed = 0
    with transaction.atomic():
        for dossier in Dossier.objects.select_for_update().filter(state__in=Dossier.AWAITING):
            clocks = rule_set_of(dossier, _today(today)).clocks
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
