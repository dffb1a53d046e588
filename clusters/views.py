from __future__ import annotations

import hashlib

from django.db.models import Prefetch
from django.shortcuts import render

from emulation.pagecache import cached_page, page_key

from .models import EmulationYear, FlagHandover, YearOffice
from .permissions import (
    get_cluster_for_user,
    refuse_unless_read,
    user_scope,
    visible_years,
)
from .selectors import home_cards

# The home page lists this many clusters; the rest are one link away (`?cum=tat-ca`).
HOME_CLUSTERS = 12


def home(request):
    """The work inbox ("Việc cần làm": what waits for the user, each task linking to the page
    that does it), then the clusters in scope with their years — the first HOME_CLUSTERS, or
    all of them with `?cum=tat-ca`.

    The page is served from the cache under a key of everything it shows (the inbox's items, the
    clusters' and years' rows, read in three statements at most), so a repeated visit renders
    nothing (figures in docs/performance.md)."""
    from scoring.inbox.selectors import inbox_for_user

    if refused := refuse_unless_read(request):
        return refused
    scope = user_scope(request.user)
    show_all = request.GET.get("cum") == "tat-ca"
    inbox = inbox_for_user(user=request.user)
    cards = home_cards(scope=scope, limit=None if show_all else HOME_CLUSTERS + 1)
    more = len(cards) > HOME_CLUSTERS and not show_all
    cards = cards[:HOME_CLUSTERS] if more else cards
    manages = sorted({card[0] for card in cards} & scope.secretariat_clusters)
    key = page_key(request, "home", show_all, scope.is_empty, inbox, cards, manages, more)

    def page(extra: dict):
        cards_shown = [
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
        context = {"cards": cards_shown, "more": more, "scope": scope, "inbox": inbox}
        return render(request, "clusters/home.html", {**context, **extra})

    return cached_page(request, key, page)


def cluster_detail(request, pk: int):
    cluster, can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    from scoring.selectors import year_has_scored_reports

    years = list(
        visible_years(request.user)
        .filter(cluster=cluster)
        .select_related("scheme")
        .annotate(has_data=year_has_scored_reports())
        .prefetch_related(
            Prefetch(
                "offices", queryset=YearOffice.objects.select_related("unit").order_by("role")
            ),
            "memberships__unit",
        )
        .order_by("-year")
    )
    handovers = FlagHandover.objects.filter(cluster=cluster).select_related(
        "from_unit", "to_unit", "emulation_year"
    )
    return render(
        request,
        "clusters/cluster_detail.html",
        {
            "cluster": cluster,
            "years": years,
            # Where the data is: the newest year with a submitted report, not an empty one
            # just opened.
            "latest_with_data": next((y for y in years if y.has_data), None),
            "handovers": handovers,
            "can_write": can_write,
            "statuses": EmulationYear.Status,
        },
    )


def cluster_compare(request, pk: int):
    """The ranking of several years side by side (years whose results the user may see)."""
    from scoring.models import Standing
    from scoring.selectors import year_has_scored_reports

    from .permissions import can_see_results

    cluster, _can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    # A year nobody has reported in yet (its members tie at 0) is no column either.
    years = [
        y
        for y in visible_years(request.user)
        .filter(cluster=cluster)
        .select_related("cluster")
        .filter(year_has_scored_reports())
        .order_by("year")
        if can_see_results(request.user, y)
    ]
    standings = list(
        Standing.objects.filter(run__emulation_year__in=years, run__is_current=True)
        .select_related("unit", "run")
        .order_by("unit__name")
    )
    # Years without results (a baseline year with figures only) would be an empty column.
    scored = {s.run.emulation_year_id for s in standings}
    years = [y for y in years if y.pk in scored]
    table: dict[int, dict] = {}
    for s in standings:
        row = table.setdefault(s.unit_id, {"unit": s.unit, "cells": {}})
        row["cells"][s.run.emulation_year_id] = s
    latest = {
        s.unit_id: s.rank for s in standings if years and s.run.emulation_year_id == years[-1].pk
    }
    rows = sorted(table.values(), key=lambda r: (latest.get(r["unit"].pk, 10**6), r["unit"].name))
    grid = [(r["unit"], [r["cells"].get(y.pk) for y in years]) for r in rows]
    return render(
        request, "clusters/compare.html", {"cluster": cluster, "years": years, "grid": grid}
    )


def overview(request):
    """Every cluster in scope for one calendar year: its leader, members, reporting and
    verification progress, how many members met each criterion, and the criteria no one met.

    The page is the same for every user who sees the same years in the same state, so it is
    served whole from the cache under a key of those; two queries decide it (the years in scope as
    light rows, and a stamp of the leading-unit proposals)."""
    from scoring.selectors import year_has_scored_reports

    if refused := refuse_unless_read(request):
        return refused
    scope = user_scope(request.user)
    rows = [
        (
            year,
            pk,
            input_version,
            scored_version,
            status,
            has_data,
            # can_see_results, on the row
            scope.is_superuser
            or cluster_id in scope.secretariat_clusters
            or supervising_id in scope.leadership_units
            or status == EmulationYear.Status.PUBLISHED,
        )
        for year, pk, input_version, scored_version, status, cluster_id, supervising_id, has_data in (
            visible_years(request.user)
            .annotate(has_data=year_has_scored_reports())
            .order_by("cluster__name")
            .values_list(
                "year",
                "pk",
                "input_version",
                "scored_version",
                "status",
                "cluster_id",
                "cluster__supervising_unit_id",
                "has_data",
            )
        )
    ]
    calendar = sorted({row[0] for row in rows}, reverse=True)
    chosen = _overview_year(request.GET.get("nam"), calendar, rows)
    # What the page shows of each year: the cache keys need no more. The years themselves are
    # loaded only for the cards and sections that have to be rendered again.
    stamps = [
        (pk, input_version, scored_version, status, has_data)
        for year, pk, input_version, scored_version, status, has_data, shown in rows
        if year == chosen and shown
    ]
    proposals = _leading_proposals_stamp()
    return cached_page(
        request,
        page_key(request, "overview", calendar, chosen, stamps, proposals),
        lambda extra: render(
            request,
            "clusters/overview.html",
            {
                "cards": _overview_cards_html(stamps),
                "calendar": calendar,
                "chosen": chosen,
                "next_level_html": _next_level_html(stamps, proposals),
                **extra,
            },
        ),
    )


def _overview_year(asked: str | None, calendar: list[int], rows) -> int:
    """The year asked for, or where the data is: the latest year with a submitted report in a
    cluster whose results the user sees — not a year just opened with nothing in it."""
    if asked:
        try:
            return int(asked)
        except ValueError:
            pass
    with_data = [row[0] for row in rows if row[5] and row[6]]
    if with_data:
        return max(with_data)
    return calendar[0] if calendar else 0


def _leading_proposals_stamp() -> dict:
    """How many leading-unit proposals there are, and the newest: what the cap-across-clusters
    section depends on besides the years' state. Counted over every year (proposals are written
    only when a ballot closes or reopens), so the stamp needs no list of years."""
    from django.db.models import Count, Max

    from scoring.models import AwardProposal

    return AwardProposal.objects.filter(award_kind__leads_cluster=True).aggregate(
        n=Count("pk"), last=Max("pk")
    )


def _load_years(pks: list[int]) -> list[EmulationYear]:
    found = EmulationYear.objects.select_related("cluster__supervising_unit").in_bulk(pks)
    return [found[pk] for pk in pks]


def _overview_cards_html(stamps) -> list[str]:
    """Each year's card changes only when its inputs, results or status do: the rendered card is
    cached under those (and the language), and only the cards that missed are computed — a
    report submitted in one cluster does not recompute the hundred others. The whole list is
    cached too, so that an unchanged overview is one cache read."""
    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    language = get_language()
    keys = {
        pk: f"overview-card:{pk}:{input_version}:{scored_version}:{status}:{language}"
        for pk, input_version, scored_version, status, _has_data in stamps
    }
    whole = "overview-cards:" + hashlib.sha256(repr(list(keys.values())).encode()).hexdigest()
    cards = cache.get(whole)
    if cards is None:
        found = cache.get_many(list(keys.values()))
        missing = _load_years([pk for pk in keys if keys[pk] not in found])
        if missing:
            fresh = {
                keys[card["year"].pk]: render_to_string("clusters/_overview_card.html", {"c": card})
                for card in _overview_cards(missing)
            }
            cache.set_many(fresh, 3600)
            found.update(fresh)
        cards = [found[keys[pk]] for pk in keys]
        cache.set(whole, cards, 3600)
    return [mark_safe(card) for card in cards]  # noqa: S308 — our own template


def _next_level_html(stamps, proposals: dict) -> str:
    """The cap-across-clusters section, cached under what it shows: each year's results (its
    scored version: a new current run), status, and the stamp of the leading-unit proposals —
    not its inputs, so a report saved or submitted does not render it again."""
    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    year_ids = [row[0] for row in stamps]
    key = (
        "overview-next-level:"
        + hashlib.sha256(
            repr(
                (
                    [
                        (pk, scored, status, has_data)
                        for pk, _inputs, scored, status, has_data in stamps
                    ],
                    proposals,
                )
                + (get_language(),)
            ).encode()
        ).hexdigest()
    )
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "clusters/_next_level.html",
            {
                "next_level": _next_level(
                    _load_years(year_ids), with_data={row[0] for row in stamps if row[4]}
                )
            },
        )
        cache.set(key, html, 3600)
    return mark_safe(html)  # noqa: S308 — our own template


