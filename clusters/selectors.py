"""Reads about who competes."""

from __future__ import annotations

from collections.abc import Iterable

from .models import UnitSuccession


def successions_all() -> list[tuple[str, str, object]]:
    """Every succession as (predecessor code, successor code, date): a small table, read whole."""
    return list(
        UnitSuccession.objects.values_list("predecessor__code", "successor__code", "effective_on")
    )


def unit_predecessor_codes(*, unit_code: str, links: Iterable[tuple[str, str, object]]) -> set[str]:
    """All units that merged, directly or through others, into `unit_code`."""
    by_successor: dict[str, list[str]] = {}
    for predecessor, successor, _date in links:
        by_successor.setdefault(successor, []).append(predecessor)
    found: set[str] = set()
    stack = [unit_code]
    while stack:
        for predecessor in by_successor.get(stack.pop(), []):
            if predecessor not in found:
                found.add(predecessor)
                stack.append(predecessor)
    return found


def cluster_usernames(*, cluster_id: int) -> set[str]:
    """The users a cluster's secretariat answers for: its secretariat and the reporters of the
    units that are members of any of its years."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .models import RoleGrant

    return set(
        get_user_model()
        .objects.filter(
            Q(grants__role=RoleGrant.Role.SECRETARIAT, grants__cluster_id=cluster_id)
            | Q(
                grants__role=RoleGrant.Role.REPORTER,
                grants__unit__memberships__emulation_year__cluster_id=cluster_id,
            )
        )
        .values_list("username", flat=True)
        .distinct()
    )


def login_locks(*, usernames: Iterable[str]) -> list[dict]:
    """Recent failed logins of these users, by user name and address (one query): how many, and —
    once they reach LOGIN_FAILURE_LIMIT — until when that pair is locked."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max, Sum
    from django.utils import timezone

    cool_off = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(
            username__in=list(usernames), attempt_time__gte=timezone.now() - cool_off
        )
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("username", "ip_address")
    )
    return [
        {
            **row,
            "locked_until": row["last"] + cool_off
            if row["failures"] >= settings.AXES_FAILURE_LIMIT
            else None,
        }
        for row in rows
    ]
