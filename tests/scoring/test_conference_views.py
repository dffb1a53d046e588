"""The conference page in the browser's shoes (Django's test client): votes, paper ballots,
forms that keep what was typed, secrecy on every page, the election and the flag."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import EmulationYear, FlagHandover, Unit
from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
from scoring.models import AwardKind, AwardProposal, Ballot, BallotChoice, BallotVoter
from tests.scoring.factories import kind

pytestmark = pytest.mark.django_db


def paper_scan(name="phieu.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 signed paper ballot", content_type="application/pdf")


def page(client, user, year):
    client.force_login(user)
    return client.get(reverse("year-conference", args=[year.pk])).content.decode()


def test_a_reporter_votes_for_its_unit_once_in_the_browser(client, conf):
    ballot = ballot_open(
        emulation_year=conf.year, purpose="award", award_kind=kind(conf, min_band="Tốt")
    )
    body = page(client, conf.reporter_a1, conf.year)
    form = body.split('class="border rounded p-2 mb-2 vote-form"')[1].split("</form>")[0]
    assert "Liên minh HTX A2" in form and "Liên minh HTX A5" not in form  # a5 is not eligible
    url = reverse("ballot-vote", args=[conf.year.pk, ballot.pk])
    a2 = str(conf.units["a2"].pk)
    response = client.post(url, {"voter": conf.units["a1"].pk, "choices": [a2]})
    assert response.status_code == 302
    assert "Liên minh HTX A1 đã bỏ phiếu" in client.get(response["Location"]).content.decode()
    again = client.post(url, {"voter": conf.units["a1"].pk, "choices": [a2]})
    assert again.status_code == 400 and "đã bỏ phiếu" in again.content.decode()
    # A reporter cannot vote in another member's name, nor record a paper ballot.
    other = client.post(url, {"voter": conf.units["a3"].pk, "choices": [a2]})
    assert other.status_code == 400
    paper = client.post(url, {"on_paper": "1", "voter": conf.units["a3"].pk, "choices": [a2]})
    assert paper.status_code == 403
    assert BallotVoter.objects.filter(ballot=ballot).count() == 1
    assert BallotChoice.objects.filter(ballot=ballot).count() == 0  # sealed until the close


def test_a_self_vote_is_refused_with_the_choices_kept(client, conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    client.force_login(conf.reporter_a1)
    a1 = str(conf.units["a1"].pk)
    response = client.post(
        reverse("ballot-vote", args=[conf.year.pk, ballot.pk]),
        {"voter": conf.units["a1"].pk, "choices": [a1]},
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Không được bỏ phiếu cho chính đơn vị mình" in body
    assert re.search(rf'value="{a1}"[^>]*checked', body)  # the choice is kept
    assert not BallotVoter.objects.exists()


def test_the_secretariat_records_paper_ballots_and_closes(client, conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    client.force_login(conf.secretariat)
    url = reverse("ballot-vote", args=[conf.year.pk, ballot.pk])
    for voter, choice in (("a2", "a1"), ("a3", "a1"), ("a4", "a2")):
        response = client.post(
            url,
            {
                "on_paper": "1",
                "voter": conf.units[voter].pk,
                "choices": [conf.units[choice].pk],
                "scan": paper_scan(),
            },
        )
        assert response.status_code == 302
    assert BallotVoter.objects.filter(on_paper=True, recorded_by=conf.secretariat).count() == 3
    body = page(client, conf.secretariat, conf.year)
    assert body.count("(phiếu giấy)") == 3
    assert body.count("phiếu giấy do Ban thư ký nhập") == 3
    assert "tally" not in body.split(f'id="ballot-{ballot.pk}"')[1].split("</table>")[0]
    close = reverse("ballot-close", args=[conf.year.pk, ballot.pk])
    response = client.post(close)
    asked = response.content.decode()
    assert response.status_code == 200 and "3/5 đơn vị đã bỏ phiếu" in asked
    assert "Liên minh HTX A1, Liên minh HTX A5" in asked
    assert not AwardProposal.objects.exists() and Ballot.objects.get(pk=ballot.pk).status == "open"
    response = client.post(close, {"confirmed": "1"})
    assert response.status_code == 302
    assert list(AwardProposal.objects.values_list("unit__code", "votes")) == [("a1", 2)]
    twice = client.post(close, {"confirmed": "1"}, follow=True)
    assert "đã được kết thúc trước đó" in twice.content.decode()
    body = page(client, conf.leadership, conf.year)
    tally = body.split('class="table table-sm small tally"')[1].split("</table>")[0]
    assert 'Liên minh HTX A1</td><td class="num">2' in tally and "Đề nghị" in tally
    assert "3/5 đơn vị bỏ phiếu (3 phiếu giấy)" in tally


def test_reopening_needs_a_reason_and_keeps_what_was_typed(client, conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    for voter in ("a1", "a3"):
        ballot_vote(ballot=ballot, voter=conf.units[voter], candidate_ids=[conf.units["a2"].pk])
    ballot_close(ballot=ballot)
    client.force_login(conf.secretariat)
    url = reverse("ballot-reopen", args=[conf.year.pk, ballot.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400 and "This field is required" not in response.content.decode()
    assert Ballot.objects.get(pk=ballot.pk).status == "closed"
    assert client.post(url, {"reason": "Kiểm phiếu lại"}).status_code == 302
    assert Ballot.objects.get(pk=ballot.pk).status == "open"


def test_an_award_kind_form_names_the_field_and_keeps_what_was_typed(client, conf):
    client.force_login(conf.secretariat)
    response = client.post(
        reverse("year-conference", args=[conf.year.pk]),
        {
            "name": "Bằng khen của Liên minh HTX Việt Nam",
            "code": "bang-khen",
            "cap_count": "",
            "cap_percent": "",
            "min_vote_percent": "50",
            "tie_rule": "ranking",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Cần ghi số lượng tối đa hoặc tỷ lệ tối đa" in body
    assert 'value="Bằng khen của Liên minh HTX Việt Nam"' in body
    assert not AwardKind.objects.filter(code="bang-khen").exists()
    response = client.post(
        reverse("year-conference", args=[conf.year.pk]),
        {
            "name": "Bằng khen của Liên minh HTX Việt Nam",
            "code": "bang-khen",
            "cap_percent": "30",
            "min_vote_percent": "50",
            "tie_rule": "ranking",
            "requires_knockouts": "on",
        },
    )
    assert response.status_code == 302
    body = page(client, conf.secretariat, conf.year)
    card = body.split('id="award-bang-khen"')[1].split("</div></div>")[0]
    assert '<strong class="cap">1</strong>' in card  # 30% of 5 = 1.5 → 1


def test_a_ballot_of_another_year_is_404_even_for_a_secretariat(client, conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="head")
    other = EmulationYear.objects.create(cluster=conf.other_cluster, year=2024)
    client.force_login(conf.other_secretariat)
    for name in ("ballot-vote", "ballot-close", "ballot-reopen"):
        assert client.post(reverse(name, args=[other.pk, ballot.pk])).status_code == 404
        assert client.post(reverse(name, args=[conf.year.pk, ballot.pk])).status_code == 404
    assert Ballot.objects.get(pk=ballot.pk).status == "open"


def test_no_page_export_or_admin_list_tells_who_voted_for_whom(client, conf, admin_client):
    """a2 votes for a4, a3 for a1, a4 for a1 (paper). Before closing, no page shows a count;
    after, only counts per candidate. Choices are not in the admin at all."""
    award = kind(conf, min_vote_percent=0, cap_count=2)
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    u = conf.units
    ballot_vote(ballot=ballot, voter=u["a2"], candidate_ids=[u["a4"].pk])
    ballot_vote(ballot=ballot, voter=u["a3"], candidate_ids=[u["a1"].pk])
    ballot_vote(
        ballot=ballot, voter=u["a4"], candidate_ids=[u["a1"].pk], on_paper=True, scan=paper_scan()
    )
    for user in (conf.secretariat, conf.leadership, conf.reporter_a1):
        body = page(client, user, conf.year)
        assert '<th class="num">Số phiếu</th>' not in body and "tally" not in body
    assert BallotChoice not in admin.site._registry
    lists = [
        admin_client.get(reverse("admin:scoring_ballot_changelist")).content.decode(),
        admin_client.get(reverse("admin:scoring_ballot_change", args=[ballot.pk])).content.decode(),
        admin_client.get(reverse("admin:clusters_auditentry_changelist")).content.decode(),
    ]
    for body in lists:
        # Who voted may be listed; what anyone chose never is (no choice, no count).
        assert "BallotChoice" not in body and "ballotchoice" not in body
        assert '<th class="num">Số phiếu</th>' not in body
    assert "Liên minh HTX A2" in lists[1]  # the voters inline is there
    ballot_close(ballot=ballot)
    client.force_login(conf.secretariat)
    exports = [
        client.get(reverse(n, args=[conf.year.pk])).content
        for n in ("ranking-json", "ranking-csv", "ranking-xlsx", "conference-pack")
    ]
    pack = exports[-1].decode()
    minutes = pack.split('id="minutes"')[1]
    assert "Liên minh HTX A1" in minutes  # proposed, with its count
    for body in [page(client, conf.secretariat, conf.year), minutes]:
        tally = body.split("tally")[1].split("</table>")[0]
        # One row per candidate with its count; never a voter next to a choice.
        assert 'Liên minh HTX A1</td><td class="num">2' in tally
        assert 'Liên minh HTX A4</td><td class="num">1' in tally
        assert "phiếu giấy" not in tally.split("</caption>")[1]
    audit = admin_client.get(reverse("admin:clusters_auditentry_changelist")).content.decode()
    assert "Liên minh HTX A2 đã bỏ phiếu" in audit
    for voter in ("A2", "A3", "A4"):
        for choice in ("A1", "A4"):
            assert f"HTX {voter} đã bỏ phiếu cho Liên minh HTX {choice}" not in audit
    assert Unit.objects.count() >= 5


def test_the_election_and_the_flag_through_the_page(client, conf):
    head = ballot_open(emulation_year=conf.year, purpose="head")
    for voter in ("a1", "a3", "a4"):
        ballot_vote(ballot=head, voter=conf.units[voter], candidate_ids=[conf.units["a2"].pk])
    ballot_close(ballot=head)
    client.force_login(conf.secretariat)
    assert "Mở năm 2026 với kết quả bầu" in page(client, conf.secretariat, conf.year)
    response = client.post(reverse("year-election", args=[conf.year.pk]), {"by_vote": "1"})
    assert response.status_code == 302
    following = EmulationYear.objects.get(cluster=conf.cluster, year=2026)
    assert following.offices.get(role="head").unit == conf.units["a2"]
    # The flag: a form error keeps the values; then it is recorded and shown.
    url = reverse("year-flag", args=[conf.year.pk])
    a1, a2 = conf.units["a1"].pk, conf.units["a2"].pk
    bad = client.post(url, {"from_unit": a1, "to_unit": a1, "handed_on": "20/12/2025"})
    assert bad.status_code == 400 and "Đơn vị nhận cờ phải khác" in bad.content.decode()
    ok = client.post(url, {"from_unit": a1, "to_unit": a2, "handed_on": "2025-12-20"})
    assert ok.status_code == 302
    handover = FlagHandover.objects.get(emulation_year=conf.year)
    assert (handover.from_unit_id, handover.to_unit_id) == (a1, a2)
    assert "bàn giao cờ luân lưu cho Liên minh HTX A2" in page(client, conf.leadership, conf.year)


def test_the_overview_shows_the_cap_across_clusters_with_each_leader(client, conf):
    award = kind(conf, leads_cluster=True, min_vote_percent=0)
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    for voter in ("a1", "a2", "a4"):
        ballot_vote(ballot=ballot, voter=conf.units[voter], candidate_ids=[conf.units["a3"].pk])
    client.force_login(conf.leadership)
    url = reverse("overview") + "?nam=2025"
    section = client.get(url).content.decode().split('id="next-level-')[1]
    # Before the vote closes: the first of the ranking, marked as such.
    assert "Liên minh HTX A1" in section and "chưa bình xét" in section
    # One leader: 20 % of 1 rounds down to none, with no silent "at least 1".
    assert '<strong class="cap">0</strong>' in section and "cap-zero" in section
    assert "20 % của 1 đơn vị dẫn đầu được xét làm tròn xuống được 0" in section
    ballot_close(ballot=ballot)
    section = client.get(url).content.decode().split('id="next-level-')[1]
    assert "Liên minh HTX A3" in section and "suy tôn tại hội nghị" in section
