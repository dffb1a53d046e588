"""Reads about who competes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sized
from typing import TYPE_CHECKING

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from clusters.models import Cluster, EmulationYear, Membership, RoleGrant, Unit, UnitSuccession
from emulation.sql import rows, statement, table

if TYPE_CHECKING:
    from clusters.permissions import Scope


def successions_all() -> list[tuple[str, str, dt.date]]:
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


def year_members(*, emulation_year: EmulationYear) -> QuerySet[Unit]:
    """A year's member units by name (a query not yet run: forms' choices read it when needed)."""
    return Unit.objects.filter(memberships__emulation_year=emulation_year).order_by("name")


def cluster_usernames(*, cluster_id: int) -> set[str]:
    """The users a cluster's secretariat answers for: its secretariat and the reporters of the
    units that are members of any of its years."""
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


# The home page's clusters and their years in one statement. Built by the ORM the two queries
# (clusters, then their years) cost 1.4 + 2.2 ms of a leadership user's 7.7 ms home page, nearly
# all of it compiling them; this one runs in ~0.4 ms (bench_pages, docs/performance.md).
_HOME_CARDS = """
    WITH cl AS (
        SELECT c.id, c.name, s.name AS supervising, c.supervising_unit_id AS supervising_id
          FROM {cluster} c
          LEFT JOIN {unit} s ON s.id = c.supervising_unit_id
         WHERE {clusters}
         ORDER BY c.name, c.id
         {limit}
    )
    SELECT cl.id, cl.name, cl.supervising, y.id, y.year, y.status
      FROM cl
      LEFT JOIN {year} y ON y.cluster_id = cl.id AND ({years})
     ORDER BY cl.name, cl.id, y.year DESC, y.id
"""


def home_cards(
    *, scope: Scope, limit: int | None
) -> list[tuple[int, str, str | None, list[tuple]]]:
    """The clusters in `scope` by name (the first `limit`, or all), each as (id, name, supervising
    unit's name, [(year id, year, status), …] newest first) — the years the scope may see, the
    same as `visible_clusters` and `visible_years` give, which the tests compare."""

    def marks(ids: Sized) -> str:
        return ", ".join(["%s"] * len(ids))

    cluster_terms, cluster_params, year_terms, year_params = [], [], [], []
    if scope.is_superuser:
        cluster_terms, year_terms = ["TRUE"], ["TRUE"]
    else:
        if ids := sorted(scope.secretariat_clusters):
            cluster_terms.append(f"c.id IN ({marks(ids)})")
            cluster_params += ids
            year_terms.append(f"cl.id IN ({marks(ids)})")
            year_params += ids
        if ids := sorted(scope.leadership_units):
            cluster_terms.append(f"c.supervising_unit_id IN ({marks(ids)})")
            cluster_params += ids
            year_terms.append(f"cl.supervising_id IN ({marks(ids)})")
            year_params += ids
        if ids := sorted(scope.reporter_units):
            member_years = (
                f"SELECT m.emulation_year_id FROM {table(Membership)} m"  # noqa: S608 — names from the models, placeholders
                f" WHERE m.unit_id IN ({marks(ids)})"
            )
            cluster_terms.append(
                f"c.id IN (SELECT e.cluster_id FROM {table(EmulationYear)} e"  # noqa: S608 — as above
                f" WHERE e.id IN ({member_years}))"
            )
            cluster_params += ids
            year_terms.append(f"y.id IN ({member_years})")
            year_params += ids
    if not cluster_terms:
        return []
    sql = statement(
        _HOME_CARDS,
        {"cluster": Cluster, "unit": Unit, "year": EmulationYear},
        clusters=" OR ".join(cluster_terms),
        years=" OR ".join(year_terms),
        limit="" if limit is None else "LIMIT %s",
    )
    params = [*cluster_params, *([] if limit is None else [limit]), *year_params]
    cards: dict[int, tuple[int, str, str | None, list[tuple]]] = {}
    for cluster_id, name, supervising, year_id, year, status in rows(sql, params):
        card = cards.setdefault(cluster_id, (cluster_id, name, supervising, []))
        if year_id is not None:
            card[3].append((year_id, year, status))
    return list(cards.values())
