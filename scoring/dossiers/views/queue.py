"""The dossiers a user sees, as a queue: for an awarding body's staff, every dossier addressed to
it from the clusters under it, filtered by award kind, cluster and state, sorted by the working
days left on the awarding level's clock; for a cluster's secretariat, its reporters and
leadership, theirs. A batch package of the filtered dossiers for the national e-dossier system."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clusters.permissions import refuse_unless_read, user_scope
from scoring.dossiers.forms import QueueForm
from scoring.dossiers.selectors import SORTS, QueueFilters, dossier_queue, queue_selection
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
        state=state if state in Dossier.State.values else "",
        sort=sort if sort in SORTS else "han",
        late=data.get("qua_han") in ("on", "1", "true"),
    )


def _page_number(data: QueryDict) -> int:
    text = data.get("trang", "1")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 1


def dossier_queue_view(request):
    if refused := refuse_unless_read(request):
        return refused
    today = timezone.localdate()
    filters = _filters(request.GET)
    queue = dossier_queue(
        user=request.user, filters=filters, today=today, page=_page_number(request.GET)
    )
    # The form shows the filters in force, its choices the dossiers in scope.
    form = QueueForm(
        initial={
            "award": filters.award,
            "cluster": filters.cluster,
            "state": filters.state,
            "sort": filters.sort,
            "qua_han": filters.late,
        },
        awards=queue.awards,
        clusters=queue.clusters,
    )
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "dossiers/queue.html",
        {
            "queue": queue,
            "form": form,
            "filters": filters,
            "today": today,
            "states": [(s, label, queue.states.get(s, 0)) for s, label in Dossier.State.choices],
            "query": query.urlencode(),
            "batch_url": reverse("dossier-batch") + (f"?{query.urlencode()}" if query else ""),
            "is_awarding": bool(user_scope(request.user).awarding_units),
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
