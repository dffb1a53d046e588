"""Reads of a member's report: the figures as entered, the preview of its score, its status and
history; the year's manual points and objections."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import AuditEntry, EmulationYear, RoleGrant, Unit
from scoring import engine
from scoring.engine.rules import reads_other_members
from scoring.models import (
    DataElement,
    EvidenceFile,
    ManualPoints,
    MemberTarget,
    Objection,
    Report,
    ReportComment,
    ReportValue,
)
from scoring.ranking.selectors import year_inputs
from scoring.schemes.selectors import scheme_criteria, scheme_data_elements, scheme_in_force


def report_basics(
    *, emulation_year: EmulationYear, unit: Unit
) -> tuple[Report | None, list[DataElement]]:
    """What every request of the report page reads, a save too: the member's report (None before
    its first save) and the data elements of the scheme in force."""
    report = Report.objects.filter(emulation_year=emulation_year, unit=unit).order_by("pk").first()
    scheme = scheme_in_force(emulation_year)
    elements = scheme_data_elements(scheme) if scheme is not None else []
    return report, elements


@dataclasses.dataclass
class ReportPage:
    """What only the report page shows (a save that redirects never reads it)."""

    values: dict[str, ReportValue]  # this year's stored figures, by element code
    previous: dict[str, Decimal]  # last year's, by element code
    targets: list[tuple]  # (criterion, the member's target)
    comments: list[tuple]  # (comment, the name of the figure it is about)
    evidence: list[tuple]  # (evidence file, the name of the figure it documents)


def report_page(
    *,
    emulation_year: EmulationYear,
    unit: Unit,
    report: Report | None,
    elements: list[DataElement],
) -> ReportPage:
    """The stored figures, last year's, the member's targets, the comments and the evidence."""
    values, previous = report_figures(emulation_year=emulation_year, unit_id=unit.pk, report=report)
    own_targets = dict(
        MemberTarget.objects.filter(emulation_year=emulation_year, unit=unit).values_list(
            "criterion_code", "target"
        )
    )
    scheme = scheme_in_force(emulation_year)
    criteria = scheme_criteria(scheme) if scheme is not None else []
    comments = list(report.comments.order_by("created_at")) if report else []
    evidence = (
        list(report.evidence.select_related("signature_check").order_by("uploaded_at"))
        if report
        else []
    )
    names = {e.code: e.name for e in elements}
    return ReportPage(
        values=values,
        previous=previous,
        targets=[(c, own_targets.get(c.code, c.target)) for c in criteria],
        comments=[(c, names.get(c.element_code, c.element_code)) for c in comments],
        evidence=[(e, names.get(e.element_code, e.element_code)) for e in evidence],
    )


def report_submit_consequences(
    *, emulation_year: EmulationYear, elements: list[DataElement], values: dict
) -> dict:
    """What submitting these figures means, said before it is done: the figures left empty, the
    deadline and the days left before it."""
    deadline = emulation_year.reporting_deadline
    return {
        "missing": [e.name for e in elements if values.get(e.code) is None],
        "deadline": deadline,
        "days_left": (deadline - timezone.localdate()).days if deadline else None,
    }


def report_waits_past_deadline(*, emulation_year: EmulationYear, report: Report | None) -> bool:
    """Whether a member's report is still unsubmitted (a draft, or not started) after the
    deadline: the case in which the secretariat may let it be submitted late."""
    status = report.status if report else Report.Status.DRAFT
    deadline = emulation_year.reporting_deadline
    return (
        status == Report.Status.DRAFT and deadline is not None and timezone.localdate() > deadline
    )


def report_history_page(*, emulation_year: EmulationYear, unit: Unit) -> tuple[Report | None, list]:
    """A member's report and every recorded change of it, as `report_history_rows` names them."""
    report = Report.objects.filter(emulation_year=emulation_year, unit=unit).first()
    entries = (
        AuditEntry.objects.filter(
            object_type="scoring.report", object_id=str(report.pk)
        ).select_related("actor")
        if report
        else AuditEntry.objects.none()
    )
    return report, report_history_rows(emulation_year=emulation_year, entries=entries)


