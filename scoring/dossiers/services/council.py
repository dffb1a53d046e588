"""Writes of the council stage and of an awarding body's settings: its emulation council for a
year and the council's members, the result of the council's secret ballot on a proposal, the
deadlines it sets for dossiers, and the days off and worked its clocks count.

The council's ballot stays secret because the app never holds a ballot: the result is entered
from the tally sheet as counts (for, against, invalid, members present, absent members' written
opinions for and against). No member is tied to a count, and no row names who was present
(docs/security.md, "The council's secret ballot")."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import Unit
from scoring.awards.rule_sets import rule_sets
from scoring.dossiers.selectors import award_kind_of
from scoring.dossiers.services.dossiers import dossiers_reclock
from scoring.engine import awards as rules
from scoring.engine.awards import dossier as path
from scoring.errors import ScoringError
from scoring.models import (
    Council,
    CouncilMember,
    CouncilResult,
    Dossier,
    DossierDeadline,
    WorkCalendarDay,
)
from scoring.reporting.services.evidence import stored_upload
from scoring.setup.services.pledges import scan_check

# A council larger than this is a typing mistake.
MAX_MEMBERS = 99


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def council_create(*, body: Unit, year: int, name: str, actor: Actor = None) -> Council:
    name = (name or "").strip()
    if not name:
        raise ScoringError(_("Ghi tên hội đồng."), field="name")
    if not 2000 <= year <= 2100:
        raise ScoringError(_("Năm từ 2000 đến 2100."), field="year")
    try:
        with transaction.atomic():
            council = Council.objects.create(body=body, year=year, name=name[:200])
            audit_record(
                actor=actor,
                action="council.create",
                obj=council,
                summary=f"Lập {council.name} năm {year} của {body.name}",
            )
    except IntegrityError:
        raise ScoringError(
            _("%(body)s đã có hội đồng năm %(year)s.") % {"body": body.name, "year": year},
            field="year",
        ) from None
    return council


def council_member_add(
    *, council: Council, name: str, role: str, title: str = "", actor: Actor = None
) -> CouncilMember:
    name = (name or "").strip()
    if not name:
        raise ScoringError(_("Ghi họ và tên thành viên."), field="name")
    if role not in CouncilMember.Role.values:
        raise ScoringError(_("Chọn vai trò trong hội đồng."), field="role")
    with transaction.atomic():
        Council.objects.select_for_update().get(pk=council.pk)
        count = council.members.count()
        if count >= MAX_MEMBERS:
            raise ScoringError(
                _("Hội đồng có tối đa %(n)s thành viên.") % {"n": MAX_MEMBERS}, field="name"
            )
        if role == CouncilMember.Role.CHAIR and council.members.filter(role=role).exists():
            raise ScoringError(_("Hội đồng đã có Chủ tịch."), field="role")
        member = CouncilMember.objects.create(
            council=council, name=name[:120], title=(title or "").strip()[:200], role=role,
            position=count + 1,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="council.member_add",
            obj=council,
            summary=f"Thêm thành viên {member.name} ({member.get_role_display()})",
            after={"name": member.name, "role": role},
        )
    return member


def council_member_remove(*, council: Council, member_id: int, actor: Actor = None) -> None:
    with transaction.atomic():
        member = CouncilMember.objects.filter(council=council, pk=member_id).first()
        if member is None:
            raise ScoringError(_("Không có thành viên này trong hội đồng."))
        member.delete()
        audit_record(
            actor=actor,
            action="council.member_remove",
            obj=council,
            summary=f"Bỏ thành viên {member.name}",
            before={"name": member.name, "role": member.role},
        )


def _counts_check(
    *,
    members: int,
    present: int,
    yes: int,
    no: int,
    invalid: int,
    written_yes: int,
    written_no: int,
) -> None:
    """The tally sheet's counts must add up; each refusal names the field to correct."""
    if members == 0:
        raise ScoringError(
            _("Hội đồng chưa có thành viên: thêm thành viên trước."), field="present"
        )
    if present > members:
        raise ScoringError(
            _("Số có mặt (%(present)s) lớn hơn số thành viên hội đồng (%(members)s).")
            % {"present": present, "members": members},
            field="present",
        )
    if yes + no + invalid != present:
        raise ScoringError(
            _(
                "Mỗi thành viên có mặt bỏ một phiếu: đồng ý + không đồng ý + không hợp lệ "
                "(%(sum)s) phải bằng số có mặt (%(present)s)."
            )
            % {"sum": yes + no + invalid, "present": present},
            field="yes",
        )
    if written_yes + written_no > members - present:
        raise ScoringError(
            _("Ý kiến bằng văn bản (%(n)s) nhiều hơn số thành viên vắng mặt (%(absent)s).")
            % {"n": written_yes + written_no, "absent": members - present},
            field="written_yes",
        )


