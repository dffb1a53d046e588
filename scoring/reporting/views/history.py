"""A report's history and its evidence files, and the reads the report page shares."""

from __future__ import annotations

from django.shortcuts import render

from clusters.permissions import (
    refuse_unless_read,
)


def _report_basics(year, unit):
    """What a save needs: the report and the scheme's data elements."""
    from scoring.models import Report
    from scoring.schemes.selectors import scheme_data_elements

    report = Report.objects.filter(emulation_year=year, unit=unit).order_by("pk").first()
    elements = scheme_data_elements(year.scheme) if year.scheme_id else []
    return report, elements


def _report_page_extras(year, unit, report):
    """What only the page shows (a save that redirects does not read it): the stored figures,
    last year's, the member's targets, the comments."""
    from scoring.models import MemberTarget
    from scoring.reporting.selectors import report_figures
    from scoring.schemes.selectors import scheme_criteria

    values, previous = report_figures(emulation_year=year, unit_id=unit.pk, report=report)
    own_targets = dict(
        MemberTarget.objects.filter(emulation_year=year, unit=unit).values_list(
            "criterion_code", "target"
        )
    )
    criteria = scheme_criteria(year.scheme) if year.scheme_id else []
    targets = [(c, own_targets.get(c.code, c.target)) for c in criteria]
    comments = list(report.comments.order_by("created_at")) if report else []
    return values, previous, targets, comments


def report_history(request, pk: int, unit_id: int):
    """Every recorded change of a member's report: figures before and after, who, when, why."""
    from clusters.models import AuditEntry
    from clusters.permissions import get_report_for_user
    from scoring.models import Report
    from scoring.reporting.selectors import report_history_rows

    year, unit, _role = get_report_for_user(request, pk, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    report = Report.objects.filter(emulation_year=year, unit=unit).first()
    entries = (
        AuditEntry.objects.filter(
            object_type="scoring.report", object_id=str(report.pk)
        ).select_related("actor")
        if report
        else AuditEntry.objects.none()
    )
    rows = report_history_rows(emulation_year=year, entries=entries)
    return render(
        request,
        "scoring/report_history.html",
        {"year": year, "unit": unit, "report": report, "rows": rows},
    )


def evidence_download(request, pk: int, unit_id: int, evidence_id: int):
    """An evidence file, to whoever may open the report — always as a download, never inline."""
    from django.http import FileResponse, Http404

    from clusters.permissions import get_report_for_user
    from scoring.models import EvidenceFile

    year, unit, _role = get_report_for_user(request, pk, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    evidence = EvidenceFile.objects.filter(
        pk=evidence_id, report__emulation_year=year, report__unit=unit
    ).first()
    if evidence is None:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )
    response["Content-Type"] = evidence.content_type
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
