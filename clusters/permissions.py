"""The one permission layer: every view asks here what the user may see and do.

- Secretariat of a cluster: everything of that cluster's years (read and write).
- Reporter of a unit: the years in which the unit is a member — its own unit's records; the
  ranking only once the year is published.
- Leadership of a supervising unit: read-only, every cluster supervised by it or by a unit below it.
- Awarding staff of a body (the emulation board of the Vietnam Cooperative Alliance, a province):
  the award dossiers addressed to that body from every cluster under it, its council and its
  deadlines — and nothing of the clusters' years themselves.
- Anyone else: nothing. An object outside one's scope is a 404, never a 403, so that ids reveal
  nothing.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseNotAllowed

from clusters.models import Cluster, EmulationYear, Membership, RoleGrant, ScopeGeneration, Unit
from emulation.sql import ids_fit, model_fields, model_from_row, select_list


@dataclass(frozen=True)
class Scope:
    secretariat_clusters: frozenset[int] = field(default_factory=frozenset)
    reporter_units: frozenset[int] = field(default_factory=frozenset)
    leadership_units: frozenset[int] = field(default_factory=frozenset)  # with the units below them
    awarding_units: frozenset[int] = field(default_factory=frozenset)  # the bodies themselves
    is_superuser: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.secretariat_clusters
            or self.reporter_units
            or self.leadership_units
            or self.awarding_units
            or self.is_superuser
        )


def user_scope(user) -> Scope:
    """What a user may act for: read once per request (kept on the user object), and between
    requests from the cache — trusted only if stamped with the scope generation the database holds
    now (read with the user, `ScopeGenerationBackend`). Any change of a role grant or a unit moves
    the generation on in the database (clusters/apps.py), so a revoked grant takes effect at the
    next request in every process, whatever became of the cache meanwhile."""

    if not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_emulation_scope", None)
    if cached is not None:
        return cached
    generation = getattr(user, "scope_generation", None)
    if generation is None:  # a user not loaded by the session's backend (a shell, a test)
        generation = current_scope_generation()
    key = f"clusters:scope:{user.pk}"
    stamped = cache.get(key)
    sets: tuple[frozenset[int], ...]
    if stamped is not None and stamped[0] == generation and len(stamped[1]) == 4:
        sets = stamped[1]
    else:
        # Stamped with the generation read *before* the grants: a grant revoked in between leaves
        # a stamp that is already out of date, never a stale scope under the new generation.
        sets = _grants_of(user, generation=generation)
        cache.set(key, (generation, sets), 300)
    secretariat, reporter, leadership, awarding = sets
    scope = Scope(secretariat, reporter, leadership, awarding, is_superuser=bool(user.is_superuser))
    user._emulation_scope = scope
    return scope


def current_scope_generation() -> int:

    return ScopeGeneration.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def scopes_changed() -> None:
    """A role grant or a unit changed: every cached scope is out of date. Written in the database,
    in the caller's transaction — never only to a cache that may be down or local to one process."""

    if not ScopeGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        # The row is gone (a flush): start again from a value no earlier stamp holds.
        ScopeGeneration.objects.get_or_create(pk=1, defaults={"value": time.time_ns()})


class ScopeGenerationBackend(ModelBackend):
    """Django's model backend, which also reads the scope generation with the session's user —
    in the same query, so checking that a cached scope is current costs no query of its own."""

    def get_user(self, user_id):

        model = get_user_model()
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        q = connection.ops.quote_name
        # Hand-written: the ORM's annotated query cost 2.3 ms a request to compile, this 0.8 ms
        # (every authenticated request reads it; healthz with a session 3.7 → 2.4 ms in-process).
        # No generation row (a flushed test database): 0, which no bump ever writes.
        sql = (
            f"SELECT u.*, COALESCE((SELECT g.{q('value')} "  # noqa: S608 — names from the models
            f"FROM {q(ScopeGeneration._meta.db_table)} g WHERE g.{q('id')} = 1), 0) "
            f"AS scope_generation FROM {q(model._meta.db_table)} u "
            f"WHERE u.{q(model._meta.pk.column)} = %s"
        )
        found = list(model._default_manager.raw(sql, [user_id]))
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None


