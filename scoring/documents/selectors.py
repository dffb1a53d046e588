"""Reads of the documents room: what each kind of document says (its context: plain strings and
lists, numbers and dates written the Vietnamese way), the templates in force and their
versions, and the documents a year has.

Documents are official papers: whatever the reader's language, their context is written in
Vietnamese. Nothing is scored here: results come from the engine's stored run (the same reads
as the conference pack, scoring/ranking/selectors.py: run_sheets, run_warnings_named, and
scoring/conference/selectors.py: conference_context)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clusters.models import EmulationYear, Unit, YearOffice
from scoring import engine
from scoring.conference.selectors import conference_context, conference_date
from scoring.conference.services.conference import Tally
from scoring.documents.kinds import KINDS
from scoring.errors import ScoringError
from scoring.formatting import (
    document_date,
    document_figure,
    document_percent,
    document_points,
    document_time,
)
from scoring.models import (
    AwardProposal,
    Band,
    ConferenceDetails,
    Criterion,
    DocumentKind,
    DocumentSignature,
    DocumentTemplate,
    GeneratedDocument,
    MemberTarget,
    Pledge,
    Scheme,
    ScoringRun,
    Standing,
)
from scoring.ranking.selectors import (
    pledge_signatures,
    run_sheets,
    run_warnings_named,
    year_current_run,
    year_member_units,
)
from scoring.schemes.selectors import scheme_criteria, scheme_in_force

SAMPLES = Path(__file__).resolve().parent / "samples"
NBSP = "\u00a0"
# A number not yet registered by the records office: the space stays blank (NĐ 30/2020, Phụ lục
# III's samples: "Số:      /BB-…"), never dots.
BLANK_NUMBER = NBSP * 6


class DocumentRefused(ScoringError):
    """A document the year's data cannot make yet (no results, no pledge, no details)."""

    code = "document_refused"


@dataclass
class Prepared:
    """One document to render: its kind, the member (score sheets), the run it shows, the
    number and date it carries, and its context."""

    kind: str
    context: dict[str, Any]
    number: str
    issued_on: dt.date
    unit: Unit | None = None
    run: ScoringRun | None = None
    file_stem: str = ""


# --- details and templates -----------------------------------------------------------------------


def conference_details_of(*, emulation_year: EmulationYear) -> ConferenceDetails | None:
    return ConferenceDetails.objects.filter(emulation_year=emulation_year).first()


def template_in_force(*, kind: str, cluster_id: int) -> DocumentTemplate | None:
    """The cluster's latest version of the kind's template, else the latest one the system
    administrator uploaded for every cluster; None: the template shipped with the app."""
    rows = DocumentTemplate.objects.filter(kind=kind).defer("content")
    own = rows.filter(cluster_id=cluster_id).order_by("-version").first()
    return own or rows.filter(cluster__isnull=True).order_by("-version").first()


def templates_in_force(*, cluster_id: int) -> dict[str, DocumentTemplate | None]:
    """Every kind's template in force for a cluster (as `template_in_force`), in one query."""
    own: dict[str, DocumentTemplate] = {}
    shared: dict[str, DocumentTemplate] = {}
    for row in (
        DocumentTemplate.objects.filter(Q(cluster_id=cluster_id) | Q(cluster__isnull=True))
        .defer("content")
        .select_related("uploaded_by")
        .order_by("kind", "-version")
    ):
        (own if row.cluster_id is not None else shared).setdefault(row.kind, row)
    return {kind: own.get(kind) or shared.get(kind) for kind in KINDS}


def template_content(*, template: DocumentTemplate | None, kind: str) -> bytes:
    """The bytes of a template version, or of the one shipped with the app."""
    if template is None:
        return default_template(kind)
    return bytes(
        DocumentTemplate.objects.filter(pk=template.pk).values_list("content", flat=True).get()
    )


@cache
def default_template(kind: str) -> bytes:
    return KINDS[kind].default_template.read_bytes()


@cache
def sample_context(kind: str) -> dict[str, Any]:
    """The demo's context of a kind (scoring/documents/samples/, written by `manage.py
    build_document_templates --samples` from the demo): an uploaded template must render with it."""
    return json.loads((SAMPLES / f"{kind}.json").read_text(encoding="utf-8"))


