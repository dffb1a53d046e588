"""Ballot secrecy as a property of storage (issue 14, findings 1, 2, 3, the conference half of 5
and the conference part of 13). Each test plays the attack of its finding.

The PostgreSQL half (xmin, ctid, parallel votes) is tests/integration/test_ballot_unlinkable.py."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from clusters.models import AuditEntry
from scoring.conference.services.ballot_seal import SealBroken, seal, unseal
from scoring.conference.services.conference import (
    BallotClosed,
    ballot_close,
    ballot_open,
    ballot_paper_contest,
    ballot_reopen,
    ballot_vote,
)
from scoring.errors import ScoringError
from scoring.models import AwardProposal, Ballot, BallotChoice, BallotVoter
from tests.scoring.factories import kind

pytestmark = pytest.mark.django_db


def paper_scan(name="phieu.pdf", body=b"%PDF-1.4 signed paper ballot"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def vote(ballot, world, voter, *choices, **extra):
    ballot_vote(
        ballot=ballot,
        voter=world.units[voter],
        candidate_ids=[world.units[c].pk for c in choices],
        **extra,
    )


def page(client, user, year):
    client.force_login(user)
    response = client.get(reverse("year-conference", args=[year.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- Finding 1: two tallies subtracted, a one-voter ballot ------------------------------------


def test_a_ballot_with_one_vote_does_not_close(conf):
    """A one-voter tally is that voter's choice: an election (no quorum of its own), and an
    award kind that asks for no quorum, still need 2 votes."""
    for ballot in (
        ballot_open(emulation_year=conf.year, purpose="head"),
        ballot_open(
            emulation_year=conf.year, purpose="award", award_kind=kind(conf, quorum_percent=0)
        ),
    ):
        vote(ballot, conf, "a2", "a1")
        with pytest.raises(ScoringError, match="1/5 đã bỏ phiếu, cần ít nhất 2"):
            ballot_close(ballot=ballot)
        assert Ballot.objects.get(pk=ballot.pk).status == "open"
    assert not BallotChoice.objects.exists() and not AwardProposal.objects.exists()


def test_a_ballot_closes_only_with_the_award_kinds_quorum(conf, client):
    award = kind(conf, quorum_percent=60)  # 60% of 5 members: 3
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    vote(ballot, conf, "a2", "a1")
    vote(ballot, conf, "a3", "a1")
    client.force_login(conf.secretariat)
    close = reverse("ballot-close", args=[conf.year.pk, ballot.pk])
    asked = client.post(close).content.decode()
    assert "Cần ít nhất 3 đơn vị đã bỏ phiếu" in asked
    refused = client.post(close, {"confirmed": "1"}, follow=True).content.decode()
    assert "Chưa đủ số đơn vị bỏ phiếu để kết thúc: 2/5 đã bỏ phiếu, cần ít nhất 3." in refused
    assert Ballot.objects.get(pk=ballot.pk).status == "open"
    vote(ballot, conf, "a4", "a1")
    assert client.post(close, {"confirmed": "1"}).status_code == 302
    assert Ballot.objects.get(pk=ballot.pk).status == "closed"


def test_reopening_discards_every_vote_and_no_two_tallies_can_be_subtracted(
    conf, client, django_capture_on_commit_callbacks
):
    """The attack of finding 1: close, reopen, one more vote, close, subtract. Now the reopen
    discards every vote (a full re-vote), the earlier tally is shown nowhere, and no audit row
    holds a count per candidate — only the final tally exists, with the ballot."""
    award = kind(conf, min_vote_percent=0, cap_count=2)
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    for voter, choice in (("a2", "a1"), ("a3", "a1"), ("a4", "a2")):
        vote(ballot, conf, voter, choice)
    vote(ballot, conf, "a5", "a3", on_paper=True, scan=paper_scan())
    first = ballot_close(ballot=ballot)
    assert {t.unit.code: t.votes for t in first.lines if t.votes} == {"a1": 2, "a2": 1, "a3": 1}
    scan_name = BallotVoter.objects.get(ballot=ballot, on_paper=True).scan.name
    with django_capture_on_commit_callbacks(execute=True):
        ballot_reopen(ballot=ballot, reason="Biên bản kiểm phiếu ghi sai")
    assert not BallotVoter.objects.filter(ballot=ballot).exists()
    assert not BallotChoice.objects.filter(ballot=ballot).exists()
    assert not AwardProposal.objects.filter(ballot=ballot).exists()
    assert Ballot.objects.get(pk=ballot.pk).sealed == ""
    from django.core.files.storage import default_storage

    assert not default_storage.exists(scan_name)  # the discarded paper ballot's scan too
    reopen = AuditEntry.objects.get(action="ballot.reopen")
    assert reopen.reason == "Biên bản kiểm phiếu ghi sai"
    assert reopen.after == {"số phiếu bị huỷ": 4}
    # While open again no page shows a count, nor the earlier tally.
    for user in (conf.secretariat, conf.reporter_a1, conf.leadership):
        body = page(client, user, conf.year)
        assert "tally" not in body and '<th class="num">Số phiếu</th>' not in body
    # The members vote again from scratch: a voter of the first round votes again.
    vote(ballot, conf, "a2", "a3")
    vote(ballot, conf, "a3", "a1")
    vote(ballot, conf, "a4", "a3")
    final = ballot_close(ballot=ballot)
    assert {t.unit.code: t.votes for t in final.lines if t.votes} == {"a3": 2, "a1": 1}
    assert final.voters == 3 and final.on_paper == 0
    closes = list(AuditEntry.objects.filter(action="ballot.close").order_by("pk"))
    assert len(closes) == 2
    for entry in AuditEntry.objects.filter(object_type="scoring.ballot"):
        text = f"{entry.summary} {entry.before} {entry.after} {entry.reason}"
        # No "name: count" anywhere in the trail.
        assert not re.search(r"HTX A\d: \d", text), text
    assert [c.after["số đơn vị bỏ phiếu"] for c in closes] == [4, 3]
    body = page(client, conf.leadership, conf.year)
    tally = body.split('class="table table-sm small tally"')[1].split("</table>")[0]
    assert 'Liên minh HTX A3</td><td class="num">2' in tally
    assert "3/5 đơn vị bỏ phiếu (0 phiếu giấy)" in tally
    assert "4/5" not in body  # the first round's tally is gone


# --- Finding 2: storage links a voter to its choice -------------------------------------------


def test_while_open_no_row_holds_a_choice_and_the_aggregate_is_sealed(conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    vote(ballot, conf, "a1", "a2")
    vote(ballot, conf, "a3", "a4")
    assert not BallotChoice.objects.exists()
    stored = Ballot.objects.get(pk=ballot.pk).sealed
    # Nothing readable in the row: not the candidates' ids, not a count.
    assert "{" not in stored and "counts" not in stored and "papers" not in stored
    assert unseal(stored) == {
        "papers": 2,
        "counts": {str(conf.units["a2"].pk): 1, str(conf.units["a4"].pk): 1},
    }


def test_at_close_the_choices_are_written_in_an_order_that_owes_nothing_to_the_votes(conf):
    """On SQLite the attack read the choices' rowid order as the voters' order. Six elections in
    which each of the 5 members votes for a different member: in rowid order, the choices match
    the voters' order in about 1 place per ballot by chance (6 in all); stored as cast, in all
    30. (PostgreSQL's ctid and xmin: tests/integration/test_ballot_unlinkable.py.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's rowid")
    members = ["a1", "a2", "a3", "a4", "a5"]
    matches = 0
    for _round in range(6):
        ballot = ballot_open(emulation_year=conf.year, purpose="head")
        for i, voter in enumerate(members):
            vote(ballot, conf, voter, members[(i + 1) % 5])
        ballot_close(ballot=ballot)
        expected = [
            members[(members.index(v.unit.code) + 1) % 5]
            for v in BallotVoter.objects.filter(ballot=ballot).select_related("unit").order_by("pk")
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.code FROM scoring_ballotchoice c JOIN clusters_unit u "
                "ON u.id = c.candidate_id WHERE c.ballot_id = %s ORDER BY c.rowid",
                [ballot.pk],
            )
            stored = [row[0] for row in cursor.fetchall()]
        assert sorted(stored) == sorted(expected)
        matches += sum(a == b for a, b in zip(stored, expected, strict=True))
    assert matches < 20, matches
    field_types = {f.get_internal_type() for f in BallotChoice._meta.concrete_fields}
    assert not field_types & {"DateTimeField", "DateField", "AutoField", "BigAutoField"}


def test_a_seal_opens_only_with_the_key_and_its_length_says_nothing():
    small, large = (
        seal({"papers": 1, "counts": {"1": 1}}),
        seal({"papers": 9, "counts": {str(i): 9 for i in range(40)}}),
    )
    assert len(small) == len(large)
    assert seal({"a": 1}) != seal({"a": 1})  # a fresh nonce each time
    assert unseal(small) == {"papers": 1, "counts": {"1": 1}}
    tampered = small[:40] + ("A" if small[40] != "A" else "B") + small[41:]
    with pytest.raises(SealBroken):
        unseal(tampered)
    with override_settings(SECRET_KEY="another-key-" + "x" * 50), pytest.raises(SealBroken):
        unseal(small)
    old = small
    with override_settings(SECRET_KEY="rotated-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[]):
        fresh = seal({"x": 2})
    from django.conf import settings

    with override_settings(
        SECRET_KEY="rotated-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert unseal(old) == {"papers": 1, "counts": {"1": 1}}  # rotation loses no vote
        assert unseal(fresh) == {"x": 2}
    assert unseal("", default=[]) == []


# --- Finding 3: the secretariat votes in a member's place --------------------------------------


def test_a_paper_ballot_needs_the_scan_of_the_signed_paper(conf, client):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    with pytest.raises(ScoringError, match="bản scan"):
        vote(ballot, conf, "a1", "a2", on_paper=True)
    with pytest.raises(ScoringError, match="chỉ nhận bản scan PDF, JPEG hoặc PNG"):
        vote(ballot, conf, "a1", "a2", on_paper=True, scan=paper_scan("x.pdf", b"MZ not a scan"))
    client.force_login(conf.secretariat)
    url = reverse("ballot-vote", args=[conf.year.pk, ballot.pk])
    response = client.post(
        url, {"on_paper": "1", "voter": conf.units["a1"].pk, "choices": [conf.units["a2"].pk]}
    )
    body = response.content.decode()
    assert response.status_code == 400
    scan_field = body.split('id="div_id_scan"')[1].split("</div> </div> </div>")[0]
    assert 'id="error_1_id_scan"' in scan_field and "Trường này là bắt buộc." in scan_field
    assert re.search(rf'value="{conf.units["a2"].pk}"[^>]*checked', body)  # the choice is kept
    assert not BallotVoter.objects.exists()


def test_a_paper_ballot_is_shown_to_its_member_with_the_scan_and_no_one_else(conf, client):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    client.force_login(conf.secretariat)
    response = client.post(
        reverse("ballot-vote", args=[conf.year.pk, ballot.pk]),
        {
            "on_paper": "1",
            "voter": conf.units["a1"].pk,
            "choices": [conf.units["a3"].pk],
            "scan": paper_scan(),
        },
    )
    assert response.status_code == 302
    scan_url = reverse("ballot-paper-scan", args=[conf.year.pk, ballot.pk, conf.units["a1"].pk])
    body = page(client, conf.reporter_a1, conf.year)
    notice = body.split(f'id="paper-{ballot.pk}-{conf.units["a1"].pk}"')[1].split("</div>")[0]
    assert "Liên minh HTX A1: phiếu giấy do Ban thư ký nhập" in notice
    assert scan_url in notice and "đã nhập: Liên minh HTX A3" in notice
    assert "Khiếu nại phiếu giấy này" in notice
    download = client.get(scan_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed paper ballot"
    assert "attachment" in download["Content-Disposition"]
    # Another member's reporter, leadership, an outsider, another cluster: nothing.
    for user in (conf.reporter_a2, conf.leadership):
        assert "phiếu giấy do Ban thư ký nhập" not in page(client, user, conf.year)
    for user in (conf.reporter_a2, conf.leadership, conf.outsider, conf.other_secretariat):
        client.force_login(user)
        assert client.get(scan_url).status_code == 404
    client.force_login(conf.secretariat)
    assert client.get(scan_url).status_code == 200


def test_the_member_contests_a_paper_ballot_and_may_then_vote_itself(conf, client):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    vote(ballot, conf, "a1", "a3", on_paper=True, scan=paper_scan())
    contest = reverse("ballot-paper-contest", args=[conf.year.pk, ballot.pk, conf.units["a1"].pk])
    # Another member's reporter cannot; an empty reason is refused with the field named.
    client.force_login(conf.reporter_a2)
    assert client.post(contest, {"reason": "sai"}).status_code == 404
    client.force_login(conf.reporter_a1)
    empty = client.post(contest, {"reason": "  "})
    assert empty.status_code == 400 and "Lý do khiếu nại phiếu giấy" in empty.content.decode()
    assert BallotVoter.objects.filter(ballot=ballot, on_paper=True).exists()
    response = client.post(contest, {"reason": "Đơn vị không gửi phiếu giấy này"})
    assert response.status_code == 302
    assert not BallotVoter.objects.filter(ballot=ballot).exists()
    entry = AuditEntry.objects.get(action="ballot.paper_contest")
    assert entry.reason == "Đơn vị không gửi phiếu giấy này" and entry.actor == conf.reporter_a1
    # Its own reporter now votes (before: "đã bỏ phiếu").
    voted = client.post(
        reverse("ballot-vote", args=[conf.year.pk, ballot.pk]),
        {"voter": conf.units["a1"].pk, "choices": [conf.units["a2"].pk]},
    )
    assert voted.status_code == 302
    assert list(BallotVoter.objects.values_list("unit__code", "on_paper")) == [("a1", False)]


def test_a_paper_ballot_cannot_be_contested_after_the_close_and_counts_then(conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    vote(ballot, conf, "a1", "a3", on_paper=True, scan=paper_scan())
    vote(ballot, conf, "a2", "a3")
    tally = ballot_close(ballot=ballot)
    assert [(t.unit.code, t.votes) for t in tally.chosen] == [("a3", 2)]
    assert tally.on_paper == 1
    # The entered choices were merged into the shuffled choices and cleared from the voter row.
    assert BallotVoter.objects.get(unit__code="a1").paper_choices == ""
    with pytest.raises(BallotClosed):
        ballot_paper_contest(ballot=ballot, unit=conf.units["a1"], reason="muộn")


# --- Finding 5 (conference) and 13 (a reporter's invalid vote) ---------------------------------


def test_before_publication_a_reporter_sees_only_its_own_units_eligibility(conf, client):
    kind(conf, code="bk", name="Bằng khen", min_band="Tốt")
    body = page(client, conf.reporter_a1, conf.year)
    card = body.split('id="award-bk"')[1].split("</div></div>")[0]
    assert "Liên minh HTX A1" in card or "A1" in card
    for other in ("A2", "A3", "A4", "A5"):
        assert other not in card, other
    assert "1. " not in card and "Khá" not in card  # no rank, no one's band
    # Its own status, without the reasons: they tell its rank and band, which its score sheet
    # does not show before publication either.
    assert "Đủ điều kiện" in card and "Xuất sắc" not in card and "cần từ" not in card
    # The secretariat and leadership see everyone; a reporter too once the year is published.
    for user in (conf.secretariat, conf.leadership):
        card = page(client, user, conf.year).split('id="award-bk"')[1].split("</div></div>")[0]
        assert "Năm 2025 xếp loại “Khá”, cần từ “Tốt” trở lên" in card and "2. " in card
    conf.year.status = "published"
    conf.year.save(update_fields=["status"])
    card = page(client, conf.reporter_a1, conf.year).split('id="award-bk"')[1]
    assert "Năm 2025 xếp loại “Khá”, cần từ “Tốt” trở lên" in card.split("</div></div>")[0]


def test_a_reporters_tally_before_publication_has_no_rank_column(conf, client):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    for voter in ("a1", "a3"):
        vote(ballot, conf, voter, "a2")
    ballot_close(ballot=ballot)
    reporter = page(client, conf.reporter_a1, conf.year)
    assert "<th>Kết quả</th>" in reporter and '<th class="num">Hạng</th>' not in reporter
    assert '<th class="num">Hạng</th>' in page(client, conf.secretariat, conf.year)


def test_a_reporters_invalid_vote_shows_no_secretariat_form(conf, client):
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    client.force_login(conf.reporter_a1)
    response = client.post(
        reverse("ballot-vote", args=[conf.year.pk, ballot.pk]),
        {"voter": conf.units["a1"].pk, "choices": [conf.units["a1"].pk]},
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Không được bỏ phiếu cho chính đơn vị mình" in body
    for secretariat_only in (
        'id="award-form"',
        'id="open-ballot-form"',
        'id="election-form"',
        'id="flag-form"',
        "paper-form",
        "close-form",
        "Nhập phiếu giấy",
    ):
        assert secretariat_only not in body, secretariat_only


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_choices_of_a_ballot_open_at_upgrade(world):
    """A ballot open when 0009 runs: its choice rows (stored as cast, before) go into its sealed
    aggregate and are deleted; the close then counts them."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("scoring", "0008_notification_due_kinds")])
    old = executor.loader.project_state([("scoring", "0008_notification_due_kinds")]).apps
    OldBallot = old.get_model("scoring", "Ballot")
    ballot = OldBallot.objects.create(emulation_year_id=world.year.pk, purpose="head")
    for unit, choice in ((world.unit_a1, world.unit_a2), (world.unit_a2, world.unit_a1)):
        old.get_model("scoring", "BallotVoter").objects.create(ballot=ballot, unit_id=unit.pk)
        old.get_model("scoring", "BallotChoice").objects.create(
            ballot=ballot, candidate_id=choice.pk
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert not BallotChoice.objects.exists()
    assert unseal(Ballot.objects.get(pk=ballot.pk).sealed) == {
        "papers": 2,
        "counts": {str(world.unit_a1.pk): 1, str(world.unit_a2.pk): 1},
    }
    tally = ballot_close(ballot=Ballot.objects.get(pk=ballot.pk))
    assert sorted(t.votes for t in tally.lines) == [1, 1]