def _grants_of(
    user, *, generation: int
) -> tuple[frozenset[int], frozenset[int], frozenset[int], frozenset[int]]:
    secretariat, reporter, leadership, awarding = set(), set(), set(), set()
    for role, unit_id, cluster_id in RoleGrant.objects.filter(user=user).values_list(
        "role", "unit_id", "cluster_id"
    ):
        if role == RoleGrant.Role.SECRETARIAT:
            secretariat.add(cluster_id)
        elif role == RoleGrant.Role.REPORTER:
            reporter.add(unit_id)
        elif role == RoleGrant.Role.LEADERSHIP:
            leadership.add(unit_id)
        elif role == RoleGrant.Role.AWARDING:
            awarding.add(unit_id)
    if leadership:
        leadership |= _descendants(leadership, generation=generation)
    return frozenset(secretariat), frozenset(reporter), frozenset(leadership), frozenset(awarding)


UNIT_TREE_KEY = "clusters:unit-tree"


def unit_tree(*, generation: int) -> dict[int, list[int]]:
    """Each unit's children, read once and cached (every leadership request needs it) under the
    scope generation, which every change of a unit moves on; it lives five minutes at most."""

    stamped = cache.get(UNIT_TREE_KEY)
    if stamped is not None and stamped[0] == generation:
        return stamped[1]
    tree: dict[int, list[int]] = {}
    for pk, parent_id in Unit.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        tree.setdefault(parent_id, []).append(pk)
    cache.set(UNIT_TREE_KEY, (generation, tree), 300)
    return tree