def member_units(*, emulation_year: EmulationYear) -> QuerySet[Unit]:
    """The year's member units by name (a lazy query: a form's choices)."""
    return Unit.objects.filter(memberships__emulation_year=emulation_year).order_by("name")


# --- a year's documents --------------------------------------------------------------------------


def year_documents(*, emulation_year: EmulationYear) -> QuerySet[GeneratedDocument]:
    """The year's documents, newest first, without their bytes."""
    signings = DocumentSignature.objects.filter(kind="signed").defer("signed_bytes").order_by("pk")
    return (
        GeneratedDocument.objects.filter(emulation_year=emulation_year)
        .defer("docx", "pdf")
        .select_related("unit", "template", "generated_by")
        .prefetch_related(Prefetch("signatures", queryset=signings))
        .order_by("-generated_at", "-pk")
    )


def year_signed_document(
    *, emulation_year: EmulationYear, signature_id: int
) -> DocumentSignature | None:
    """A signing of one of this year's generated documents (None otherwise), with its bytes."""
    return (
        DocumentSignature.objects.filter(
            pk=signature_id, emulation_year=emulation_year, kind="signed", document__isnull=False
        )
        .select_related("document__unit")
        .first()
    )


def year_archived_document(
    *, emulation_year: EmulationYear, kind: str, unit_id: int | None = None
) -> GeneratedDocument | None:
    """The year's newest archived document of `kind` (of member `unit_id` for a score sheet):
    what was filed once the year was published. None if none was generated since."""
    rows = GeneratedDocument.objects.filter(emulation_year=emulation_year, kind=kind, archived=True)
    rows = rows.filter(unit_id=unit_id) if unit_id is not None else rows.filter(unit__isnull=True)
    return rows.order_by("-generated_at", "-pk").first()


def year_document(*, emulation_year: EmulationYear, document_id: int) -> GeneratedDocument | None:
    """One document of this year (None for another year's), with its bytes."""
    return (
        GeneratedDocument.objects.filter(emulation_year=emulation_year, pk=document_id)
        .select_related("unit", "emulation_year__cluster")
        .first()
    )


# --- contexts ------------------------------------------------------------------------------------


def document_contexts(
    *,
    emulation_year: EmulationYear,
    kind: str,
    unit_ids: list[int] | None = None,
    number: str = "",
    issued_on: dt.date | None = None,
) -> list[Prepared]:
    """The documents of `kind` the year's data makes now: one, or one per member for score sheets
    (those of `unit_ids`, or every member). Raises DocumentRefused when the data is missing."""
    details = conference_details_of(emulation_year=emulation_year)
    if details is None:
        raise DocumentRefused(
            _(
                "Chưa có thông tin văn bản của năm (địa danh, chữ viết tắt tên cụm, người ký): "
                "hãy nhập trước khi tạo văn bản."
            ),
            code="details_missing",
        )
    # Read again with what every document shows (the caller's copy may predate a scheme).
    year = EmulationYear.objects.select_related("cluster__supervising_unit").get(
        pk=emulation_year.pk
    )
    with translation.override("vi"):
        builder = _BUILDERS[kind]
        frame = _Frame(year, details, kind, number, issued_on)
        return builder(frame, unit_ids)