def council_result_record(
    *,
    council: Council,
    dossier: Dossier,
    met_on: dt.date,
    present: int,
    yes: int,
    no: int,
    invalid: int = 0,
    written_yes: int = 0,
    written_no: int = 0,
    scan: UploadedFile | None = None,
    reason: str = "",
    actor: Actor = None,
    today: dt.date | None = None,
) -> CouncilResult:
    """The council's secret ballot on one proposal, from its tally sheet, judged by the rule
    set's threshold and base (`council_passes`: at least the share of ALL the council's members,
    absent members' written opinions counted). A result already recorded is replaced only with a
    reason (a correction of the tally)."""
    today = today or timezone.localdate()
    if dossier.body_id != council.body_id or dossier.emulation_year.year != council.year:
        raise ScoringError(_("Đề nghị này không thuộc phiên họp của hội đồng."), field="dossier")
    if (
        written_yes + written_no
        and scan is None
        and not CouncilResult.objects.filter(dossier=dossier).exclude(opinions_scan="").exists()
    ):
        raise ScoringError(
            _("Đính kèm bản scan ý kiến bằng văn bản của thành viên vắng mặt."), field="scan"
        )
    if scan is not None:
        try:
            scan_check(scan)
        except ScoringError as error:
            raise ScoringError(str(error), field="scan") from None
    kind = award_kind_of(dossier, today)
    rule = kind.council if kind is not None and kind.council is not None else None
    if rule is None:
        raise ScoringError(
            _("Bộ quy tắc không quy định Hội đồng bỏ phiếu cho hình thức này."), field="dossier"
        )
    reason = (reason or "").strip()
    with (
        stored_upload(scan, folder=f"councils/{council.year}", name=f"{dossier.pk}")
        if scan is not None
        else nullcontext("") as stored,
        transaction.atomic(),
    ):
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if locked.state not in path.VOTABLE:
            raise ScoringError(
                _("Hồ sơ đã có quyết định: không ghi lại kết quả bỏ phiếu."), field="dossier"
            )
        members = council.members.count()
        _counts_check(
            members=members,
            present=present,
            yes=yes,
            no=no,
            invalid=invalid,
            written_yes=written_yes,
            written_no=written_no,
        )
        verdict = rules.council_passes(
            rule,
            yes=yes + written_yes,
            members=members,
            voting=yes + no + written_yes + written_no,
        )
        existing = CouncilResult.objects.filter(dossier=locked).first()
        if existing is not None and not reason:
            raise ScoringError(
                _("Đề nghị đã có kết quả bỏ phiếu: ghi lý do sửa kết quả."), field="reason"
            )
        before = _counts(existing) if existing is not None else None
        result = existing or CouncilResult(council=council, dossier=locked)
        old_scan = existing.opinions_scan.name if existing is not None and stored else ""
        result.met_on = met_on
        result.members, result.present = members, present
        result.yes, result.no, result.invalid = yes, no, invalid
        result.written_yes, result.written_no = written_yes, written_no
        result.threshold_percent = Decimal(str(rule.threshold_percent))
        result.base = rule.base
        result.passed = verdict.met
        result.recorded_by = _user(actor)
        if stored:
            result.opinions_scan = stored
        result.save()
        if old_scan:
            transaction.on_commit(lambda: default_storage.delete(old_scan))
        audit_record(
            actor=actor,
            action="dossier.council",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Kết quả bỏ phiếu của {council.name}: {verdict.vi}",
            before=before,
            after=_counts(result),
            reason=reason,
        )
    return result


def _counts(result: CouncilResult) -> dict[str, Any]:
    return {
        "members": result.members,
        "present": result.present,
        "yes": result.yes,
        "no": result.no,
        "invalid": result.invalid,
        "written_yes": result.written_yes,
        "written_no": result.written_no,
        "passed": result.passed,
    }


def deadline_set(
    *, body: Unit, award_code: str, year: int, due_on: dt.date, note: str = "", actor: Actor = None
) -> DossierDeadline:
    """The day the body takes an award kind's dossiers for a year by (set again: moved)."""
    if not any(award_code in r.awards for r in rule_sets()):
        raise ScoringError(_("Không có hình thức khen thưởng này."), field="award_code")
    if not 2000 <= year <= 2100:
        raise ScoringError(_("Năm từ 2000 đến 2100."), field="year")
    if due_on.year < year:
        raise ScoringError(_("Hạn gửi trước năm thành tích."), field="due_on")
    with transaction.atomic():
        deadline, created = DossierDeadline.objects.select_for_update().get_or_create(
            body=body, award_code=award_code, year=year, defaults={"due_on": due_on}
        )
        before = None if created else {"due_on": deadline.due_on.isoformat()}
        deadline.due_on, deadline.note = due_on, (note or "").strip()[:300]
        deadline.save()
        audit_record(
            actor=actor,
            action="dossier.deadline",
            obj=deadline,
            summary=f"Hạn gửi hồ sơ {award_code} năm {year}: {due_on:%d/%m/%Y} ({body.name})",
            before=before,
            after={"due_on": due_on.isoformat()},
        )
    return deadline


def calendar_day_set(
    *, day: dt.date, working: bool, note: str = "", actor: Actor = None
) -> WorkCalendarDay:
    """A day off (or a day worked) the clocks count; every running clock moves with it."""
    with transaction.atomic():
        row, _created = WorkCalendarDay.objects.update_or_create(
            day=day, defaults={"working": working, "note": (note or "").strip()[:300]}
        )
        moved = dossiers_reclock()
        audit_record(
            actor=actor,
            action="calendar.day",
            obj=row,
            summary=f"{'Ngày làm bù' if working else 'Ngày nghỉ thêm'} {day:%d/%m/%Y}; "
            f"{moved} hồ sơ đổi hạn",
            after={"day": day.isoformat(), "working": working},
        )
    return row


def calendar_day_remove(*, day: dt.date, actor: Actor = None) -> None:
    with transaction.atomic():
        deleted, _rows = WorkCalendarDay.objects.filter(day=day).delete()
        if not deleted:
            return
        moved = dossiers_reclock()
        audit_record(
            actor=actor,
            action="calendar.day_remove",
            object_type="scoring.workcalendarday",
            object_id=day.isoformat(),
            summary=f"Bỏ ngày {day:%d/%m/%Y} khỏi lịch; {moved} hồ sơ đổi hạn",
        )
