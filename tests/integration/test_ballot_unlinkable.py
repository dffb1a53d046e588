"""Ballot secrecy on PostgreSQL (issue 14, finding 2): a 7-member ballot voted in parallel, then
closed; nothing the database stores ties a voter to its choice.

The attack that found the bug: `scoring_ballotchoice.xmin = scoring_ballotvoter.xmin − 1` and the
ctid order of the choices matched the voters' — a join recovered every vote. Here every member
votes for a different member, so a choice names its voter if its position can be told; the
test orders the choices by id, by ctid, by xmin (and would by any stored timestamp — there is
none) and counts the places where that order agrees with the voters' order (by id, which is
the order their votes were committed in). Shuffled, a ballot of 7 agrees in about 1 place by
chance; stored as cast, in all 7. Over 5 ballots: about 5 by chance, 35 for a leak.

Run with INTEGRATION=1 on PostgreSQL (CI's second pass)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, connections

from clusters.models import AuditEntry, Cluster, EmulationYear, Membership, Unit
from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
from scoring.models import Ballot, BallotChoice, BallotVoter

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MEMBERS = 7
BALLOTS = 5


@pytest.fixture
def seven(transactional_db):
    body = Unit.objects.create(code="sup", name="Cơ quan chỉ đạo", kind=Unit.Kind.SUPERVISING_BODY)
    cluster = Cluster.objects.create(code="cum-7", name="Cụm bảy", supervising_unit=body)
    year = EmulationYear.objects.create(cluster=cluster, year=2025)
    units = []
    for i in range(MEMBERS):
        unit = Unit.objects.create(code=f"u{i}", name=f"Liên minh HTX U{i}")
        Membership.objects.create(emulation_year=year, unit=unit)
        units.append(unit)
    return year, units


def vote_in_parallel(ballot, units):
    """Every member votes at once (a barrier releases the threads together), each for the next
    member; returns nothing — the order the votes were committed in is the voters' id order."""
    barrier = threading.Barrier(len(units))
    errors = []

    def cast(i):
        try:
            barrier.wait(timeout=20)
            ballot_vote(
                ballot=ballot, voter=units[i], candidate_ids=[units[(i + 1) % len(units)].pk]
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(len(units))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ctid_key(ctid: str) -> tuple[int, int]:
    page, item = ctid.strip("()").split(",")
    return int(page), int(item)


def test_no_stored_order_of_the_choices_tells_who_chose_what(seven):
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's")
    year, units = seven
    index = {u.pk: i for i, u in enumerate(units)}
    agree = {"id": 0, "ctid": 0, "xmin": 0}
    for _round in range(BALLOTS):
        ballot = ballot_open(emulation_year=year, purpose="head")
        vote_in_parallel(ballot, units)
        # While open: no choice row at all, and the aggregate is not readable in the row.
        assert not BallotChoice.objects.filter(ballot=ballot).exists()
        sealed = Ballot.objects.get(pk=ballot.pk).sealed
        assert sealed and "counts" not in sealed
        ballot_close(ballot=ballot)

        voters = rows(
            "SELECT unit_id, xmin::text::bigint FROM scoring_ballotvoter "
            "WHERE ballot_id = %s ORDER BY id",
            [ballot.pk],
        )
        assert len(voters) == MEMBERS
        # What each voter chose, in the voters' order.
        expected = [units[(index[unit_id] + 1) % MEMBERS].pk for unit_id, _x in voters]
        choices = rows(
            "SELECT id::text, ctid::text, xmin::text::bigint, candidate_id "
            "FROM scoring_ballotchoice WHERE ballot_id = %s",
            [ballot.pk],
        )
        assert sorted(c[3] for c in choices) == sorted(expected)
        orders = {
            "id": sorted(choices, key=lambda c: c[0]),
            "ctid": sorted(choices, key=lambda c: ctid_key(c[1])),
            # Python's sort is stable: equal xmins keep the ctid order, the order an attacker
            # would get from ORDER BY xmin on a fresh table.
            "xmin": sorted(sorted(choices, key=lambda c: ctid_key(c[1])), key=lambda c: c[2]),
        }
        for name, ordered in orders.items():
            agree[name] += sum(
                c[3] == e for c, e in zip((c for c in ordered), expected, strict=True)
            )
        # All of a ballot's choices were written by one transaction (one xmin), none by a
        # voter's.
        xmins = {c[2] for c in choices}
        assert len(xmins) == 1
        assert not xmins & {x for _u, x in voters}
    # Better than chance would be far above BALLOTS (≈ 1 a ballot); a leak gives 35.
    for name, count in agree.items():
        assert count < 18, (name, count, agree)
    # No stored timestamp to order by: a choice has none.
    assert not {
        f.get_internal_type()
        for f in BallotChoice._meta.concrete_fields
        if f.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
    }


def test_the_audit_rows_hold_only_the_final_tally_which_lives_with_the_ballot(seven):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    year, units = seven
    ballot = ballot_open(emulation_year=year, purpose="head")
    vote_in_parallel(ballot, units)
    tally = ballot_close(ballot=ballot)
    assert tally.voters == MEMBERS and all(t.votes == 1 for t in tally.lines)
    assert BallotVoter.objects.filter(ballot=ballot).count() == MEMBERS
    entries = list(AuditEntry.objects.filter(object_type="scoring.ballot", object_id=ballot.pk))
    assert {e.action for e in entries} == {"ballot.open", "ballot.vote", "ballot.close"}
    for entry in entries:
        text = f"{entry.summary} {entry.before} {entry.after} {entry.reason}"
        assert not re.search(r"HTX U\d: \d", text), text  # never "name: count"
        if entry.action == "ballot.vote":
            # Who voted, never for whom: the only unit named is the voter.
            assert len(set(re.findall(r"HTX U\d", text))) == 1
    close = next(e for e in entries if e.action == "ballot.close")
    assert close.after["số đơn vị bỏ phiếu"] == MEMBERS
    # The counts per candidate: only with the ballot, as its shuffled choices.
    assert BallotChoice.objects.filter(ballot=ballot).count() == MEMBERS