class _Frame:
    """What every kind's context starts from: the letterhead, number, place and date, the
    cluster, its head and the signer."""

    def __init__(
        self,
        year: EmulationYear,
        details: ConferenceDetails,
        kind: str,
        number: str,
        issued_on: dt.date | None,
    ) -> None:
        self.year, self.details, self.kind = year, details, kind
        self.info = KINDS[kind]
        self.number_text = number.strip()
        self.issued_on = issued_on or timezone.localdate()
        self._run: ScoringRun | None = None

    @property
    def number(self) -> str:
        return (
            f"{self.number_text or BLANK_NUMBER}/{self.info.abbreviation}-"
            f"{self.details.agency_symbol}"
        )

    def run(self) -> ScoringRun:
        if self._run is None:
            run = year_current_run(emulation_year=self.year)
            if run is None:
                raise DocumentRefused(
                    _("Năm %(year)s chưa có kết quả chấm điểm.") % {"year": self.year.year},
                    code="no_results",
                )
            self._run = run
        return self._run

    def base(self, title: str, issued_on: dt.date | None = None) -> dict[str, Any]:
        year, cluster, details = self.year, self.year.cluster, self.details
        supervising = cluster.supervising_unit
        offices = list(year.offices.select_related("unit").order_by("-role"))
        head = next((o.unit for o in offices if o.role == YearOffice.Role.HEAD), None)
        deputies = [o.unit.name for o in offices if o.role == YearOffice.Role.DEPUTY]
        day = issued_on or self.issued_on
        return {
            "title": title,
            "agency_parent": supervising.name.upper() if supervising else "",
            "agency_name": cluster.name.upper(),
            "number": self.number,
            "place_date": f"{details.place}, {document_date(day)}",
            "year": str(year.year),
            "next_year": str(year.year + 1),
            "cluster": cluster.name,
            "supervising": supervising.name if supervising else "",
            "addressee": supervising.name if supervising else cluster.name,
            "head": head.name if head else cluster.name,
            "deputies": ", ".join(deputies),
            "signer": {
                "authority": f"TM. {cluster.name.upper()}",
                "title": "CỤM TRƯỞNG",
                "office": details.signer_title.upper(),
                "name": details.signer_name,
            },
            "recipients": ["Như trên", "Các đơn vị thành viên"],
        }

    def prepared(
        self,
        context: dict[str, Any],
        *,
        unit: Unit | None = None,
        run: ScoringRun | None = None,
        issued_on: dt.date | None = None,
    ) -> Prepared:
        stem = f"{self.info.slug}-{self.year.year}-{self.year.cluster.code}"
        if unit is not None:
            stem += f"-{unit.code}"
        return Prepared(
            kind=self.kind,
            context=context,
            number=self.number,
            issued_on=issued_on or self.issued_on,
            unit=unit,
            run=run,
            file_stem=stem,
        )


def _scheme(run_or_year_scheme: Scheme) -> dict[str, str]:
    return {
        "name": run_or_year_scheme.name,
        "scale": document_figure(run_or_year_scheme.scale),
    }


def _standing_row(s: Standing) -> dict[str, Any]:
    reasons = engine.band_explanation_lines(
        engine.BandExplanation.from_dict(s.band_explanation), "vi"
    )
    return {
        "rank": str(s.rank),
        "unit": s.unit.name,
        "total": document_points(s.total),
        "regular": document_points(s.regular),
        "bonus": document_points(s.bonus),
        "deduction": document_points(s.deduction),
        "met_count": str(s.met_count),
        "band": s.band or "—",
        "band_name": s.band or "không được xếp loại",
        "eligible": "Có" if s.eligible else "Không",
        "band_reasons": "; ".join(r.rstrip(".") for r in reasons) + ("." if reasons else ""),
        # The band and why, as one sentence ("Tốt. Xuất sắc cần …" or, without a band, the
        # engine's own "Không được xếp loại: …").
        "band_explained": " ".join(
            part
            for part in (
                f"{s.band}." if s.band else "",
                "; ".join(r.rstrip(".") for r in reasons) + ("." if reasons else ""),
            )
            if part
        ),
        "band_reasons_list": reasons,
    }


def _band_rule(band: Band) -> str:
    rule = f"tổng điểm từ {document_points(band.min_total)}"
    if band.min_each is not None:
        rule += f", mỗi tiêu chí đạt ít nhất {document_percent(float(band.min_each))} số điểm"
    return rule


def _leader(standings: list[Standing]) -> str:
    first = [s for s in standings if s.rank == 1]
    if not first:
        return "chưa có"
    return "; ".join(f"{s.unit.name} ({document_points(s.total)} điểm)" for s in first)


# --- the kinds -----------------------------------------------------------------------------------


