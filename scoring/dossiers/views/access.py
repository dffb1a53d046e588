"""The dossier pages' way through the permission layer (clusters/permissions.py decides; this
reads the row it decides on): outside one's scope a dossier or a council is a 404, for GET and
POST alike."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed

from clusters.permissions import dossier_roles, get_body_for_user
from scoring.dossiers.selectors import council_get, dossier_get
from scoring.models import Council, Dossier


def get_dossier_for_user(request, dossier_id: int) -> tuple[Dossier, frozenset[str]]:
    """The dossier and the user's rights on it (clusters.permissions.dossier_roles)."""
    dossier = dossier_get(dossier_id)
    if dossier is None:
        raise Http404
    roles = dossier_roles(
        request.user,
        body_id=dossier.body_id,
        cluster_id=dossier.emulation_year.cluster_id,
        supervising_unit_id=dossier.emulation_year.cluster.supervising_unit_id,
        unit_id=dossier.unit_id,
    )
    if not roles:
        raise Http404
    return dossier, roles


def get_council_for_user(request, council_id: int) -> tuple[Council, bool]:
    """A council, to its body's awarding staff (write) and the system administrator (read)."""
    council = council_get(council_id)
    if council is None:
        raise Http404
    _body, can_write = get_body_for_user(request, council.body_id)
    return council, can_write


def refuse_unless_allowed(request, can_write: bool) -> HttpResponseNotAllowed | None:
    """For a page that reads with GET and writes with POST, after the scope check: any other
    method 405, a POST without the right 403."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if request.method == "POST" and not can_write:
        raise PermissionDenied
    return None


def attachment(stored, *, filename: str = "", content_type: str = "") -> FileResponse:
    """A stored file (never shown inline: a download, under a sandboxing policy), or a 404 if
    there is none."""
    if stored is None:
        raise Http404
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=filename)
    if content_type:
        response["Content-Type"] = content_type
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