def _descendants(unit_ids: set[int], *, generation: int) -> set[int]:
    children = unit_tree(generation=generation)
    found, stack = set(), list(unit_ids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def visible_clusters(user) -> QuerySet[Cluster]:
    scope = user_scope(user)
    if scope.is_superuser:
        return Cluster.objects.all()
    return Cluster.objects.filter(_in_scope(scope, clusters=True))


def visible_years(user) -> QuerySet[EmulationYear]:
    scope = user_scope(user)
    if scope.is_superuser:
        return EmulationYear.objects.all()
    return EmulationYear.objects.filter(_in_scope(scope, clusters=False))


def _in_scope(scope: Scope, *, clusters: bool) -> Q:
    """Clusters (or years) in scope as one condition without joins — the memberships are a
    subquery —, so no DISTINCT over years × members, and no clause for a role the user lacks."""

    condition = Q(pk__in=[])  # nothing, unless a role below adds something
    if scope.secretariat_clusters:
        field = "pk__in" if clusters else "cluster_id__in"
        condition |= Q(**{field: scope.secretariat_clusters})
    if scope.leadership_units:
        field = "supervising_unit__in" if clusters else "cluster__supervising_unit__in"
        condition |= Q(**{field: scope.leadership_units})
    if scope.reporter_units:
        years = Membership.objects.filter(unit__in=scope.reporter_units).values("emulation_year")
        if clusters:
            condition |= Q(pk__in=EmulationYear.objects.filter(pk__in=years).values("cluster"))
        else:
            condition |= Q(pk__in=years)
    return condition


def can_manage_cluster(user, cluster_id: int) -> bool:
    scope = user_scope(user)
    return scope.is_superuser or cluster_id in scope.secretariat_clusters


def can_see_all_reports(user, year: EmulationYear) -> bool:
    """Every member's report, targets and manual points of the year: its cluster's secretariat,
    leadership over its supervising unit, a superuser (reporters see their own unit's only)."""
    scope = user_scope(user)
    return (
        scope.is_superuser
        or year.cluster_id in scope.secretariat_clusters
        or year.cluster.supervising_unit_id in scope.leadership_units
    )


def can_see_results(user, year: EmulationYear) -> bool:
    """Rankings of other units: secretariat and leadership always, reporters once published."""
    return _sees_results(
        user_scope(user), year.cluster_id, year.cluster.supervising_unit_id, year.status
    )


def _sees_results(
    scope: Scope, cluster_id: int, supervising_unit_id: int | None, status: str
) -> bool:
    """The rule of `can_see_results`, on a year's columns (one rule for objects and light rows)."""
    return (
        scope.is_superuser
        or cluster_id in scope.secretariat_clusters
        or supervising_unit_id in scope.leadership_units
        or status == EmulationYear.Status.PUBLISHED
    )


def reads_only_as_leadership(user) -> bool:
    """Whether a user's only roles are leadership grants (no secretariat, superuser or reporter
    role): the users whose pages `reads_as_leadership` may let a view serve from a cache."""
    scope = user_scope(user)
    return bool(scope.leadership_units) and not (
        scope.is_superuser or scope.secretariat_clusters or scope.reporter_units
    )


def reads_as_leadership(user, cluster_id: int, supervising_unit_id: int) -> bool:
    """Whether a user sees a cluster through a leadership grant over its supervising unit and
    through nothing else: no role that acts in the cluster (secretariat, superuser) and no
    reporter role (whose tasks a page would show). All such users see the same page, which lets a
    view serve it from a cache after this check alone (see emulation/pagecache.py)."""
    scope = user_scope(user)
    return (
        supervising_unit_id in scope.leadership_units
        and not scope.is_superuser
        and cluster_id not in scope.secretariat_clusters
        and not scope.reporter_units
    )


def get_cluster_for_user(request: HttpRequest, pk: int) -> tuple[Cluster, bool]:
    try:
        cluster = visible_clusters(request.user).select_related("supervising_unit").get(pk=pk)
    except Cluster.DoesNotExist:
        raise Http404 from None
    return cluster, can_manage_cluster(request.user, cluster.pk)


def get_year_for_user(request: HttpRequest, pk: int) -> tuple[EmulationYear, bool]:
    """The year within the user's scope (404 outside it) with its cluster."""
    try:
        year = visible_years(request.user).select_related("cluster").get(pk=pk)
    except EmulationYear.DoesNotExist:
        raise Http404 from None
    return year, can_manage_cluster(request.user, year.cluster_id)


def get_unit_for_user(request: HttpRequest, unit_id: int) -> Unit:
    """A unit whose award history the user may read: a member of a year in the user's scope (its
    own reporters, its clusters' secretariats, the leadership above them) — 404 otherwise. Award
    decisions are public acts; the years they are read with are published ones only."""
    scope = user_scope(request.user)
    units = Unit.objects.all()
    if not scope.is_superuser:
        years = visible_years(request.user).values("pk")
        units = units.filter(memberships__emulation_year__in=years).distinct()
    try:
        return units.get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None


def body_and_ancestors(unit: Unit, *, limit: int = 20) -> list[Unit]:
    """A unit and the units above it, nearest first (the bodies a cluster under `unit` may send
    its award dossiers to). One query a level; a cycle or a deeper tree stops at `limit`."""
    found: list[Unit] = []
    current: Unit | None = unit
    while current is not None and len(found) < limit and current not in found:
        found.append(current)
        current = current.parent if current.parent_id else None
    return found


def awarding_bodies(user) -> frozenset[int]:
    """The bodies whose award dossiers the user handles."""
    return user_scope(user).awarding_units


def get_body_for_user(request: HttpRequest, body_id: int) -> tuple[Unit, bool]:
    """An awarding body's own pages (its council, its deadlines): its awarding staff (write) and
    the system administrator (read); 404 for everyone else."""
    scope = user_scope(request.user)
    if body_id not in scope.awarding_units and not scope.is_superuser:
        raise Http404
    try:
        body = Unit.objects.get(pk=body_id)
    except Unit.DoesNotExist:
        raise Http404 from None
    return body, body_id in scope.awarding_units


# What a user may do with an award dossier (each a separate right, a user may hold several):
DOSSIER_AWARDING = "awarding"  # the body's staff: return, appraise, decide, revoke; its council
DOSSIER_SECRETARIAT = "secretariat"  # the proposing cluster's: documents, submit, resubmit
DOSSIER_READERS = ("reporter", "leadership", "admin")  # read every step


def dossier_roles(
    user, *, body_id: int, cluster_id: int, supervising_unit_id: int, unit_id: int
) -> frozenset[str]:
    """The rights a user holds on a dossier of `unit_id`, proposed by cluster `cluster_id`
    (supervised by `supervising_unit_id`) to body `body_id`; empty: outside the scope (a 404)."""
    scope = user_scope(user)
    roles = set()
    if body_id in scope.awarding_units:
        roles.add(DOSSIER_AWARDING)
    if cluster_id in scope.secretariat_clusters:
        roles.add(DOSSIER_SECRETARIAT)
    if unit_id in scope.reporter_units:
        roles.add("reporter")
    if supervising_unit_id in scope.leadership_units:
        roles.add("leadership")
    if scope.is_superuser:
        roles.add("admin")
    return frozenset(roles)


def dossier_scope(user, *, body: str, cluster: str, supervising: str, unit: str) -> Q | None:
    """The dossiers a user sees, as one condition on the lookups the caller names (the dossier's
    body, its cluster, the cluster's supervising unit and the proposed unit); None: every one (the
    system administrator). The same rule as `dossier_roles`, for lists."""
    scope = user_scope(user)
    if scope.is_superuser:
        return None
    condition = Q(pk__in=[])
    if scope.awarding_units:
        condition |= Q(**{f"{body}__in": scope.awarding_units})
    if scope.secretariat_clusters:
        condition |= Q(**{f"{cluster}__in": scope.secretariat_clusters})
    if scope.reporter_units:
        condition |= Q(**{f"{unit}__in": scope.reporter_units})
    if scope.leadership_units:
        condition |= Q(**{f"{supervising}__in": scope.leadership_units})
    return condition


def can_manage_awards(user) -> bool:
    """Who keeps the award register (decisions, holds): the system administrator."""
    return user_scope(user).is_superuser


def get_member_unit_for_user(
    request: HttpRequest, year: EmulationYear, unit_id: int
) -> tuple[Unit, bool]:
    """A member unit's records in a year: its own reporter (write), the secretariat (write),
    leadership (read), and — once results are published — every member's reporter (read)."""
    scope = user_scope(request.user)
    try:
        unit = Unit.objects.get(pk=unit_id, memberships__emulation_year=year)
    except Unit.DoesNotExist:
        raise Http404 from None
    manage = can_manage_cluster(request.user, year.cluster_id)
    own = unit.pk in scope.reporter_units
    if manage or own:
        return unit, True
    if can_see_results(request.user, year):
        return unit, False
    raise Http404


def get_report_for_user(
    request: HttpRequest, pk: int, unit_id: int
) -> tuple[EmulationYear, Unit, str]:
    """A member's report in a year: the year (as `get_year_for_user` reads it) and the member unit
    in one query, and what the user may do with the report: 'secretariat' (review), 'reporter'
    (its own unit, edit) or 'leadership' (read). Outside the scope, a unit that is not a member
    of the year, or another member's report — also after publication —: 404.

    Each of the three roles implies that the year is in the user's scope (`visible_years`), so the
    scope is checked here against the row rather than in the query: a hot path (every request of
    a report form), read with one hand-written statement."""
    found = _member_of_year(pk, unit_id)
    if found is None:
        raise Http404
    year, unit = found
    scope = user_scope(request.user)
    if can_manage_cluster(request.user, year.cluster_id):
        return year, unit, "secretariat"
    if unit.pk in scope.reporter_units:
        return year, unit, "reporter"
    if year.cluster.supervising_unit_id in scope.leadership_units:
        return year, unit, "leadership"
    raise Http404


# Kept, measured (#15): the ORM's select_related read costs 5.4–5.9 ms a call, this 0.95 ms (1,000
# calls on the demo, PostgreSQL; docs/performance.md, "Tricks kept").
@functools.cache
def _member_of_year_query() -> tuple[str, tuple, tuple]:
    """The statement, and the models and fields its columns come in (one cached per process)."""
    parts = (model_fields(EmulationYear), model_fields(Cluster), model_fields(Unit))
    table = connection.ops.quote_name
    sql = f"""
        SELECT {select_list(parts[0], "y")}, {select_list(parts[1], "c")},
               {select_list(parts[2], "u")}
        FROM {table(Membership._meta.db_table)} m
        JOIN {table(EmulationYear._meta.db_table)} y ON y.id = m.emulation_year_id
        JOIN {table(Cluster._meta.db_table)} c ON c.id = y.cluster_id
        JOIN {table(Unit._meta.db_table)} u ON u.id = m.unit_id
        WHERE m.emulation_year_id = %s AND m.unit_id = %s
    """  # noqa: S608 — names from the models, the values as parameters
    return sql, (EmulationYear, Cluster, Unit), parts


def _member_of_year(pk: int, unit_id: int) -> tuple[EmulationYear, Unit] | None:
    """The year (with its cluster) and the unit, if the unit is a member."""

    if not ids_fit(pk, unit_id):
        return None
    sql, models, parts = _member_of_year_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, unit_id])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Any] = []  # the models' rows, built from the statement's columns
    start = 0
    for model, fields in zip(models, parts, strict=True):
        instances.append(model_from_row(model, fields, row[start : start + len(fields)]))
        start += len(fields)
    year, cluster, unit = instances
    year.cluster = cluster
    return year, unit


