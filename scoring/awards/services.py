"""Writes of the award register: decisions entered in a form or imported from the spreadsheet
every office keeps of its past awards, and holds on a unit's proposals. A file is checked whole —
unknown unit or award kind, bad date, a decision already in the register — before anything is
written, and the error names the file, the row and the column."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import Unit
from emulation.uploads import format_bytes, saved_upload
from scoring.awards.rule_sets import (
    award_kind_named,
    rule_sets,
    rule_sets_with_sources,
    uploads_changed,
)
from scoring.awards.rule_sets import parse as parse_rule_set_file
from scoring.engine.awards import RuleSet, RuleSetError
from scoring.engine.input_files import DecisionRow, InputFileError, read_award_decisions
from scoring.errors import ScoringError
from scoring.models import (
    AwardDecision,
    AwardKind,
    AwardRecipient,
    AwardRuleSetFile,
    Dossier,
    DossierDeadline,
    UnitHold,
)

MAX_RECIPIENTS = 500


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def decision_record(
    *,
    number: str,
    decided_on: dt.date,
    deciding_body: str,
    award_code: str,
    achievement_year: int,
    units: Iterable[Unit],
    note: str = "",
    actor: Actor = None,
    is_sample: bool = False,
) -> AwardDecision:
    """One decision with its recipients, as the awarding level signed it."""
    recipients = list(dict.fromkeys(units))
    if not recipients:
        raise ScoringError(_("Quyết định cần ít nhất một đơn vị được khen thưởng."), field="units")
    if len(recipients) > MAX_RECIPIENTS:
        raise ScoringError(
            _("Một quyết định có tối đa %(n)s đơn vị.") % {"n": MAX_RECIPIENTS}, field="units"
        )
    kind = award_kind_named(award_code, on=decided_on)
    if kind is None:
        raise ScoringError(
            _("Không có hình thức khen thưởng “%(code)s” trong bộ quy tắc.") % {"code": award_code},
            field="award_code",
        )
    if not decided_on.year - 30 <= achievement_year <= decided_on.year:
        raise ScoringError(
            _("Năm thành tích %(year)s không khớp ngày quyết định %(date)s.")
            % {"year": achievement_year, "date": decided_on.strftime("%d/%m/%Y")},
            field="achievement_year",
        )
    with transaction.atomic():
        if AwardDecision.objects.filter(
            deciding_body=deciding_body.strip(), number=number.strip(), decided_on=decided_on
        ).exists():
            raise ScoringError(
                _("Quyết định %(number)s ngày %(date)s của %(body)s đã có trong sổ.")
                % {
                    "number": number,
                    "date": decided_on.strftime("%d/%m/%Y"),
                    "body": deciding_body,
                },
                field="number",
            )
        decision = AwardDecision.objects.create(
            number=number.strip(),
            decided_on=decided_on,
            deciding_body=deciding_body.strip(),
            award_code=award_code,
            award_name=kind.name,
            achievement_year=achievement_year,
            merit=kind.merit,
            prize_multiple=Decimal(str(kind.prize_multiple)) if kind.prize_multiple else None,
            note=note.strip(),
            is_sample=is_sample,
            created_by=_user(actor),
        )
        AwardRecipient.objects.bulk_create(
            AwardRecipient(decision=decision, unit=unit) for unit in recipients
        )
        audit_record(
            actor=actor,
            action="award.decision",
            obj=decision,
            summary=f"Quyết định {decision.number} ngày {decided_on:%d/%m/%Y}: {kind.name} "
            f"năm {achievement_year} cho {', '.join(u.name for u in recipients)}",
            after={
                "award": award_code,
                "year": achievement_year,
                "units": [u.code for u in recipients],
            },
        )
    return decision


def decisions_import(*, upload: UploadedFile, actor: Actor = None) -> list[AwardDecision]:
    """The decisions of an uploaded file (CSV or XLSX, a row per recipient), all or none.
    ScoringError(field="file") names the file, the row and the column of the first problem."""
    name = upload.name or "upload"
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ScoringError(
            _("%(file)s: chỉ nhận tệp .csv hoặc .xlsx") % {"file": name}, field="file"
        )
    with saved_upload(upload, suffix) as path:
        try:
            rows = read_award_decisions(path)
        except InputFileError as error:
            raise ScoringError(
                str(InputFileError(name, error.row, error.column, error.message)), field="file"
            ) from None
    return decisions_from_rows(rows=rows, filename=name, actor=actor)


def _refuse(filename: str, row: DecisionRow, column: str, message: str) -> ScoringError:
    return ScoringError(str(InputFileError(filename, row.row, column, message)), field="file")


def decisions_from_rows(
    *, rows: list[DecisionRow], filename: str, actor: Actor = None
) -> list[AwardDecision]:
    if not rows:
        raise ScoringError(_("%(file)s: tệp không có dòng nào.") % {"file": filename}, field="file")
    units = {u.code: u for u in Unit.objects.filter(code__in={r.unit for r in rows})}
    grouped: dict[tuple[str, dt.date, str], list[DecisionRow]] = {}
    sets = rule_sets()
    for row in rows:
        if row.unit not in units:
            raise _refuse(filename, row, "unit", _("không có đơn vị “%s”") % row.unit)
        if award_kind_named(row.award, on=row.date, sets=sets) is None:
            raise _refuse(filename, row, "award", _("không có hình thức “%s”") % row.award)
        if not row.date.year - 30 <= row.year <= row.date.year:
            raise _refuse(filename, row, "year", _("năm thành tích sau ngày quyết định"))
        grouped.setdefault((row.decision, row.date, row.body), []).append(row)
    for (number, date, body), group in grouped.items():
        if AwardDecision.objects.filter(
            deciding_body=body, number=number, decided_on=date
        ).exists():
            raise _refuse(filename, group[0], "decision", _("quyết định này đã có trong sổ"))
    with transaction.atomic():
        return [
            decision_record(
                number=number,
                decided_on=date,
                deciding_body=body,
                award_code=group[0].award,
                achievement_year=group[0].year,
                units=[units[r.unit] for r in group],
                note=group[0].note or _("nhập từ tệp %(file)s") % {"file": filename},
                actor=actor,
            )
            for (number, date, body), group in grouped.items()
        ]


def hold_record(
    *,
    unit: Unit,
    kind: str,
    since: dt.date,
    until: dt.date | None = None,
    note: str = "",
    actor: Actor = None,
) -> UnitHold:
    if kind not in UnitHold.Kind.values:
        raise ScoringError(_("Loại tạm hoãn không hợp lệ."), field="kind")
    if until is not None and until < since:
        raise ScoringError(_("Ngày kết thúc trước ngày bắt đầu."), field="until")
    with transaction.atomic():
        hold = UnitHold.objects.create(
            unit=unit,
            kind=kind,
            since=since,
            until=until,
            note=note.strip(),
            created_by=_user(actor),
        )
        audit_record(
            actor=actor,
            action="award.hold",
            obj=hold,
            summary=f"Tạm hoãn xét khen thưởng {unit.name}: {hold.get_kind_display()} từ {since:%d/%m/%Y}",
            after={"kind": kind, "since": since.isoformat(), "until": until and until.isoformat()},
        )
    return hold


# --- rule sets -----------------------------------------------------------------------------------


def rule_set_upload(
    *, upload: UploadedFile, note: str = "", actor: Actor = None
) -> AwardRuleSetFile:
    """A rule set file (award-rules/1, YAML) uploaded by the system administrator, checked like a
    scheme file — its format, every condition, caps, council and clocks, the award kinds its
    conditions name and no cycle among them, the bounds on every number (the engine's reader,
    which names the rule) — and against the rule sets in force: no day from the first one's start
    through today without exactly one rule set, and every award kind still in use under the
    version it replaces kept. Stored as the next version of its code; nothing is stored when
    anything is wrong."""
    name = os.path.basename(upload.name or "rules.yaml")
    if os.path.splitext(name)[1].lower() not in {".yaml", ".yml"}:
        raise ScoringError(_("%(file)s: chỉ nhận tệp .yaml") % {"file": name}, field="file")
    if (upload.size or 0) > settings.SCHEME_FILE_MAX_BYTES:
        raise ScoringError(
            _("%(file)s: tệp lớn hơn %(limit)s")
            % {"file": name, "limit": format_bytes(settings.SCHEME_FILE_MAX_BYTES)},
            field="file",
        )
    data = upload.read(settings.SCHEME_FILE_MAX_BYTES + 1)
    try:
        text = data.decode("utf-8-sig")
        rule_set = parse_rule_set_file(text, filename=name)
    except UnicodeDecodeError:
        raise ScoringError(
            _("%(file)s: tệp không phải văn bản UTF-8") % {"file": name}, field="file"
        ) from None
    except RuleSetError as error:
        raise ScoringError(str(error), field="file") from None
    in_force = {r.code: r for r, _source in rule_sets_with_sources()}
    _refuse_overlap_or_gap(rule_set, in_force, name)
    if (replaced := in_force.get(rule_set.code)) is not None:
        _refuse_dropped_in_use(rule_set, replaced, name)
    try:
        stored = _rule_set_store(rule_set, text, data, name, note, actor)
    except IntegrityError:  # two uploads of one code at once: the other took the version
        raise ScoringError(
            _("%(file)s: một phiên bản khác vừa được lưu cùng lúc; hãy tải lên lại.")
            % {"file": name},
            field="file",
        ) from None
    return stored


def _rule_set_store(
    rule_set: RuleSet, text: str, data: bytes, name: str, note: str, actor: Actor
) -> AwardRuleSetFile:
    with transaction.atomic():
        last = AwardRuleSetFile.objects.filter(code=rule_set.code).order_by("-version").first()
        stored = AwardRuleSetFile.objects.create(
            code=rule_set.code,
            version=(last.version + 1) if last else 1,
            name=rule_set.name[:300],
            effective_from=rule_set.effective_from,
            effective_to=rule_set.effective_to,
            content=text,
            sha256=hashlib.sha256(data).hexdigest(),
            file_name=name[:255],
            note=note.strip()[:300],
            uploaded_by=_user(actor),
        )
        audit_record(
            actor=actor,
            action="award_rules.upload",
            obj=stored,
            summary=f"Tải lên bộ quy tắc khen thưởng {stored.code}, phiên bản {stored.version}",
            after={
                "code": stored.code,
                "version": stored.version,
                "sha256": stored.sha256,
                "awards": sorted(rule_set.awards),
            },
            reason=stored.note,
        )
        transaction.on_commit(uploads_changed)
    return stored


def _refuse_overlap_or_gap(rule_set: RuleSet, in_force: dict[str, RuleSet], name: str) -> None:
    """With the upload in place of its code, exactly one rule set is in force on every day from
    the first one's start: no two overlap, none leaves days without one between them, and one is
    in force today (a dossier is judged by the law of the day it is received)."""
    for other in in_force.values():
        if other.code != rule_set.code and _overlap(rule_set, other):
            raise ScoringError(
                _(
                    "%(file)s: thời gian áp dụng (%(period)s) trùng với bộ quy tắc “%(other)s” "
                    "(%(other_period)s); mỗi ngày chỉ một bộ quy tắc được áp dụng."
                )
                % {
                    "file": name,
                    "period": _period(rule_set),
                    "other": other.code,
                    "other_period": _period(other),
                },
                field="file",
            )
    after = sorted({**in_force, rule_set.code: rule_set}.values(), key=lambda r: r.effective_from)
    for before, following in itertools.pairwise(after):
        assert before.effective_to is not None  # two open-ended ones would overlap
        if following.effective_from > before.effective_to + dt.timedelta(days=1):
            raise ScoringError(
                _(
                    "%(file)s: từ %(start)s đến %(end)s không có bộ quy tắc nào được áp dụng "
                    "(giữa “%(before)s” và “%(after)s”)."
                )
                % {
                    "file": name,
                    "start": (before.effective_to + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
                    "end": (following.effective_from - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
                    "before": before.code,
                    "after": following.code,
                },
                field="file",
            )
    today = timezone.localdate()
    if not any(r.in_force_on(today) for r in after):
        raise ScoringError(
            _("%(file)s: hôm nay (%(today)s) không có bộ quy tắc nào được áp dụng.")
            % {"file": name, "today": today.strftime("%d/%m/%Y")},
            field="file",
        )


def _refuse_dropped_in_use(rule_set: RuleSet, replaced: RuleSet, name: str) -> None:
    """A new version keeps every award kind that something made under the version it replaces
    still needs: a dossier judged by it (received under it; or not yet received, while it is the
    rule set in force today), a cluster's award kind that proposes for it, a deadline set for
    it."""
    dropped = set(replaced.awards) - set(rule_set.awards)
    if not dropped:
        return
    judged_by = Q(rule_set_code=rule_set.code)
    if replaced.in_force_on(timezone.localdate()):
        judged_by |= Q(rule_set_code="")
    used = (
        set(
            Dossier.objects.filter(judged_by, award_code__in=dropped).values_list(
                "award_code", flat=True
            )
        )
        | set(AwardKind.objects.filter(award_code__in=dropped).values_list("award_code", flat=True))
        | set(
            DossierDeadline.objects.filter(award_code__in=dropped).values_list(
                "award_code", flat=True
            )
        )
    )
    if used:
        raise ScoringError(
            _(
                "%(file)s: bỏ hình thức khen thưởng đang được dùng (hồ sơ đề nghị, hình thức "
                "khen thưởng của cụm hoặc hạn nộp hồ sơ) theo bộ quy tắc này: %(codes)s"
            )
            % {"file": name, "codes": ", ".join(sorted(used))},
            field="file",
        )


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    far = dt.date.max
    return a.effective_from <= (b.effective_to or far) and b.effective_from <= (
        a.effective_to or far
    )


def _period(rule_set: RuleSet) -> str:
    start = rule_set.effective_from.strftime("%d/%m/%Y")
    end = rule_set.effective_to.strftime("%d/%m/%Y") if rule_set.effective_to else "…"
    return f"{start} – {end}"
