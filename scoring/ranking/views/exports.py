"""The ranking as data: JSON (the same shape as `export_ranking --format json`), CSV in two
dialects and an XLSX that reads as a document (docs/export-format.md) — for logged-in users who
may see the year's results."""

from __future__ import annotations

import io

from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from clusters.permissions import can_see_results, get_year_for_user, refuse_unless_read
from scoring import engine
from scoring.conference.selectors import conference_pack_context
from scoring.formatting import page_language as _language
from scoring.ranking.selectors import (
    run_export_info,
    run_to_result,
    year_current_run,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _current_run(request, pk: int):
    """The year in the user's scope and its current run, or the response that refuses: 404
    outside the scope, before this reader may see the results, or before any run; 405 for
    anything but a read."""
    year, _can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return year, refused
    if not can_see_results(request.user, year):
        raise Http404
    run = year_current_run(emulation_year=year)
    if run is None:
        raise Http404
    return year, run


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def ranking_json(request, pk: int):
    year, run = _current_run(request, pk)
    if isinstance(run, HttpResponse):
        return run
    result = run_to_result(run=run, language=_language())
    return JsonResponse(
        engine.result_to_dict(result, language=_language()),
        json_dumps_params={"ensure_ascii": False},
    )


def ranking_csv(request, pk: int):
    """?dialect=rfc4180 (the default: for programs, a stable contract) or ?dialect=excel-vn (for
    a Vietnamese-locale Excel)."""
    year, run = _current_run(request, pk)
    if isinstance(run, HttpResponse):
        return run
    dialect = request.GET.get("dialect") or "rfc4180"
    if dialect not in engine.CSV_DIALECTS:
        return HttpResponseBadRequest(
            _("Kiểu CSV không hợp lệ: chọn rfc4180 hoặc excel-vn."),
            content_type="text/plain; charset=utf-8",
        )
    language = _language()
    stream = io.StringIO(newline="")
    engine.write_csv(
        run_to_result(run=run, language=language),
        stream,
        language=language,
        dialect=dialect,
        info=run_export_info(emulation_year=year, run=run, language=language),
    )
    suffix = "-excel-vn" if dialect == "excel-vn" else ""
    return _download(
        stream.getvalue(),
        "text/csv; charset=utf-8; header=present",
        f"xep-hang-{year.cluster.code}-{year.year}{suffix}.csv",
    )


def ranking_xlsx(request, pk: int):
    year, run = _current_run(request, pk)
    if isinstance(run, HttpResponse):
        return run
    language = _language()
    stream = io.BytesIO()
    engine.write_xlsx(
        run_to_result(run=run, language=language),
        stream,
        language=language,
        info=run_export_info(emulation_year=year, run=run, language=language),
    )
    return _download(stream.getvalue(), XLSX, f"xep-hang-{year.cluster.code}-{year.year}.xlsx")


def conference_pack(request, pk: int):
    """The year-end conference pack: ranking, every member's score sheet, the pledge's
    signatories and the votes — a print layout that prints to clean A4."""
    year, _can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    if not can_see_results(request.user, year):
        raise Http404
    return render(
        request,
        "scoring/pack.html",
        conference_pack_context(emulation_year=year, language=_language()),
    )
