"""Reads of a year's setup: the next year to open, the members and criteria that take targets,
the targets, the pledge and its signatures, and the amendments made after it was signed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from clusters.models import AuditEntry, Cluster, EmulationYear, Unit, YearOffice
from clusters.selectors import year_members
from scoring.models import Criterion, MemberTarget, Pledge, PledgeSignature
from scoring.schemes.selectors import criteria_in_order, scheme_id_in_force


def cluster_last_year(*, cluster: Cluster) -> EmulationYear | None:
    """The cluster's latest emulation year (None before its first)."""
    return cluster.years.order_by("-year").first()


def year_first_deputy(*, emulation_year: EmulationYear) -> Unit | None:
    """The year's first deputy (the usual rotation makes it next year's head)."""
    office = (
        emulation_year.offices.filter(role=YearOffice.Role.DEPUTY).select_related("unit").first()
    )
    return office.unit if office else None


def target_members(*, emulation_year: EmulationYear) -> list[Unit]:
    return list(year_members(emulation_year=emulation_year))


def target_criteria(*, emulation_year: EmulationYear) -> list[Criterion]:
    """The criteria that take a target: all but those scored by hand or per occurrence."""
    return criteria_in_order(scheme_id=scheme_id_in_force(emulation_year), taking_targets=True)


def member_targets(*, emulation_year: EmulationYear) -> dict[tuple[int, str], Decimal]:
    """The members' own targets as (unit id, criterion code) → target."""
    return {
        (t.unit_id, t.criterion_code): t.target
        for t in MemberTarget.objects.filter(emulation_year=emulation_year)
    }


@dataclass
class PledgePage:
    pledge: Pledge | None  # None until published
    signatures: dict[int, PledgeSignature]  # by unit id
    members: list[Unit]  # by name
    unsigned: QuerySet[Unit]  # the members yet to sign (read when a form's choices need them)


def pledge_page(*, emulation_year: EmulationYear) -> PledgePage:
    pledge = Pledge.objects.filter(emulation_year=emulation_year).first()
    signatures = (
        {s.unit_id: s for s in pledge.signatures.select_related("signature_check")}
        if pledge
        else {}
    )
    members = year_members(emulation_year=emulation_year)
    return PledgePage(
        pledge=pledge,
        signatures=signatures,
        members=list(members),
        unsigned=members.exclude(pk__in=list(signatures)),
    )


def pledge_locked(*, emulation_year: EmulationYear) -> bool:
    """Whether every member has signed the pledge: targets then change only by an amendment."""
    return Pledge.objects.filter(emulation_year=emulation_year, locked_at__isnull=False).exists()


def pledge_amendments(*, emulation_year: EmulationYear) -> list[AuditEntry]:
    """Changes after the pledge was signed — amended targets and scheme versions — with reasons,
    shown to every member."""
    return list(
        AuditEntry.objects.filter(
            emulation_year=emulation_year, action__in=["targets.amend", "scheme.version"]
        )
        .exclude(reason="")
        .select_related("actor")
        .order_by("-at")
    )
