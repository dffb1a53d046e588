"""The ranking as data: JSON (the same shape as `export_ranking --format json`), CSV and XLSX —
for logged-in users who may see the year's results."""

from __future__ import annotations

import io

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from clusters.permissions import can_see_results, get_year_for_user, refuse_unless_read
from scoring import engine
from scoring.conference.selectors import conference_pack_context
from scoring.formatting import page_language as _language
from scoring.ranking.selectors import run_to_result, year_current_run


def _result(request, pk: int):
    year, _can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return year, refused
    if not can_see_results(request.user, year):
        raise Http404
    run = year_current_run(emulation_year=year)
    if run is None:
        raise Http404
    return year, run_to_result(run=run, language=_language())


def ranking_json(request, pk: int):
    year, result = _result(request, pk)
    if isinstance(result, HttpResponse):
        return result
    return JsonResponse(
        engine.result_to_dict(result, language=_language()),
        json_dumps_params={"ensure_ascii": False},
    )


def ranking_csv(request, pk: int):
    year, result = _result(request, pk)
    if isinstance(result, HttpResponse):
        return result
    stream = io.StringIO()
    engine.write_csv(result, stream, language=_language())
    # A BOM so that Excel opens the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="xep-hang-{year.cluster.code}-{year.year}.csv"'
    )
    return response


def ranking_xlsx(request, pk: int):
    year, result = _result(request, pk)
    if isinstance(result, HttpResponse):
        return result
    stream = io.BytesIO()
    engine.write_xlsx(result, stream, language=_language())
    response = HttpResponse(
        stream.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="xep-hang-{year.cluster.code}-{year.year}.xlsx"'
    )
    return response


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
