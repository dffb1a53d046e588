"""Synthetic award dossiers for `manage.py bench_pages` and the query-count tests: an awarding
body over `clusters` clusters, each with a published year, one member and one conference proposal
carried into a dossier — the states mixed as a national deployment's December would mix them —
and one unit whose history holds ten years of decisions. Codes start with `bench-aw`, under a
supervising body of their own (the other bench pages' clusters are not counted with these), and
are removed by `cleanup`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from clusters.models import Cluster, EmulationYear, Membership, Unit
from scoring.models import (
    AwardDecision,
    AwardKind,
    AwardProposal,
    AwardRecipient,
    CouncilResult,
    Dossier,
    DossierDocument,
)

PREFIX = "bench-aw"
YEAR = 2025
RECEIVED = dt.date(2026, 3, 2)
AWARD = "co-thi-dua-lmhtxvn"
AWARD_NAME = "Cờ thi đua của Liên minh Hợp tác xã Việt Nam"
# A December's mix: most sent and waiting, some returned or sent again, some appraised or decided.
STATES = [
    "submitted", "submitted", "submitted", "resubmitted", "returned", "appraised", "appraised",
    "decided", "draft", "revoked",
]  # fmt: skip


@dataclass
class BenchAwards:
    body: Unit
    history_unit: Unit
    dossiers: int


def _dossier(i: int, year: EmulationYear, unit: Unit, proposal, body: Unit, decisions) -> Dossier:
    state = STATES[i % len(STATES)]
    sent = state != "draft"
    received = RECEIVED - dt.timedelta(days=i % 40)
    appraised = state in ("appraised", "decided", "revoked")
    due = None
    if state in ("submitted", "resubmitted"):
        due = received + dt.timedelta(days=28)
    elif state == "appraised":
        due = received + dt.timedelta(days=14)
    return Dossier(
        body=body,
        emulation_year=year,
        unit=unit,
        award_code=AWARD,
        award_name=AWARD_NAME,
        proposal=proposal,
        leads_cluster=True,
        state=state,
        received_on=received if sent else None,
        rule_set_code="nd-152-2025" if sent else "",
        last_received_on=received if sent else None,
        return_by=received + dt.timedelta(days=7) if sent else None,
        appraise_by=received + dt.timedelta(days=28) if sent else None,
        appraised_on=received + dt.timedelta(days=3) if appraised else None,
        forward_by=received + dt.timedelta(days=14) if appraised else None,
        due_on=due,
        return_reason="Thiếu tờ trình" if state in ("returned", "resubmitted") else "",
        revoke_reason="Kê khai sai" if state == "revoked" else "",
        decision=decisions.get(i),
        is_sample=True,
    )


def build(*, clusters: int, tag: str = "") -> BenchAwards:
    prefix = f"{PREFIX}{tag}"
    body = Unit.objects.create(
        code=f"{prefix}-vca", name=f"Bench awarding body {tag}", kind=Unit.Kind.SUPERVISING_BODY
    )
    cluster_rows = Cluster.objects.bulk_create(
        Cluster(code=f"{prefix}-c{c}", name=f"Bench cluster {tag}{c:04d}", supervising_unit=body)
        for c in range(clusters)
    )
    units = Unit.objects.bulk_create(
        Unit(code=f"{prefix}-c{c}-u", name=f"Bench unit {tag}{c:04d}", parent=body)
        for c in range(clusters)
    )
    years = EmulationYear.objects.bulk_create(
        EmulationYear(cluster=cl, year=YEAR, status=EmulationYear.Status.PUBLISHED)
        for cl in cluster_rows
    )
    Membership.objects.bulk_create(
        Membership(emulation_year=y, unit=u) for y, u in zip(years, units, strict=True)
    )
    kinds = AwardKind.objects.bulk_create(
        AwardKind(cluster=cl, code="co-thi-dua", name="Cờ thi đua", leads_cluster=True)
        for cl in cluster_rows
    )
    proposals = AwardProposal.objects.bulk_create(
        AwardProposal(emulation_year=y, award_kind=k, unit=u, votes=5, rank=1)
        for y, k, u in zip(years, kinds, units, strict=True)
    )
    decided = [i for i in range(clusters) if STATES[i % len(STATES)] in ("decided", "revoked")]
    rows = AwardDecision.objects.bulk_create(
        AwardDecision(
            number=f"{i}/QĐ-BENCH{tag}", decided_on=RECEIVED, deciding_body=body.name,
            award_code=AWARD, award_name=AWARD_NAME, achievement_year=YEAR, is_sample=True,
        )
        for i in decided
    )  # fmt: skip
    decisions = dict(zip(decided, rows, strict=True))
    AwardRecipient.objects.bulk_create(
        AwardRecipient(decision=d, unit=units[i], revoked=STATES[i % len(STATES)] == "revoked")
        for i, d in decisions.items()
    )
    Dossier.objects.bulk_create(
        _dossier(i, years[i], units[i], proposals[i], body, decisions) for i in range(clusters)
    )
    # The unit with ten years of decisions (2015–2024) of its own.
    history_unit = units[0]
    history = AwardDecision.objects.bulk_create(
        AwardDecision(
            number=f"{y}/QĐ-HIST{tag}", decided_on=dt.date(y + 1, 1, 20), deciding_body=body.name,
            award_code=AWARD, award_name=AWARD_NAME, achievement_year=y, is_sample=True,
        )
        for y in range(YEAR - 10, YEAR)
    )  # fmt: skip
    AwardRecipient.objects.bulk_create(
        AwardRecipient(decision=d, unit=history_unit) for d in history
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return BenchAwards(body=body, history_unit=history_unit, dossiers=clusters)


def cleanup() -> None:
    """Remove every bench-aw row, children first (every foreign key protects its parent)."""
    with transaction.atomic():
        dossiers = Dossier.objects.filter(body__code__startswith=PREFIX)
        CouncilResult.objects.filter(dossier__in=dossiers).delete()
        DossierDocument.objects.filter(dossier__in=dossiers).delete()
        dossiers.delete()
        units = Unit.objects.filter(code__startswith=PREFIX)
        recipients = AwardRecipient.objects.filter(unit__in=units)
        decision_ids = set(recipients.values_list("decision_id", flat=True))
        recipients.delete()
        AwardDecision.objects.filter(pk__in=decision_ids).delete()
        years = EmulationYear.objects.filter(cluster__code__startswith=PREFIX)
        AwardProposal.objects.filter(emulation_year__in=years).delete()
        AwardKind.objects.filter(cluster__code__startswith=PREFIX).delete()
        Membership.objects.filter(emulation_year__in=years).delete()
        years.delete()
        Cluster.objects.filter(code__startswith=PREFIX).delete()
        units.exclude(kind=Unit.Kind.SUPERVISING_BODY).delete()
        units.delete()