def refuse_unless_read(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """For read-only pages, after the scope check (so that outside one's scope a POST is still a
    404 and reveals nothing): anything but GET or HEAD is 405."""
    if request.method in ("GET", "HEAD"):
        return None
    return HttpResponseNotAllowed(["GET", "HEAD"])


def secretariat_post(view):
    """For a year's write actions: the scope first (outside it a 404, also for a POST), then
    POST only (405), then the secretariat's role (403). The view receives the year; objects named
    further in the URL it looks up within that year (a 404 for another year's)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, pk: int, **kwargs):
        year, can_write = get_year_for_user(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_write:
            raise PermissionDenied
        return view(request, year, **kwargs)

    return wrapper


def can_fill_report(role: str, *, has_scheme: bool) -> bool:
    """Who may post figures to a member's report (save, preview, submit, attach): its own unit's
    reporter, once the year has a scheme to report against. Whether the report and the year still
    take them, the save says (with a message, the figures typed kept on screen)."""
    return role == RoleGrant.Role.REPORTER and has_scheme


def can_edit_report(role: str, year: EmulationYear, *, report_open: bool) -> bool:
    """Who may change a report's figures and evidence now: its own unit's reporter, while the
    report is open (a draft or returned, under a scheme) and the year not published."""
    return role == RoleGrant.Role.REPORTER and report_open and not year.is_published


def can_review_report(role: str, year: EmulationYear, *, report_submitted: bool) -> bool:
    """Who may verify or return a submitted (or verified) report: the cluster's secretariat, until
    the year is published."""
    return role == RoleGrant.Role.SECRETARIAT and report_submitted and not year.is_published


def can_enter_paper_report(role: str, year: EmulationYear, *, report_open: bool) -> bool:
    """Who may type in a member's signed paper report in its place: the cluster's secretariat,
    while the report is still open to its reporter and the year not published."""
    return role == RoleGrant.Role.SECRETARIAT and report_open and not year.is_published


def can_reopen_report_late(role: str, year: EmulationYear) -> bool:
    """Who may let a member submit after the deadline: the cluster's secretariat, until the year
    is published (the service checks that the report is still an unsubmitted draft)."""
    return role == RoleGrant.Role.SECRETARIAT and not year.is_published


def own_member_units(user, year: EmulationYear) -> list[Unit]:
    """The member units of a year whose reporter the user is: those it may file objections for."""
    scope = user_scope(user)
    return list(Unit.objects.filter(memberships__emulation_year=year, pk__in=scope.reporter_units))


def rows_with_visible_results(user, rows: list) -> list:
    """`can_see_results` for years read as light rows (each with `cluster_id`,
    `supervising_unit_id` and `status`) rather than objects: the rows whose results the user
    sees, for pages that list many years without loading them."""
    scope = user_scope(user)
    return [
        row
        for row in rows
        if _sees_results(scope, row.cluster_id, row.supervising_unit_id, row.status)
    ]
