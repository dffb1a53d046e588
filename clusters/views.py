"""Pages about the clusters themselves that need nothing of the scoring."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import get_cluster_for_user
from clusters.selectors import cluster_usernames, login_locks
from clusters.services import UnlockRefused, login_unlock


def cluster_login_locks(request, pk: int):
    """The cluster's users with recent failed logins, for its secretariat (or the administrator),
    who may lift a lock (issue #14): outside the scope 404, readers of the cluster 403."""
    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    error: str | None = ""
    status = 200
    if request.method == "POST":
        error = _unlock(request, cluster)
        if error is None:
            return redirect("cluster-login-locks", pk=cluster.pk)
        status = 400
    elif request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    locks = login_locks(usernames=cluster_usernames(cluster_id=cluster.pk))
    return render(
        request,
        "clusters/login_locks.html",
        {"cluster": cluster, "locks": locks, "error": error},
        status=status,
    )


def _unlock(request, cluster) -> str | None:
    """Lift the posted user's lock; the refusal's message, or None once lifted."""
    username = request.POST.get("username", "").strip()[:150]
    try:
        forgotten = login_unlock(actor=request.user, cluster=cluster, username=username)
    except UnlockRefused:
        return _(
            "Tên đăng nhập: không có tài khoản nào của cụm tên “%(name)s” đang có lần đăng nhập sai."
        ) % {"name": username}
    messages.success(
        request,
        _("Đã mở khóa đăng nhập cho %(name)s (%(n)s lần sai được xoá).")
        % {"name": username, "n": forgotten},
    )
    return None