def _pledge(frame: _Frame, _unit_ids: list[int] | None) -> list[Prepared]:
    year = frame.year
    pledge = Pledge.objects.filter(emulation_year=year).first()
    scheme = scheme_in_force(year)
    if pledge is None or scheme is None:
        raise DocumentRefused(
            _("Năm %(year)s chưa công bố giao ước thi đua kèm thang điểm.") % {"year": year.year},
            code="no_pledge",
        )
    criteria = scheme_criteria(scheme)
    names = {c.code: c.name for c in criteria}
    groups: dict[int, dict[str, Any]] = {}
    for c in criteria:
        group = groups.setdefault(c.group_id, {"name": c.group.name, "rows": []})
        group["rows"].append(_criterion_row(c))
    units = {c.code: c.unit or "" for c in criteria}
    targets = [
        {
            "unit": t.unit.name,
            "code": t.criterion_code,
            "name": names.get(t.criterion_code, ""),
            "target": document_figure(t.target, units.get(t.criterion_code, "")),
        }
        for t in MemberTarget.objects.filter(emulation_year=year)
        .select_related("unit")
        .order_by("unit__name", "criterion_code")
    ]
    signed = {s.unit_id: s for s in pledge_signatures(emulation_year=year)}
    people = [
        {
            "unit": u.name.upper(),
            "title": signed[u.pk].title.upper() if u.pk in signed else "",
            "name": signed[u.pk].signed_by if u.pk in signed else "",
        }
        for u in year_member_units(emulation_year=year)
    ]
    empty = {"unit": "", "title": "", "name": ""}
    context = frame.base(f"Giao ước thi đua năm {year.year}")
    context.update(
        pledge={
            "title": pledge.title,
            "paragraphs": [p.strip() for p in pledge.text.splitlines() if p.strip()],
            "signed_at_event": pledge.signed_at_event or "hội nghị ký kết giao ước",
        },
        scheme=_scheme(scheme),
        groups=list(groups.values()),
        member_targets=targets,
        members_count=str(len(people)),
        signatories=[
            {"left": people[i], "right": people[i + 1] if i + 1 < len(people) else empty}
            for i in range(0, len(people), 2)
        ],
        recipients=[context["supervising"], "Các đơn vị thành viên"],
    )
    return [frame.prepared(context)]


def _criterion_row(c: Criterion) -> dict[str, str]:
    unit = c.unit or ""
    return {
        "code": c.code,
        "name": c.name,
        "definition": c.definition,
        "target": document_figure(c.target, unit) if c.target is not None else "—",
        "points": document_points(c.points),
        "kind": c.get_kind_display(),
    }


def _results(frame: _Frame, _unit_ids: list[int] | None) -> list[Prepared]:
    run = frame.run()
    standings, _sheets = run_sheets(run=run, language="vi")
    rows = [_standing_row(s) for s in standings]
    context = frame.base(f"Báo cáo kết quả chấm điểm, xếp hạng thi đua năm {frame.year.year}")
    context.update(
        scheme=_scheme(run.scheme),
        members_count=str(len(standings)),
        standings=rows,
        bands=[
            {"name": b.name, "rule": _band_rule(b)}
            for b in Band.objects.filter(scheme_id=run.scheme_id).order_by("position")
        ],
        explained=[r for r in rows if r["band_reasons"]],
        warnings=run_warnings_named(run=run, language="vi"),
        leader=_leader(standings),
    )
    return [frame.prepared(context, run=run)]


def _score_sheets(frame: _Frame, unit_ids: list[int] | None) -> list[Prepared]:
    run = frame.run()
    standings, sheets = run_sheets(run=run, language="vi")
    wanted = set(unit_ids) if unit_ids else None
    base = frame.base("")
    prepared = []
    for standing, lines in sheets:
        if wanted is not None and standing.unit_id not in wanted:
            continue
        groups: dict[int, dict[str, Any]] = {}
        for criterion, score in lines:
            group = groups.setdefault(
                criterion.group_id, {"name": criterion.group.name, "rows": []}
            )
            unit = criterion.unit or ""
            group["rows"].append(
                {
                    "code": criterion.code,
                    "name": criterion.name,
                    "actual": document_figure(score.actual, unit) if score else "—",
                    "target": document_figure(score.target, unit) if score else "—",
                    "points": document_points(score.points) if score else "—",
                    "max_points": document_points(criterion.points),
                    "explanation": score.explanation if score else "",
                }
            )
        row = _standing_row(standing)
        context = {
            **base,
            "title": f"Phiếu chấm điểm thi đua năm {frame.year.year}: {standing.unit.name}",
            "recipients": [standing.unit.name, "Các đơn vị thành viên"],
            "scheme": _scheme(run.scheme),
            "members_count": str(len(standings)),
            "unit": standing.unit.name,
            **{k: row[k] for k in ("rank", "total", "regular", "bonus", "deduction")},
            **{k: row[k] for k in ("met_count", "band", "band_name", "eligible")},
            "band_reasons": row["band_reasons_list"],
            "groups": list(groups.values()),
        }
        prepared.append(frame.prepared(context, unit=standing.unit, run=run))
    if wanted is not None and not prepared:
        raise DocumentRefused(_("Đơn vị này không có trong kết quả chấm điểm của năm."))
    return prepared


