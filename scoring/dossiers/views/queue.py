"""The dossiers a user sees, as a queue: for an awarding body's staff, every dossier addressed to
it from the clusters under it, filtered by award kind, cluster and state, sorted by the working
days left on the awarding level's clock; for a cluster's secretariat, its reporters and
leadership, theirs. A batch package of the filtered dossiers for the national e-dossier system."""

from __future__ import annotations

import re
from dataclasses import astuple
from urllib.parse import urlencode

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clusters.permissions import refuse_unless_read, user_scope
from emulation.pagecache import cached_page, page_key
from scoring.awards.rule_sets import rule_sets_generation
from scoring.dossiers.forms import QueueForm
from scoring.dossiers.selectors import (
    SORTS,
    QueueFilters,
    dossier_queue,
    queue_selection,
    queue_stamp,
)
from scoring.dossiers.views.dossier import zip_response
from scoring.errors import ScoringError
from scoring.models import Dossier

SLUG = re.compile(r"[a-z0-9-]+")


def _filters(data: QueryDict) -> QueueFilters:
    """The filters typed in the address; a value that names nothing is ignored, never a 400."""
    award = data.get("award", "")
    cluster = data.get("cluster", "")
    state = data.get("state", "")
    sort = data.get("sort", "")
    return QueueFilters(
        award=award if award and len(award) <= 60 and SLUG.fullmatch(award) else "",
        cluster=int(cluster)
        if cluster.isascii() and cluster.isdigit() and len(cluster) < 10
        else None,
        cluster_name=data.get("cum", "").strip()[:100],
        state=state if state in Dossier.State.values else "",
        sort=sort if sort in SORTS else "han",
        late=data.get("qua_han") in ("on", "1", "true"),
    )


def _page_number(data: QueryDict) -> int:
    text = data.get("trang", "1")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 1


def _query(filters: QueueFilters) -> str:
    """The filters in force as the address writes them (from what was understood, not from what
    was typed: the page depends on the filters alone)."""
    values = {
        "award": filters.award,
        "cluster": filters.cluster or "",
        "cum": filters.cluster_name,
        "state": filters.state,
        "sort": filters.sort if filters.sort != "han" else "",
        "qua_han": "on" if filters.late else "",
    }
    return urlencode({k: v for k, v in values.items() if v})


def dossier_queue_view(request):
    """The queue, served from the cache while nothing it shows has changed: its key holds the
    user's scope, the filters, the page, the day (the working days left) and a stamp of the
    dossiers in scope (their number and last change) — one aggregate query. Kept, measured: an
    awarding body's queue of 1,400 clusters' dossiers renders in ~30 ms in-process, a cached one
    costs the stamp (docs/performance.md)."""
    if refused := refuse_unless_read(request):
        return refused
    today = timezone.localdate()
    filters = _filters(request.GET)
    page = _page_number(request.GET)
    scope = user_scope(request.user)
    key = page_key(
        request,
        "dossier-queue",
        sorted(scope.awarding_units),
        sorted(scope.secretariat_clusters),
        sorted(scope.reporter_units),
        sorted(scope.leadership_units),
        scope.is_superuser,
        astuple(filters),
        page,
        today,
        queue_stamp(user=request.user),
        rule_sets_generation(),
    )
    return cached_page(
        request, key, lambda extra: _queue_page(request, filters, page, today, scope, extra)
    )


def _queue_page(request, filters: QueueFilters, page: int, today, scope, extra: dict):
    queue = dossier_queue(user=request.user, filters=filters, today=today, page=page)
    query = _query(filters)
    return render(
        request,
        "dossiers/queue.html",
        {
            "queue": queue,
            # The form gives the filters' labels and the award kinds in scope to choose from.
            "form": QueueForm(awards=queue.awards),
            "filters": filters,
            "states": [(s, label, queue.states.get(s, 0)) for s, label in Dossier.State.choices],
            "query": query,
            "batch_url": reverse("dossier-batch") + (f"?{query}" if query else ""),
            "is_awarding": bool(scope.awarding_units),
            **extra,
        },
    )


def dossier_batch(request):
    """The queue's filtered dossiers as one package (bounded: the service refuses a batch over
    the limits, and the queue says why)."""
    if refused := refuse_unless_read(request):
        return refused
    today = timezone.localdate()
    filters = _filters(request.GET)
    selection = queue_selection(user=request.user, filters=filters, today=today)
    try:
        return zip_response(request, selection, f"ho-so-khen-thuong-{today:%Y%m%d}.zip")
    except ScoringError as error:
        messages.error(request, str(error))
        query = request.GET.urlencode()
        return redirect(reverse("dossier-queue") + (f"?{query}" if query else ""))
