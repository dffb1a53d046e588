"""The ranking as data: JSON (the same shape as `export_ranking --format json`), CSV and XLSX —
for logged-in users who may see the year's results."""

from __future__ import annotations

import io

from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone

from clusters.permissions import can_see_results, get_year_for_user, refuse_unless_read
from scoring import engine
from scoring.formatting import page_language as _language
from scoring.ranking.selectors import run_to_result, scores_in_language, year_current_run


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
    from django.shortcuts import render

    from scoring.models import AwardProposal, Criterion, PledgeSignature, Score, Standing

    year, _can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    if not can_see_results(request.user, year):
        raise Http404
    run = year_current_run(emulation_year=year)
    standings = (
        list(Standing.objects.filter(run=run).select_related("unit").order_by("rank", "unit__code"))
        if run
        else []
    )
    criteria = (
        list(
            Criterion.objects.filter(scheme_id=run.scheme_id)
            .select_related("group")
            .order_by("position")
        )
        if run
        else []
    )
    scores: dict[tuple[int, str], Score] = (
        {(s.unit_id, s.criterion_code): s for s in Score.objects.filter(run=run)} if run else {}
    )
    scores_in_language(scores.values(), run=run, language=_language())
    sheets = [(s, [(c, scores.get((s.unit_id, c.code))) for c in criteria]) for s in standings]
    signatures = (
        PledgeSignature.objects.filter(pledge__emulation_year=year)
        .select_related("unit")
        .order_by("unit__name")
    )
    proposals = (
        AwardProposal.objects.filter(emulation_year=year)
        .select_related("unit", "award_kind")
        .order_by("award_kind__name", "rank")
    )
    offices = year.offices.select_related("unit").order_by("-role")
    from scoring.conference.services.conference import conference_context

    conference = conference_context(year)
    closed = [b["ballot"].closed_at for b in conference["ballots"] if b["ballot"].closed_at]
    conference_date = (
        conference["handover"].handed_on
        if conference["handover"]
        else (timezone.localtime(max(closed)).date() if closed else None)
    )
    return render(
        request,
        "scoring/pack.html",
        {
            "year": year,
            "run": run,
            "standings": standings,
            "sheets": sheets,
            "signatures": signatures,
            "proposals": proposals,
            "offices": offices,
            **conference,
            "conference_date": conference_date,
        },
    )
