"""A year for `manage.py bench_documents` (docs/performance.md): a cluster of N members under the
demo's scheme, with figures for the year and the one before, scored, its pledge signed, its
details typed in, an award ballot and the head's election closed and the flag handed over — all
the conference pack reads. Built under the cluster code `bench-documents`, in a transaction the
command rolls back: nothing of it stays in the database."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from clusters.models import (
    Cluster,
    EmulationYear,
    FlagHandover,
    Membership,
    Unit,
    YearOffice,
)
from scoring import engine
from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
from scoring.dev.demo import (
    ALLIANCES,
    SCHEME_FILE,
    demo_figures,
    pledge_signed,
    sample_conference_details,
)
from scoring.models import AwardKind, Ballot
from scoring.ranking.services.recompute import year_recompute
from scoring.reporting.services.figures import figures_import
from scoring.schemes.services import scheme_create_version

CODE = "bench-documents"
YEAR = 2025


def build(members: int) -> EmulationYear:
    """The bench year, scored and with its conference held. The services write audit rows,
    which nothing may delete: call this inside a transaction that is rolled back
    (`manage.py bench_documents` does)."""
    text = SCHEME_FILE.read_text(encoding="utf-8")
    scheme, _warnings = engine.parse_scheme(text, filename=SCHEME_FILE.name)
    supervising = Unit.objects.create(
        code=f"{CODE}-sup", name="Cơ quan chỉ đạo (bench)", kind=Unit.Kind.SUPERVISING_BODY
    )
    provinces = sorted(ALLIANCES)
    units = [
        Unit.objects.create(
            code=f"{CODE}-{n:02d}",
            name=f"Liên minh HTX số {n:02d} ({ALLIANCES[provinces[n % 7]][0][13:]})",
            kind=Unit.Kind.PROVINCIAL_ALLIANCE,
            parent=supervising,
        )
        for n in range(1, members + 1)
    ]
    cluster = Cluster.objects.create(
        code=CODE, name="Cụm thi đua bench", supervising_unit=supervising
    )
    years = {}
    for calendar in (YEAR - 1, YEAR):
        year = EmulationYear.objects.create(cluster=cluster, year=calendar)
        Membership.objects.bulk_create([Membership(emulation_year=year, unit=u) for u in units])
        YearOffice.objects.create(emulation_year=year, unit=units[0], role=YearOffice.Role.HEAD)
        scheme_create_version(emulation_year=year, scheme=scheme, source=text)
        years[calendar] = year
    figures: dict[tuple[str, int, str], float] = {}
    for n, unit in enumerate(units):
        rng = random.Random(f"bench-documents:{n}")  # sample data, not security
        for calendar in years:
            for element, value in demo_figures(provinces[n % 7], calendar).items():
                figures[(unit.code, calendar, element)] = round(value * rng.uniform(0.8, 1.2))
    figures_import(cluster_id=cluster.pk, figures=figures, filename="bench.csv")
    year = years[YEAR]
    year_recompute(emulation_year_id=year.pk)
    pledge_signed(year, units, units[0], dt.date(YEAR, 1, 27))
    _conference(year, units)
    return year


def _conference(year: EmulationYear, units: list[Unit]) -> None:
    held = timezone.make_aware(dt.datetime(YEAR + 1, 1, 27, 8, 0))
    sample_conference_details(year, host=units[0].name, place="Cần Thơ", symbol="CTĐB", held=held)
    flag = AwardKind.objects.create(
        cluster=year.cluster,
        code="co",
        name="Cờ thi đua",
        conferred_by="Cơ quan chỉ đạo",
        requires_knockouts=False,
        cap_percent=Decimal(20),
    )
    award = ballot_open(emulation_year=year, purpose=Ballot.Purpose.AWARD, award_kind=flag)
    head = ballot_open(emulation_year=year, purpose=Ballot.Purpose.HEAD)
    for n, unit in enumerate(units):
        choice = units[(n + 1) % 3]  # the first three share the votes
        ballot_vote(ballot=award, voter=unit, candidate_ids=[choice.pk])
        ballot_vote(ballot=head, voter=unit, candidate_ids=[units[1 if n != 1 else 2].pk])
    ballot_close(ballot=award)
    ballot_close(ballot=head)
    FlagHandover.objects.create(
        cluster=year.cluster,
        emulation_year=year,
        from_unit=units[0],
        to_unit=units[1],
        handed_on=held.date(),
    )
