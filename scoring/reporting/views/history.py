"""A report's history and its evidence files."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render

from clusters.permissions import get_report_for_user, refuse_unless_read
from scoring.reporting.selectors import report_evidence_file, report_history_page


def report_history(request, pk: int, unit_id: int):
    """Every recorded change of a member's report: figures before and after, who, when, why."""
    year, unit, _role = get_report_for_user(request, pk, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    report, rows = report_history_page(emulation_year=year, unit=unit)
    return render(
        request,
        "scoring/report_history.html",
        {"year": year, "unit": unit, "report": report, "rows": rows},
    )


def evidence_download(request, pk: int, unit_id: int, evidence_id: int):
    """An evidence file, to whoever may open the report — always as a download, never inline."""
    year, unit, _role = get_report_for_user(request, pk, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    evidence = report_evidence_file(emulation_year=year, unit=unit, evidence_id=evidence_id)
    if evidence is None:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )
    response["Content-Type"] = evidence.content_type
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
