"""Reads of a member's report: the figures as entered, the preview of its score, its status and
history."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from clusters.models import AuditEntry, EmulationYear
from scoring import engine
from scoring.engine.rules import reads_other_members
from scoring.models import (
    Report,
    ReportValue,
)
from scoring.ranking.selectors import year_inputs
from scoring.schemes.selectors import scheme_data_elements


def report_preview(
    *, emulation_year: EmulationYear, unit_code: str, values: dict
) -> tuple[list[engine.Line], engine.Standing | None]:
    """The points these (unsaved) figures would earn, with the other members' current figures:
    the reporter's live preview. Nothing is written.

    Before publication no number derived from other members' figures is shown: a criterion
    whose points depend on them (engine.reads_other_members: the relative rule, a points formula
    reading the best, worst or mean result) comes without points (None) and says they come after
    publication, and then no total is given (the standing is None) — typing figures and reading
    "1,48/10" gave away the leader's figure."""
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
    result = inputs.run()
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
    from django.db.models import Q

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
    elements = (
        {e.code: e.name for e in scheme_data_elements(emulation_year.scheme)}
        if emulation_year.scheme is not None
        else {}
    )
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
