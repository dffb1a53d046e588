"""The home page: the work inbox, then the clusters in scope with their years."""

from __future__ import annotations

from django.shortcuts import render

from clusters.models import EmulationYear, Unit
from clusters.permissions import (
    refuse_unless_read,
    user_scope,
)
from clusters.selectors import home_cards
from emulation.pagecache import cached_page, page_key
from scoring.inbox.selectors import inbox_for_user

# The home page lists this many clusters; the rest are one link away (`?cum=tat-ca`).
HOME_CLUSTERS = 12


def home(request):
    """The work inbox ("Việc cần làm": what waits for the user, each task linking to the page
    that does it), then the clusters in scope with their years — the first HOME_CLUSTERS, or
    all of them with `?cum=tat-ca`.

    The page is served from the cache under a key of everything it shows (the inbox's items, the
    clusters' and years' rows, read in three statements at most), so a repeated visit renders
    nothing (figures in docs/performance.md)."""
    if refused := refuse_unless_read(request):
        return refused
    scope = user_scope(request.user)
    show_all = request.GET.get("cum") == "tat-ca"
    inbox = inbox_for_user(user=request.user)
    cards = home_cards(scope=scope, limit=None if show_all else HOME_CLUSTERS + 1)
    more = len(cards) > HOME_CLUSTERS and not show_all
    cards = cards[:HOME_CLUSTERS] if more else cards
    manages = sorted({card[0] for card in cards} & scope.secretariat_clusters)
    # The awarding bodies whose dossiers the user handles (their queue and council pages).
    bodies = (
        list(Unit.objects.filter(pk__in=scope.awarding_units).values_list("pk", "name"))
        if scope.awarding_units
        else []
    )
    key = page_key(request, "home", show_all, scope.is_empty, inbox, cards, manages, more, bodies)
    context = {"more": more, "scope": scope, "inbox": inbox, "bodies": bodies}
    return cached_page(
        request,
        key,
        lambda extra: render(
            request,
            "clusters/home.html",
            {**context, "cards": _cards_shown(cards, manages), **extra},
        ),
    )


def _cards_shown(cards, manages: list[int]) -> list[dict]:
    """The clusters' rows as the page shows them: each year with its status's label, and
    whether the user is the cluster's secretariat (its contacts link)."""
    return [
        {
            "pk": pk,
            "name": name,
            "supervising": supervising,
            "years": [
                (year_pk, year, EmulationYear.Status(status).label)
                for year_pk, year, status in years
            ],
            "manages": pk in manages,
        }
        for pk, name, supervising, years in cards
    ]
