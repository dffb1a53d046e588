"""The leadership overview: every cluster's year at a glance."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from clusters.permissions import refuse_unless_read, rows_with_visible_results, visible_years
from emulation.pagecache import LIFETIME, cached_page, page_key
from scoring.awards.rule_sets import rule_sets_generation
from scoring.conference.selectors import leading_proposals_stamp, next_level
from scoring.ranking.selectors import OverviewRow, overview_cards, overview_rows, years_by_pk


def overview(request):
    """Every cluster in scope for one calendar year: its leader, members, reporting and
    verification progress, how many members met each criterion, and the criteria no one met.

    The page is the same for every user who sees the same years in the same state, so it is
    served whole from the cache under a key of those; two queries decide it (the years in scope as
    light rows, and a stamp of the leading-unit proposals). When it has to be rendered again, only
    the cards of the years that changed are (`_cards_html`)."""
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
    # The cap across clusters is the rule set's in force today: the day and the rule sets'
    # generation are part of the key.
    today = timezone.localdate()
    return cached_page(
        request,
        page_key(
            request,
            "overview",
            calendar,
            chosen,
            stamps,
            proposals,
            today,
            rule_sets_generation(),
        ),
        lambda extra: _render_overview(request, calendar, chosen, stamps, today, extra),
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


def _render_overview(
    request, calendar: list[int], chosen: int, stamps: list, today: dt.date, extra: dict
):
    """The page for the cache: each year's card, and the cap-across-clusters section."""
    years = years_by_pk(pks=[pk for pk, *_rest in stamps])
    with_data = {pk for pk, *_rest, has_data in stamps if has_data}
    cards = _cards_html(stamps, years)
    leaders = next_level(years=years, with_data=with_data, today=today, language=get_language())
    section = render_to_string("clusters/_next_level.html", {"next_level": leaders})
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


def _cards_html(stamps: list, years: list) -> list[str]:
    """Each year's card, cached under what it shows (the year's versions and status, the
    language), so that a report submitted in one cluster renders one card again, not a hundred.
    Kept, measured (#15): without it the load test's overview p95 went 246 → 303 ms (target
    300 ms), and a changed year cost the next reader 508–675 ms in-process against 40–59 ms."""
    language = get_language()
    keys = {
        pk: f"overview-card:{pk}:{input_version}:{scored_version}:{status}:{language}"
        for pk, input_version, scored_version, status, _has_data in stamps
    }
    found = cache.get_many(list(keys.values()))
    missing = [year for year in years if keys[year.pk] not in found]
    if missing:
        fresh = {
            keys[card["year"].pk]: render_to_string("clusters/_overview_card.html", {"c": card})
            for card in overview_cards(years=missing)
        }
        cache.set_many(fresh, LIFETIME)  # names and offices change outside the key: as the page
        found.update(fresh)
    return [mark_safe(found[keys[pk]]) for pk in keys]  # noqa: S308 — our own template