def report_evidence_file(
    *, emulation_year: EmulationYear, unit: Unit, evidence_id: int
) -> EvidenceFile | None:
    """One evidence file of a member's report in a year (None for any other's)."""
    return EvidenceFile.objects.filter(
        pk=evidence_id, report__emulation_year=emulation_year, report__unit=unit
    ).first()


def objections_of_year(
    *, emulation_year: EmulationYear, units: list[Unit] | None = None
) -> QuerySet[Objection]:
    """The year's objections, newest first (read when the page shows them); `units`: only theirs."""
    objections = (
        Objection.objects.filter(emulation_year=emulation_year)
        .select_related("unit")
        .order_by("-filed_at")
    )
    return objections if units is None else objections.filter(unit__in=units)


def objection_of_year(
    *, emulation_year: EmulationYear, objection_id: int | None
) -> Objection | None:
    """One objection of the year (None for another year's, or no id)."""
    if objection_id is None:
        return None
    return Objection.objects.filter(emulation_year=emulation_year, pk=objection_id).first()


def manual_points_of_year(*, emulation_year: EmulationYear) -> QuerySet[ManualPoints]:
    """The year's manual points by unit and criterion (read when the page shows them)."""
    return (
        ManualPoints.objects.filter(emulation_year=emulation_year)
        .select_related("unit", "entered_by")
        .order_by("unit__name", "criterion_code")
    )


def manual_points_entry(
    *, emulation_year: EmulationYear, row_id: int | None
) -> ManualPoints | None:
    """One manual points entry of the year (None for another year's, or no id)."""
    if row_id is None:
        return None
    return manual_points_of_year(emulation_year=emulation_year).filter(pk=row_id).first()


def report_preview(
    *, emulation_year: EmulationYear, unit_code: str, values: dict, language: str = "vi"
) -> tuple[list[engine.Line], engine.Standing | None]:
    """The points these (unsaved) figures would earn, with the other members' current figures:
    the reporter's live preview. Nothing is written.

    Before publication no number derived from other members' figures is shown: a criterion
    whose points depend on them (engine.reads_other_members: the relative rule, a points formula
    reading the best, worst or mean result) comes without points (None) and says they come after
    publication, and then no total is given (the standing is None) — typing figures and reading
    "1,48/10" gave away the leader's figure. The lines are written in `language`."""
    inputs = year_inputs(emulation_year=emulation_year)
    if inputs is None or unit_code not in inputs.members:
        return [], None
    figures = {
        k: v for k, v in inputs.figures.items() if not (k[0] == unit_code and k[1] == inputs.year)
    }
    for code, value in values.items():
        if value is not None:
            figures[(unit_code, inputs.year, code)] = float(value)
    inputs.figures = figures
    result = inputs.run(language=language)
    lines = [line for (unit, _code), line in result.lines.items() if unit == unit_code]
    withheld = (
        set()
        if emulation_year.is_published
        else {c.code for c in inputs.scheme.criteria if reads_other_members(c)}
    )
    if not withheld:
        return lines, result.standing(unit_code)
    waiting = _("phụ thuộc kết quả các đơn vị khác — có sau khi công bố")
    return [
        # A withheld line has no points (Line.points is a float everywhere else): the page
        # writes the explanation instead.
        dataclasses.replace(line, ratio=None, points=None, explanation=waiting)  # type: ignore[arg-type]
        if line.criterion in withheld
        else line
        for line in lines
    ], None


def report_figures(
    *, emulation_year: EmulationYear, unit_id: int, report: Report | None
) -> tuple[dict[str, ReportValue], dict]:
    """A member's stored figures this year (by element code) and last year's in the same cluster
    (verified over reported, from a scored report), for the report form — in one query."""
    # The reports first (by their keys), then their figures (by report): an OR across the join
    # to the figures would read every figure of every report.
    # This cluster's year before only: a unit that was also a member of another cluster that
    # year reported its figures there too, and no figure of another cluster is shown here.
    reports = Q(
        unit_id=unit_id,
        emulation_year__cluster_id=emulation_year.cluster_id,
        emulation_year__year=emulation_year.year - 1,
        status__in=Report.SCORED_STATUSES,
    )
    if report is not None:
        reports |= Q(pk=report.pk)
    stored, previous = {}, {}
    for row in ReportValue.objects.filter(
        report_id__in=Report.objects.filter(reports).values("pk")
    ).order_by():
        if report is not None and row.report_id == report.pk:
            stored[row.element_code] = row
        else:
            previous[row.element_code] = (
                row.verified_value if row.verified_value is not None else row.value
            )
    return stored, previous


