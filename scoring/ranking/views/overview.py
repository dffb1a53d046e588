"""The leadership overview: every cluster's year at a glance."""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from clusters.permissions import refuse_unless_read, rows_with_visible_results, visible_years
from emulation.pagecache import cached_page, page_key
from scoring.conference.selectors import leading_proposals_stamp, next_level
from scoring.ranking.selectors import OverviewRow, overview_cards, overview_rows, years_by_pk


def overview(request):
    """Every cluster in scope for one calendar year: its leader, members, reporting and
    verification progress, how many members met each criterion, and the criteria no one met.

    The page is the same for every user who sees the same years in the same state, so it is
    served whole from the cache under a key of those — the one cache of the page; two queries
    decide it (the years in scope as light rows, and a stamp of the leading-unit proposals)."""
    if refused := refuse_unless_read(request):
        return refused
    rows = overview_rows(years=visible_years(request.user))
    shown = rows_with_visible_results(request.user, rows)
    calendar = sorted({row.year for row in rows}, reverse=True)
    chosen = _overview_year(request.GET.get("nam"), calendar, shown)
    # What the page shows of each year: the cache key needs no more. The years themselves are
    # loaded only when the page has to be rendered again.
    stamps = [
        (row.pk, row.input_version, row.scored_version, row.status, row.has_data)
        for row in shown
        if row.year == chosen
    ]
    proposals = leading_proposals_stamp()
    return cached_page(
        request,
        page_key(request, "overview", calendar, chosen, stamps, proposals),
        lambda extra: _render_overview(request, calendar, chosen, stamps, extra),
    )


def _overview_year(asked: str | None, calendar: list[int], shown: list[OverviewRow]) -> int:
    """The year asked for, or where the data is: the latest year with a submitted report in a
    cluster whose results the user sees — not a year just opened with nothing in it."""
    if asked:
        try:
            return int(asked)
        except ValueError:
            pass
    with_data = [row.year for row in shown if row.has_data]
    if with_data:
        return max(with_data)
    return calendar[0] if calendar else 0


def _render_overview(request, calendar: list[int], chosen: int, stamps: list, extra: dict):
    """The page for the cache: each year's card, and the cap-across-clusters section."""
    years = years_by_pk(pks=[pk for pk, *_rest in stamps])
    with_data = {pk for pk, *_rest, has_data in stamps if has_data}
    cards = [
        # Our own template: safe.
        mark_safe(render_to_string("clusters/_overview_card.html", {"c": card}))  # noqa: S308
        for card in overview_cards(years=years)
    ]
    section = render_to_string(
        "clusters/_next_level.html", {"next_level": next_level(years=years, with_data=with_data)}
    )
    return render(
        request,
        "clusters/overview.html",
        {
            "cards": cards,
            "calendar": calendar,
            "chosen": chosen,
            "next_level_html": mark_safe(section),  # noqa: S308 — our own template
            **extra,
        },
    )
