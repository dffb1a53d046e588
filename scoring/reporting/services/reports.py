"""A member's year report: save a draft, submit, return with comments, verify — with an
optimistic lock so that two people editing the same report never overwrite each other."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear
from scoring.errors import ScoringError, YearLocked
from scoring.formatting import plain_number
from scoring.inbox.services import notify_report_returned, notify_report_submitted
from scoring.models import Report, ReportComment, ReportValue
from scoring.ranking.services.dirty import figures_mark_dirty, year_mark_dirty


class ReportConflict(ScoringError):
    """Someone else saved the report after this form was opened."""


class ReportNotEditable(ScoringError):
    """The report is not in a state its reporter may change."""


EDITABLE = (Report.Status.DRAFT, Report.Status.RETURNED)


def report_get_or_create(*, emulation_year: EmulationYear, unit_id: int) -> Report:
    report, _created = Report.objects.get_or_create(emulation_year=emulation_year, unit_id=unit_id)
    return report


def _lock(report: Report, expected_version: int) -> Report:
    """Take the row and check nobody saved since `expected_version` was read."""
    # (With its unit, for the audit trail's summary: only the report's row is locked.)
    locked = Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    if locked.version != expected_version:
        raise ReportConflict(
            _(
                "Báo cáo vừa được người khác lưu (phiên bản %(saved)s, bạn đang sửa phiên bản %(yours)s). "
                "Số liệu bạn nhập vẫn còn trên biểu mẫu: hãy tải lại để xem thay đổi rồi nhập lại."
            )
            % {"saved": locked.version, "yours": expected_version}
        )
    return locked


def _lock_open_year(report: Report) -> EmulationYear:
    year = EmulationYear.objects.select_for_update().get(pk=report.emulation_year_id)
    if year.is_published:
        raise YearLocked(
            _(
                "Kết quả năm này đã công bố: báo cáo không thể thay đổi. Hãy mở lại năm (kèm lý do) trước."
            )
        )
    return year


def _write_values(locked: Report, values: dict[str, Decimal | None], notes: dict[str, str]) -> dict:
    """Write the figures that changed: the new rows in one statement, the changed columns of
    the changed rows in one short statement each."""
    existing = {v.element_code: v for v in locked.values.all()}
    changes = {}
    created, updated, fields = [], [], set()
    for code, value in values.items():
        note = notes.get(code, "")
        row = existing.get(code)
        if row is None:
            if value is None and not note:
                continue
            created.append(ReportValue(report=locked, element_code=code, value=value, note=note))
            changes[code] = [None, plain_number(value)]
        elif row.value != value or row.note != note:
            changes[code] = [plain_number(row.value), plain_number(value)]
            fields |= {"value"} if row.value != value else set()
            fields |= {"note"} if row.note != note else set()
            row.value, row.note = value, note
            updated.append(row)
    if created:
        ReportValue.objects.bulk_create(created)
    if updated:
        _update_figures(updated, sorted(fields))
    return changes


def _update_figures(rows: list[ReportValue], names: list[str]) -> None:
    """The changed columns of the changed rows: one short statement per row, through the cursor.
    (`bulk_update` builds a CASE per column over the rows, and compiling it took more CPU than
    all the save's other statements together.)"""
    quote = connection.ops.quote_name
    # The names are the model's own columns: no relation, no reverse accessor.
    columns = [cast(Field, ReportValue._meta.get_field(name)) for name in names]
    sql = (
        f"UPDATE {quote(ReportValue._meta.db_table)} SET "  # noqa: S608 — names from the model
        + ", ".join(f"{quote(c.column)} = %s" for c in columns)
        + f" WHERE {quote(ReportValue._meta.pk.column)} = %s"
    )
    params = [
        [c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def report_save(
    *,
    report: Report,
    expected_version: int,
    values: dict[str, Decimal | None],
    notes: dict[str, str] | None = None,
    submit: bool = False,
    answers: dict[int, str] | None = None,
    note: str | None = None,
    actor: Actor = None,
    today: dt.date | None = None,
    check_deadline: bool = True,
) -> Report:
    """The reporter saves (and maybe submits) the figures. Refused when someone saved in between
    (ReportConflict), when the report is submitted or verified (ReportNotEditable), or when the
    year is published (YearLocked). Submitting after the deadline is refused: only the
    secretariat can reopen."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # The year row too: a publication cannot slip in between the check and the write.
        year = EmulationYear.objects.select_for_update().get(pk=report.emulation_year_id)
        locked = _lock(report, expected_version)
        if year.is_published:
            raise YearLocked(_("Kết quả năm này đã công bố: báo cáo không thể thay đổi."))
        if locked.status not in EDITABLE:
            raise ReportNotEditable(
                _(
                    "Báo cáo đang ở trạng thái “%(status)s”: không thể sửa. "
                    "Hãy đề nghị thư ký cụm trả lại nếu cần điều chỉnh."
                )
                % {"status": locked.get_status_display()}
            )
        # After the deadline only a report the secretariat returned (or reopened) may be submitted.
        late = year.reporting_deadline and today > year.reporting_deadline
        if submit and late and check_deadline and locked.status != Report.Status.RETURNED:
            raise ReportNotEditable(
                _("Đã quá hạn nộp báo cáo (%(deadline)s): chỉ thư ký cụm có thể mở lại để nộp.")
                % {"deadline": f"{year.reporting_deadline:%d/%m/%Y}"}
            )
        changes = _write_values(locked, values, notes or {})
        for comment in locked.comments.filter(pk__in=list(answers or {}), resolved=False):
            text = (answers or {}).get(comment.pk, "").strip()
            if text and text != comment.answer:
                comment.answer, comment.answered_at = text, timezone.now()
                comment.save(update_fields=["answer", "answered_at"])
                changes[f"trả lời nhận xét {comment.element_code or 'chung'}"] = [None, text]
        if note is not None and note != locked.note:
            changes["ghi chú"] = [locked.note or None, note or None]
        fields: dict[str, Any] = {"version": F("version") + 1}
        if note is not None:
            fields["note"] = note
        if submit:
            fields.update(
                status=Report.Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=actor
            )
        Report.objects.filter(pk=locked.pk).update(**fields)
        if changes or submit:
            audit_record(
                actor=actor,
                action="report.submit" if submit else "report.save",
                obj=locked,
                emulation_year_id=year.pk,
                summary=("Nộp báo cáo" if submit else "Lưu nháp báo cáo") + f" của {locked.unit}",
                before={code: old for code, (old, _new) in changes.items()},
                after={code: new for code, (_old, new) in changes.items()},
            )
        if submit or locked.status == Report.Status.SUBMITTED:
            figures_mark_dirty(emulation_year_id=year.pk, unit_ids={locked.unit_id})
        if submit:
            notify_report_submitted(report_id=locked.pk, version=locked.version + 1)
    report.refresh_from_db()
    return report


def report_return(
    *, report: Report, expected_version: int, comments: dict[str, str], actor: Actor = None
) -> Report:
    """The secretariat returns a submitted report with comments per figure ('' for the whole)."""
    comments = {code: text.strip() for code, text in comments.items() if text and text.strip()}
    if not comments:
        raise ScoringError(_("Hãy ghi nhận xét cho ít nhất một số liệu khi trả lại báo cáo."))
    with transaction.atomic():
        _lock_open_year(report)
        locked = _lock(report, expected_version)
        if locked.status not in Report.SCORED_STATUSES:
            raise ReportNotEditable(_("Chỉ trả lại được báo cáo đã nộp."))
        ReportComment.objects.bulk_create(
            [
                ReportComment(report=locked, element_code=code, text=text, author=actor)
                for code, text in comments.items()
            ]
        )
        Report.objects.filter(pk=locked.pk).update(
            status=Report.Status.RETURNED,
            version=F("version") + 1,
            verified_at=None,
            verified_by=None,
        )
        audit_record(
            actor=actor,
            action="report.return",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Trả lại báo cáo của {locked.unit} ({len(comments)} nhận xét)",
            before={"status": locked.status},
            after={"status": Report.Status.RETURNED, "comments": comments},
        )
        # Returned figures no longer count until they are submitted again.
        figures_mark_dirty(emulation_year_id=locked.emulation_year_id, unit_ids={locked.unit_id})
        notify_report_returned(report_id=locked.pk, version=locked.version + 1)
    report.refresh_from_db()
    return report


def report_verify(*, report: Report, expected_version: int, actor: Actor = None) -> Report:
    with transaction.atomic():
        _lock_open_year(report)
        locked = _lock(report, expected_version)
        if locked.status != Report.Status.SUBMITTED:
            raise ReportNotEditable(_("Chỉ thẩm định được báo cáo đã nộp."))
        now = timezone.now()
        Report.objects.filter(pk=locked.pk).update(
            status=Report.Status.VERIFIED,
            version=F("version") + 1,
            verified_at=now,
            verified_by=actor,
        )
        locked.comments.filter(resolved=False).update(resolved=True)
        audit_record(
            actor=actor,
            action="report.verify",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Thẩm định báo cáo của {locked.unit}",
            before={"status": locked.status},
            after={"status": Report.Status.VERIFIED},
        )
        year_mark_dirty(emulation_year_id=locked.emulation_year_id)
    report.refresh_from_db()
    return report


def report_reopen_late(*, report: Report, reason: str, actor: Actor = None) -> Report:
    """The secretariat lets a member submit after the deadline: the report is reopened (returned)
    with the reason as a comment, recorded in the audit trail."""
    if not reason.strip():
        raise ScoringError(_("Cho phép nộp muộn cần ghi rõ lý do."))
    with transaction.atomic():
        _lock_open_year(report)
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Report.Status.DRAFT:
            raise ReportNotEditable(_("Chỉ mở lại được báo cáo chưa nộp."))
        ReportComment.objects.create(report=locked, text=reason.strip(), author=actor)
        Report.objects.filter(pk=locked.pk).update(
            status=Report.Status.RETURNED, version=F("version") + 1
        )
        audit_record(
            actor=actor,
            action="report.reopen_late",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Cho phép {locked.unit} nộp báo cáo sau hạn",
            reason=reason.strip(),
            before={"status": locked.status},
            after={"status": Report.Status.RETURNED},
        )
    report.refresh_from_db()
    return report