OUTCOMES = {
    "proposed": "Đề nghị",
    "elected": "Trúng cử",
    "tied": "Bằng phiếu: bỏ phiếu lại",
    "not-eligible": "Không còn đủ điều kiện",
    "below": "—",
}


def _vote_lines(tally: Tally) -> list[dict[str, str]]:
    """The count per candidate, most votes first, with the rank in the VOTE (equal votes share
    a place: 1, 2, 2, 4) — not the scoring rank, which the minutes' ranking table gives."""
    lines, place, previous = [], 0, None
    for position, t in enumerate(sorted(tally.lines, key=lambda t: (-t.votes, t.unit.name)), 1):
        if t.votes != previous:
            place, previous = position, t.votes
        lines.append(
            {
                "vote_rank": str(place),
                "unit": t.unit.name,
                "votes": str(t.votes),
                "share": document_percent(t.share),
                "outcome": OUTCOMES.get(t.outcome, "—"),
            }
        )
    return lines


def _ballot(entry: dict[str, Any]) -> dict[str, Any]:
    ballot, tally = entry["ballot"], entry["tally"]
    if ballot.award_kind is not None:
        kind = ballot.award_kind
        rule = f"đơn vị được đề nghị phải được trên {kind.min_vote_percent} % số phiếu"
        if tally.cap is not None:
            rule += f"; số được đề nghị tối đa: {tally.cap}"
    else:
        rule = (
            f"mỗi phiếu chọn tối đa {ballot.seats}; trúng cử là đơn vị được nhiều phiếu nhất "
            "(bằng phiếu thì xét thứ hạng thi đua)"
        )
    return {
        "title": entry["title"],
        "voters": str(tally.voters),
        "members": str(tally.members),
        "on_paper": str(tally.on_paper),
        "rule": rule,
        "lines": _vote_lines(tally),
    }


def _conference_facts(frame: _Frame) -> tuple[dict, list[Standing], ScoringRun]:
    run = frame.run()
    standings, _sheets = run_sheets(run=run, language="vi")
    return conference_context(emulation_year=frame.year), standings, run