def _current_runs(year_ids: list[int]) -> dict[int, int]:
    """The years' current runs, run id → year id (one current run per year: a partial unique
    index). Results are then read by run — an index lookup however many runs the years' history
    holds and however stale the planner's statistics are: through a join on the runs, PostgreSQL
    read every first place of every run (8.9 ms a call under the load test, docs/performance.md)."""
    from scoring.models import ScoringRun

    return dict(
        ScoringRun.objects.filter(emulation_year_id__in=year_ids, is_current=True).values_list(
            "pk", "emulation_year_id"
        )
    )


def _first_places(runs: dict[int, int]) -> dict:
    """Each year's first place in its current run (`runs`: run id → year id); on a tie, the first
    by name — the same unit in the overview's cards and in its next-level list."""
    from scoring.models import Standing

    return {
        runs[s.run_id]: s
        for s in Standing.objects.filter(run_id__in=list(runs), rank=1)
        .select_related("unit")
        .order_by("-unit__name")  # the last one written wins: the first by name
    }


def _next_level(years, *, with_data: set[int]) -> list[dict]:
    """The cap across clusters: per supervising unit, its cluster leaders this year (the unit the
    members proposed as leading unit, or — until they vote — the first of the ranking of a year
    with submitted reports: a year without any proposes no one) and how many of them may be
    proposed to the next level. Three queries."""
    from scoring.models import AwardProposal
    from scoring.services.conference import NEXT_LEVEL_CAP_PERCENT, next_level_cap

    ids = [y.pk for y in years]
    voted = {
        p.emulation_year_id: p
        for p in AwardProposal.objects.filter(
            emulation_year__in=ids, award_kind__leads_cluster=True
        )
        .select_related("unit")
        .order_by("-rank")
    }
    first = _first_places(_current_runs(ids))
    groups: dict[int, dict] = {}
    for y in years:
        group = groups.setdefault(
            y.cluster.supervising_unit_id,
            {"supervising": y.cluster.supervising_unit, "leaders": []},
        )
        if y.pk in voted:
            group["leaders"].append({"year": y, "unit": voted[y.pk].unit, "by_vote": True})
        elif y.pk in first and y.pk in with_data:
            group["leaders"].append({"year": y, "unit": first[y.pk].unit, "by_vote": False})
    result = []
    for group in groups.values():
        if group["leaders"]:
            group["cap"] = next_level_cap(len(group["leaders"]))
            group["percent"] = NEXT_LEVEL_CAP_PERCENT
            result.append(group)
    return result


