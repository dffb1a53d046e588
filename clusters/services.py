"""Writes about who competes that are not a year's (those live in scoring/services)."""

from __future__ import annotations

from axes.utils import reset

from clusters.audit import Actor, audit_record
from clusters.models import Cluster
from clusters.selectors import cluster_usernames, login_locks


class UnlockRefused(Exception):
    """The user name is not one of the cluster's users, or has no failed login to forget."""


def login_unlock(*, actor: Actor, cluster: Cluster, username: str) -> int:
    """Lift a user's login lock (every address's failures for the user name; an address locked
    for all names stays locked — that is the administrator's): the secretariat for its cluster's
    users (the view checks the role), with an audit row. Returns how many failures were forgotten."""
    if not username or username not in cluster_usernames(cluster_id=cluster.pk):
        raise UnlockRefused(username)
    failures = sum(row["failures"] for row in login_locks(usernames=[username]))
    if not failures:
        raise UnlockRefused(username)
    reset(username=username)
    audit_record(
        actor=actor,
        action="login.unlock",
        object_type="auth.user",
        object_id=username,
        summary=f"Mở khóa đăng nhập cho {username} ({cluster.name})",
        before={"failures": failures},
        after={"failures": 0},
    )
    return failures