def _minutes(frame: _Frame, _unit_ids: list[int] | None) -> list[Prepared]:
    details = frame.details
    missing = [
        label
        for label, value in (
            (_("địa điểm"), details.venue),
            (_("thời gian bắt đầu"), details.started_at),
            (_("thời gian kết thúc"), details.ended_at),
            (_("người chủ trì"), details.chair_name),
            (_("thư ký"), details.secretary_name),
        )
        if not value
    ]
    if missing:
        raise DocumentRefused(
            _("Biên bản cần thông tin hội nghị: %(fields)s.") % {"fields": ", ".join(missing)},
            code="conference_details_missing",
        )
    conference, standings, run = _conference_facts(frame)
    assert details.started_at is not None and details.ended_at is not None  # checked above
    held_on = timezone.localtime(details.started_at).date()
    closed = [b for b in conference["ballots"] if b["tally"] is not None]
    elected = [
        f"{o.get_role_display().lower()}: {o.unit.name}" for o in conference["following_offices"]
    ]
    if not elected:
        elected = [
            f"{label}: {', '.join(u.name for u in units)}"
            for label, units in (
                ("cụm trưởng", conference["elected_head"]),
                ("cụm phó", conference["elected_deputies"]),
            )
            if units
        ]
    handover = conference["handover"]
    context = frame.base(f"Biên bản hội nghị tổng kết thi đua năm {frame.year.year}", held_on)
    context.update(
        number=f"{details.minutes_number or BLANK_NUMBER}/BB-{details.agency_symbol}",
        conference={
            "venue": details.venue,
            "started": document_time(details.started_at),
            "ended": document_time(details.ended_at),
            "chair": _person(details.chair_name, details.chair_title),
            "chair_name": details.chair_name,
            "chair_title_upper": details.chair_title.upper(),
            "secretary": _person(details.secretary_name, details.secretary_title),
            "secretary_name": details.secretary_name,
        },
        scheme=_scheme(run.scheme),
        members=", ".join(u.name for u in conference["members"]),
        members_count=str(len(conference["members"])),
        attendees=_lines(details.attendees),
        agenda=_lines(details.agenda),
        standings=[_standing_row(s) for s in standings],
        leader=_leader(standings),
        award_ballots=[_ballot(b) for b in closed if b["ballot"].award_kind_id is not None],
        election_ballots=[_ballot(b) for b in closed if b["ballot"].award_kind_id is None],
        proposals_text="; ".join(
            f"{p.unit.name} — {p.award_kind.name}" for p in conference["proposals"]
        )
        or "chưa có",
        elected_text="; ".join(elected) or "chưa bầu",
        handover=(
            f"{handover.from_unit.name} bàn giao cờ luân lưu cho {handover.to_unit.name} "
            f"{document_date(handover.handed_on)}."
            if handover
            else "Chưa ghi nhận bàn giao cờ luân lưu."
        ),
        recipients=[context["supervising"], "Các đơn vị thành viên"],
    )
    prepared = frame.prepared(context, run=run, issued_on=held_on)
    prepared.number = context["number"]
    return [prepared]


def _person(name: str, title: str) -> str:
    return f"{name}, {title}" if title else name


def _lines(text: str) -> list[str]:
    return [line.strip().rstrip(";.") for line in text.splitlines() if line.strip()]


def _proposal(frame: _Frame, _unit_ids: list[int] | None) -> list[Prepared]:
    conference, standings, run = _conference_facts(frame)
    by_unit = {s.unit_id: s for s in standings}
    voters = {b["ballot"].pk: b["tally"].voters for b in conference["ballots"] if b["tally"]}
    awards: dict[int, dict[str, Any]] = {}
    proposals: list[AwardProposal] = conference["proposals"]
    for p in proposals:
        award = awards.setdefault(
            p.award_kind_id,
            {
                "number": str(len(awards) + 1),
                "name": p.award_kind.name,
                "conferred_by": p.award_kind.conferred_by or frame.year.cluster.name,
                "rows": [],
            },
        )
        standing = by_unit.get(p.unit_id)
        award["rows"].append(
            {
                "unit": p.unit.name,
                "rank": str(standing.rank) if standing else "—",
                "total": document_points(standing.total) if standing else "—",
                "band": (standing.band or "—") if standing else "—",
                "votes": f"{p.votes}/{voters[p.ballot_id]}"
                if p.votes is not None and p.ballot_id in voters
                else "—",
            }
        )
    held = frame.details.started_at
    day = (
        timezone.localtime(held).date()
        if held
        else conference_date(handover=conference["handover"], ballots=conference["ballots"])
    )
    context = frame.base(f"Tờ trình đề nghị khen thưởng năm {frame.year.year}")
    context.update(
        awards=list(awards.values()),
        conference_date=document_date(day) if day else "cuối năm",
        members_count=str(len(conference["members"])),
    )
    return [frame.prepared(context, run=run)]


_BUILDERS: dict[str, Callable[[_Frame, list[int] | None], list[Prepared]]] = {
    DocumentKind.PLEDGE: _pledge,
    DocumentKind.RESULTS: _results,
    DocumentKind.SCORE_SHEET: _score_sheets,
    DocumentKind.MINUTES: _minutes,
    DocumentKind.PROPOSAL: _proposal,
}
