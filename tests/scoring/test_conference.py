"""The year-end conference: eligibility, caps and their rounding, self-votes, ties, double
voting, closing twice, reopening with a reason, secrecy, the election creating the next year and
the rotating flag."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from clusters.models import AuditEntry, EmulationYear, FlagHandover
from scoring.conference.services.conference import (
    AlreadyVoted,
    BallotClosed,
    award_cap,
    ballot_candidates,
    ballot_close,
    ballot_open,
    ballot_reopen,
    ballot_vote,
    cap_for,
    election_apply,
    flag_handover_record,
    next_level_cap,
    year_facts,
    year_standings_now,
)
from scoring.errors import ReasonRequired, ScoringError
from scoring.models import AwardKind, AwardProposal, Ballot, BallotChoice, BallotVoter
from tests.helpers import scheme_of
from tests.scoring.factories import NEW_COOPS, kind

pytestmark = pytest.mark.django_db


def paper_scan(name="phieu.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 signed paper ballot", content_type="application/pdf")


def vote(ballot, world, voter, *choices):
    ballot_vote(
        ballot=ballot,
        voter=world.units[voter],
        candidate_ids=[world.units[c].pk for c in choices],
    )


def test_the_ranking_the_conference_works_from(conf):
    ranks = {s.unit.code: (s.rank, s.band) for s in year_standings_now(conf.year)}
    assert ranks == {
        "a1": (1, "Xuất sắc"),
        "a2": (2, "Tốt"),
        "a3": (3, "Tốt"),
        "a4": (4, "Tốt"),
        "a5": (5, "Khá"),
    }


@pytest.mark.parametrize(
    ("cap_count", "cap_percent", "members", "expected"),
    [
        (2, None, 7, 2),
        (None, Decimal(20), 7, 1),  # 1.4 → 1
        (None, Decimal(20), 4, 1),  # 0.8 → at least one
        (None, Decimal(30), 10, 3),  # exactly 3, not 2.999…
        (None, Decimal("33.33"), 7, 2),  # 2.33 → 2
        (None, Decimal(50), 7, 3),  # 3.5 → 3
        (None, None, 7, None),
    ],
)
def test_the_cap_is_a_number_or_a_percentage_rounded_down_and_at_least_one(
    cap_count, cap_percent, members, expected
):
    assert cap_for(cap_count=cap_count, cap_percent=cap_percent, members=members) == expected


@pytest.mark.parametrize(
    ("leaders", "allowed"),
    [(1, 0), (3, 0), (4, 0), (5, 1), (7, 1), (9, 1), (10, 2), (14, 2), (15, 3)],
)
def test_the_next_level_cap_is_the_laws_twenty_percent_rounded_down_without_at_least_one(
    leaders, allowed
):
    """Công văn 5007/BNV-TĐKT: at most 20 % of the leaders considered; with fewer than 5 leaders
    that rounds down to none, and the rule set in force allows no "at least 1"."""
    kind, cap = next_level_cap(leaders, today=dt.date(2026, 1, 27))
    assert kind.code == "co-thi-dua-chinh-phu"
    assert (cap.allowed, cap.zero_by_rounding) == (allowed, allowed == 0)
    # The same figures under NĐ 98/2023 (a day before NĐ 152/2025 replaced it).
    assert next_level_cap(leaders, today=dt.date(2025, 6, 30))[1].allowed == allowed


def test_the_eligibility_follows_band_knockouts_and_rank(conf):
    def eligible(**fields):
        award = kind(conf, code=f"k{len(fields)}-{AwardKind.objects.count()}", **fields)
        return {
            e.standing.unit.code for e in year_facts(conf.year).eligibility(award) if e.eligible
        }

    assert eligible() == set(NEW_COOPS)
    assert eligible(min_band="Tốt") == {"a1", "a2", "a3", "a4"}
    assert eligible(min_band="Xuất sắc") == {"a1"}
    assert eligible(min_band="Tốt", min_rank=2) == {"a1", "a2"}
    assert eligible(min_band="Không có") == set()  # a band the scheme does not have: no one
    assert award_cap(kind(conf, code="cap", cap_count=None, cap_percent=Decimal(40)), 5) == 2


def test_only_eligible_members_are_candidates_and_a_member_may_not_vote_for_itself(conf):
    ballot = ballot_open(
        emulation_year=conf.year, purpose="award", award_kind=kind(conf, min_band="Tốt")
    )
    assert {u.code for u in ballot_candidates(ballot)} == {"a1", "a2", "a3", "a4"}
    with pytest.raises(ScoringError, match="không thuộc danh sách ứng viên"):
        vote(ballot, conf, "a1", "a5")
    with pytest.raises(ScoringError, match="chính đơn vị mình"):
        vote(ballot, conf, "a1", "a1")
    with pytest.raises(ScoringError, match="tối đa 1"):
        vote(ballot, conf, "a1", "a2", "a3")
    assert not BallotVoter.objects.exists() and not BallotChoice.objects.exists()
    vote(ballot, conf, "a1", "a2")
    # While open the choice is sealed in the ballot's row, not a row of its own.
    assert BallotVoter.objects.count() == 1 and BallotChoice.objects.count() == 0
    assert Ballot.objects.get(pk=ballot.pk).sealed


def test_a_kind_may_allow_self_votes(conf):
    ballot = ballot_open(
        emulation_year=conf.year, purpose="award", award_kind=kind(conf, allow_self_vote=True)
    )
    vote(ballot, conf, "a1", "a1")
    vote(ballot, conf, "a2", "a1")
    vote(ballot, conf, "a3", "a2")
    lines = {t.unit.code: t.votes for t in ballot_close(ballot=ballot).lines}
    assert lines["a1"] == 2 and lines["a2"] == 1


def test_a_member_votes_once(conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    vote(ballot, conf, "a2", "a1")
    with pytest.raises(AlreadyVoted):
        vote(ballot, conf, "a2", "a3")
    with pytest.raises(AlreadyVoted):  # a paper ballot for a member that voted online too
        ballot_vote(
            ballot=ballot,
            voter=conf.units["a2"],
            candidate_ids=[conf.units["a3"].pk],
            on_paper=True,
            scan=paper_scan(),
        )
    assert list(BallotVoter.objects.filter(ballot=ballot).values_list("unit__code", flat=True)) == [
        "a2"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_votes_of_one_member_at_once_count_once(conf):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (second CI pass)")
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    barrier = threading.Barrier(4)
    outcomes = []

    def cast(choice):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            vote(ballot, conf, "a5", choice)
            outcomes.append("ok")
        except AlreadyVoted:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("a1", "a2", "a3", "a4")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert BallotVoter.objects.filter(ballot=ballot).count() == 1
    from scoring.conference.services.ballot_seal import unseal

    sealed = unseal(Ballot.objects.get(pk=ballot.pk).sealed)
    assert sealed["papers"] == 1 and sum(sealed["counts"].values()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_close_once_and_write_the_proposals_once(conf):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (second CI pass)")
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    for voter in ("a2", "a3", "a4"):  # the quorum: half of 5 members, rounded up
        vote(ballot, conf, voter, "a1")
    barrier = threading.Barrier(3)
    outcomes = []

    def close():
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            ballot_close(ballot=ballot)
            outcomes.append("closed")
        except BallotClosed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["closed", "refused", "refused"]
    assert AwardProposal.objects.count() == 1
    assert AuditEntry.objects.filter(action="ballot.close").count() == 1


def test_the_tally_proposes_within_the_cap_with_the_share_of_votes_needed(conf):
    award = kind(conf, cap_count=2, min_vote_percent=50)
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award, seats=2)
    vote(ballot, conf, "a1", "a2", "a3")
    vote(ballot, conf, "a2", "a1", "a3")
    vote(ballot, conf, "a3", "a1", "a2")
    vote(ballot, conf, "a4", "a1", "a5")
    tally = ballot_close(ballot=ballot)
    counts = {t.unit.code: (t.votes, t.outcome) for t in tally.lines}
    # 4 voted: more than 50% means 3 votes or more.
    assert counts["a1"] == (3, "proposed") and counts["a2"] == (2, "below")
    assert counts["a3"] == (2, "below") and counts["a5"] == (1, "below")
    assert [(p.unit.code, p.votes, p.rank) for p in AwardProposal.objects.all()] == [("a1", 3, 1)]


def test_a_tie_at_the_cap_is_decided_by_the_ranking(conf):
    award = kind(
        conf, cap_count=1, min_vote_percent=0, quorum_percent=0, tie_rule=AwardKind.TieRule.RANKING
    )
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    vote(ballot, conf, "a1", "a3")
    vote(ballot, conf, "a3", "a2")
    tally = ballot_close(ballot=ballot)
    assert [t.unit.code for t in tally.chosen] == ["a2"]  # 1 vote each; a2 ranks 2nd, a3 3rd
    assert not tally.tied


def test_a_tie_at_the_cap_goes_to_a_run_off_when_the_vote_decides(conf):
    award = kind(conf, cap_count=2, min_vote_percent=0, tie_rule=AwardKind.TieRule.VOTE)
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    vote(ballot, conf, "a2", "a1")
    vote(ballot, conf, "a3", "a1")
    vote(ballot, conf, "a1", "a3")
    vote(ballot, conf, "a4", "a2")
    tally = ballot_close(ballot=ballot)
    assert [t.unit.code for t in tally.chosen] == ["a1"]
    assert sorted(t.unit.code for t in tally.tied) == ["a2", "a3"]
    assert list(AwardProposal.objects.values_list("unit__code", flat=True)) == ["a1"]
    run_off = ballot_open(
        emulation_year=conf.year,
        purpose="award",
        award_kind=award,
        candidate_ids=[t.unit.pk for t in tally.tied],
    )
    assert {u.code for u in ballot_candidates(run_off)} == {"a2", "a3"}
    for voter, choice in (("a1", "a3"), ("a4", "a3"), ("a5", "a2")):
        vote(run_off, conf, voter, choice)
    second = ballot_close(ballot=run_off)
    assert second.cap == 1  # the one place left
    assert sorted(AwardProposal.objects.values_list("unit__code", flat=True)) == ["a1", "a3"]


def test_a_ballot_closes_once_and_reopens_only_with_a_reason(conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    for voter in ("a2", "a3", "a4"):
        vote(ballot, conf, voter, "a1")
    ballot_close(ballot=ballot)
    with pytest.raises(BallotClosed):
        ballot_close(ballot=ballot)
    with pytest.raises(BallotClosed):
        vote(ballot, conf, "a3", "a1")
    with pytest.raises(ReasonRequired):
        ballot_reopen(ballot=ballot, reason="  ")
    assert Ballot.objects.get(pk=ballot.pk).status == "closed"
    assert AwardProposal.objects.count() == 1
    ballot_reopen(ballot=ballot, reason="Đơn vị A3 đến muộn")
    ballot.refresh_from_db()
    assert ballot.status == "open" and "Đơn vị A3 đến muộn" in ballot.reopen_reason
    assert AwardProposal.objects.count() == 0  # withdrawn until it closes again
    # A full re-vote: every earlier vote is gone, so each member votes again.
    assert not BallotVoter.objects.filter(ballot=ballot).exists()
    assert not BallotChoice.objects.filter(ballot=ballot).exists()
    for voter in ("a3", "a4", "a5"):
        vote(ballot, conf, voter, "a1")
    assert ballot_close(ballot=ballot).chosen[0].votes == 3
    assert AuditEntry.objects.filter(action="ballot.reopen", reason="Đơn vị A3 đến muộn").exists()


def test_the_trail_and_the_tally_never_say_who_voted_for_whom(conf):
    ballot = ballot_open(
        emulation_year=conf.year, purpose="award", award_kind=kind(conf, min_vote_percent=0)
    )
    vote(ballot, conf, "a2", "a4")
    ballot_vote(
        ballot=ballot,
        voter=conf.units["a3"],
        candidate_ids=[conf.units["a1"].pk],
        on_paper=True,
        scan=paper_scan(),
    )
    vote(ballot, conf, "a5", "a4")
    tally = ballot_close(ballot=ballot)
    for entry in AuditEntry.objects.filter(action__startswith="ballot."):
        text = f"{entry.summary} {entry.before} {entry.after}"
        if entry.action != "ballot.close":
            assert "A4" not in text.replace("A2", "") and "A1" not in text.replace("A3", "")
    # No column of a choice refers to a voter, a choice's key is random, and it has no time.
    fields = {f.name for f in BallotChoice._meta.get_fields()}
    assert fields == {"id", "ballot", "candidate"}
    assert tally.voters == 3 and tally.on_paper == 1
    assert {t.unit.code: t.votes for t in tally.lines if t.votes} == {"a4": 2, "a1": 1}


def test_the_election_opens_next_year_with_the_elected_head_and_deputies(conf):
    head = ballot_open(emulation_year=conf.year, purpose="head")
    assert len(ballot_candidates(head)) == 5
    for voter, choice in (("a1", "a2"), ("a2", "a3"), ("a3", "a2"), ("a4", "a2"), ("a5", "a1")):
        vote(head, conf, voter, choice)
    assert [t.unit.code for t in ballot_close(ballot=head).chosen] == ["a2"]
    deputies = ballot_open(emulation_year=conf.year, purpose="deputy", seats=2)
    assert "a2" not in {u.code for u in ballot_candidates(deputies)}  # the head is elected
    for voter, choices in (("a1", ("a3", "a4")), ("a2", ("a3", "a1")), ("a5", ("a4", "a3"))):
        vote(deputies, conf, voter, *choices)
    assert sorted(t.unit.code for t in ballot_close(ballot=deputies).chosen) == ["a3", "a4"]

    following = election_apply(emulation_year=conf.year, elected_on=dt.date(2025, 12, 20))
    assert following.year == 2026 and following.cluster_id == conf.cluster.pk
    offices = {(o.role, o.unit.code, o.elected_on) for o in following.offices.all()}
    assert offices == {
        ("head", "a2", dt.date(2025, 12, 20)),
        ("deputy", "a3", dt.date(2025, 12, 20)),
        ("deputy", "a4", dt.date(2025, 12, 20)),
    }
    assert following.memberships.count() == 5 and scheme_of(following) is not None
    # Recorded again (a recount, or by turn): the open year's offices are replaced.
    again = election_apply(
        emulation_year=conf.year, head=conf.units["a3"], deputies=[conf.units["a1"]]
    )
    assert again.pk == following.pk
    assert {(o.role, o.unit.code) for o in again.offices.all()} == {
        ("head", "a3"),
        ("deputy", "a1"),
    }


def test_an_election_still_tied_opens_nothing(conf):
    head = ballot_open(emulation_year=conf.year, purpose="head")
    vote(head, conf, "a1", "a2")
    vote(head, conf, "a2", "a1")
    # Equal votes: the ranking decides (a1 ranks first).
    assert [t.unit.code for t in ballot_close(ballot=head).chosen] == ["a1"]
    other = ballot_open(emulation_year=conf.year, purpose="deputy")
    with pytest.raises(ScoringError, match="cần ít nhất 2"):
        ballot_close(ballot=other)  # no votes: it does not close, no one is elected
    with pytest.raises(ScoringError, match="cụm trưởng"):
        election_apply(emulation_year=conf.year, head=conf.units["a1"], deputies=[conf.units["a1"]])
    assert not EmulationYear.objects.filter(cluster=conf.cluster, year=2026).exists()


def test_the_flag_handover_is_recorded_once_and_shown_in_the_cluster_history(conf, client):
    from django.urls import reverse

    flag_handover_record(
        emulation_year=conf.year,
        from_unit=conf.units["a1"],
        to_unit=conf.units["a2"],
        handed_on=dt.date(2025, 12, 20),
    )
    with pytest.raises(ScoringError, match="đã được ghi nhận"):
        flag_handover_record(
            emulation_year=conf.year,
            from_unit=conf.units["a1"],
            to_unit=conf.units["a3"],
            handed_on=dt.date(2025, 12, 21),
        )
    handover = FlagHandover.objects.get()
    assert handover.occasion == "Hội nghị tổng kết công tác thi đua năm 2025"
    client.force_login(conf.leadership)
    page = client.get(reverse("cluster-detail", args=[conf.cluster.pk])).content.decode()
    history = page.split("Cờ luân lưu")[1]
    assert "Liên minh HTX A1" in history and "Liên minh HTX A2" in history
    assert "20/12/2025" in history


@given(
    votes=st.lists(st.integers(0, 9), min_size=1, max_size=9),
    ranks=st.lists(st.integers(1, 9), min_size=9, max_size=9),
    cap=st.one_of(st.none(), st.integers(1, 5)),
    by_ranking=st.booleans(),
)
def test_within_the_cap_whatever_the_votes(votes, ranks, cap, by_ranking):
    """Never more than the cap; everyone chosen is ahead of (or, by the rule, level with) everyone
    left out; the tied are exactly those the rule cannot separate at the edge."""
    from clusters.models import Unit
    from scoring.conference.services.conference import TallyLine, _within_cap

    lines = [
        TallyLine(unit=Unit(pk=i + 1, name=f"U{i}"), votes=v, rank=ranks[i], share=0.0)
        for i, v in enumerate(votes)
    ]
    qualified = sorted(lines, key=lambda t: (-t.votes, t.rank, t.unit.name))

    def key(t):
        return (-t.votes, t.rank) if by_ranking else (-t.votes,)

    chosen, tied = _within_cap(qualified, cap, by_ranking)
    assert cap is None or len(chosen) <= cap
    assert not (set(map(id, chosen)) & set(map(id, tied)))
    out = [t for t in qualified if t not in chosen]
    for c in chosen:
        for o in out:
            assert key(c) <= key(o)
    if tied:
        assert len({key(t) for t in tied}) == 1
        assert len(chosen) + len(tied) > cap  # all of them would not fit
        assert all(key(c) < key(tied[0]) for c in chosen)
    elif cap is not None:
        assert len(chosen) == min(cap, len(qualified))