def _overview_cards(years) -> list[dict]:
    from django.db.models import Count, OuterRef, Q, Subquery

    from scoring.models import Criterion, Report, Score

    ids = [y.pk for y in years]
    members = dict(
        EmulationYear.objects.filter(pk__in=ids)
        .annotate(n=Count("memberships"))
        .values_list("pk", "n")
    )
    progress = {
        row["emulation_year"]: row
        for row in Report.objects.filter(emulation_year__in=ids)
        .values("emulation_year")
        .annotate(
            submitted=Count("pk", filter=Q(status__in=["submitted", "verified"])),
            verified=Count("pk", filter=Q(status="verified")),
        )
    }
    runs = _current_runs(ids)
    leaders = _first_places(runs)
    met: dict[int, list] = {}
    for row in (
        Score.objects.filter(run_id__in=list(runs))
        .values("run_id", "run__scheme_id", "criterion_code")
        .annotate(
            # The criterion's name in the same query (the run's scheme version, by its key).
            name=Subquery(
                Criterion.objects.filter(
                    scheme_id=OuterRef("run__scheme_id"), code=OuterRef("criterion_code")
                ).values("name")[:1]
            ),
            met=Count("pk", filter=Q(met=True)),
            total=Count("pk"),
        )
        .order_by("run_id", "criterion_code")
    ):
        year_id = runs[row["run_id"]]
        row["label"] = " ".join(part for part in (row["criterion_code"], row["name"]) if part)
        met.setdefault(year_id, []).append(row)
    cards = []
    for y in years:
        submitted = progress.get(y.pk, {}).get("submitted", 0)
        # Without a submitted report the year has no leader, no "met" to count and no alarm:
        # its members all tie at 0.
        cards.append(
            {
                "year": y,
                "members": members.get(y.pk, 0),
                "submitted": submitted,
                "verified": progress.get(y.pk, {}).get("verified", 0),
                "has_data": submitted > 0,
                "leader": leaders.get(y.pk) if submitted else None,
                "criteria": met.get(y.pk, []) if submitted else [],
                "never_met": [r["label"] for r in met.get(y.pk, []) if r["met"] == 0]
                if submitted
                else [],
            }
        )
    return cards


def cluster_login_locks(request, pk: int):
    """The cluster's users with recent failed logins, for its secretariat (or the administrator),
    who may lift a lock (issue #14): outside the scope 404, readers of the cluster 403."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from .selectors import cluster_usernames, login_locks
    from .services import UnlockRefused, login_unlock

    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    error, status = "", 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        try:
            if not username:
                raise UnlockRefused(username)
            forgotten = login_unlock(actor=request.user, cluster=cluster, username=username)
        except UnlockRefused:
            error = _(
                "Tên đăng nhập: không có tài khoản nào của cụm tên “%(name)s” đang có lần đăng nhập sai."
            ) % {"name": username}
            status = 400
        else:
            messages.success(
                request,
                _("Đã mở khóa đăng nhập cho %(name)s (%(n)s lần sai được xoá).")
                % {"name": username, "n": forgotten},
            )
            return redirect("cluster-login-locks", pk=cluster.pk)
    elif request.method not in ("GET", "HEAD"):
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    locks = login_locks(usernames=cluster_usernames(cluster_id=cluster.pk))
    return render(
        request,
        "clusters/login_locks.html",
        {"cluster": cluster, "locks": locks, "error": error},
        status=status,
    )