def report_status_label(report: Report | None) -> str:
    """A report's state in the words every page uses: "Chưa bắt đầu" until its first save."""
    if report is None:
        return _("Chưa bắt đầu")
    return str(Report.Status(report.status).label)


def report_history_rows(
    *, emulation_year: EmulationYear, entries: Iterable[AuditEntry]
) -> list[tuple]:
    """Each audit entry of a report with its changes as (label, before, after, is a figure), in
    names: a data element's name rather than its code, a status's label rather than its value,
    comments as "name: text" (figures are written by the page, as numbers)."""
    scheme = scheme_in_force(emulation_year)
    elements = {e.code: e.name for e in scheme_data_elements(scheme)} if scheme is not None else {}
    statuses = {value: str(label) for value, label in Report.Status.choices}
    answer_prefix = "trả lời nhận xét "

    def label(key: str) -> str:
        if key in elements:
            return elements[key]
        if key == "status":
            return _("Trạng thái")
        if key == "comments":
            return _("Nhận xét")
        if key == "note" or key == "ghi chú":
            return _("Ghi chú")
        if key == "evidence":
            return _("Minh chứng")
        if key == "element":
            return _("Số liệu")
        if key.startswith(answer_prefix):
            code = key.removeprefix(answer_prefix)
            return _("Trả lời nhận xét: %(about)s") % {
                "about": elements.get(code, _("Chung") if code == "chung" else code)
            }
        return key

    def value(key: str, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if key == "status":
            return statuses.get(raw, raw)
        if key == "comments" and isinstance(raw, dict):
            return "; ".join(
                f"{elements.get(code, code or _('Chung'))}: {text}" for code, text in raw.items()
            )
        if key == "element":
            return elements.get(raw, raw)
        return raw if isinstance(raw, str) else str(raw)

    rows = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        keys = (
            sorted(set(before) | set(after), key=lambda k: (k not in elements, label(k)))
            if isinstance(before, dict) and isinstance(after, dict)
            else []
        )
        rows.append(
            (
                entry,
                [
                    (label(k), value(k, before.get(k)), value(k, after.get(k)), k in elements)
                    for k in keys
                ],
            )
        )
    return rows


def reports_verifiable(*, emulation_year: EmulationYear) -> list[Report]:
    """The submitted reports without an open comment, by unit name (one query)."""
    open_comment = ReportComment.objects.filter(report=OuterRef("pk"), resolved=False)
    return list(
        Report.objects.filter(emulation_year=emulation_year, status=Report.Status.SUBMITTED)
        .exclude(Exists(open_comment))
        .select_related("unit")
        .order_by("unit__name")
    )


@dataclasses.dataclass(frozen=True)
class LateMember:
    unit: Unit
    report: Report | None
    emails: tuple[str, ...]  # its reporters' addresses: none means no reminder can reach it


def late_members(*, emulation_year: EmulationYear) -> list[LateMember]:
    """The members that have not submitted (no report, a draft, a returned report) — those
    `year_remind_late` reminds — with their reporters' e-mail addresses (three queries)."""
    units = list(
        Unit.objects.filter(memberships__emulation_year=emulation_year).order_by("name", "pk")
    )
    reports = {
        r.unit_id: r for r in Report.objects.filter(emulation_year=emulation_year, unit__in=units)
    }
    emails: dict[int, set[str]] = {}
    for unit_id, email in RoleGrant.objects.filter(
        role=RoleGrant.Role.REPORTER, unit__in=units
    ).values_list("unit_id", "user__email"):
        if email:
            emails.setdefault(unit_id, set()).add(email)
    return [
        LateMember(u, reports.get(u.pk), tuple(sorted(emails.get(u.pk, ()))))
        for u in units
        if u.pk not in reports or reports[u.pk].status not in Report.SCORED_STATUSES
    ]
