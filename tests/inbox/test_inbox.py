"""The work inbox on the home page: each event shows for the persona it waits for, and for no
one else."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from clusters.models import AuditEntry, EmulationYear
from scoring.conference.services.conference import ballot_open, ballot_vote
from scoring.inbox.selectors import inbox_for_user
from scoring.models import Ballot, BallotVoter, Objection, Pledge, PledgeSignature, Report
from scoring.reporting.services.objections import objection_answer, objection_file
from scoring.reporting.services.reports import report_get_or_create, report_return, report_save
from scoring.setup.services.lifecycle import year_set_status
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 10)  # five days before the world's deadline (15/12/2025)


def kinds(items) -> list[tuple]:
    return [(i.kind, i.year_id, i.unit_id, i.count, i.days_left) for i in items]


def status(year, value):
    EmulationYear.objects.filter(pk=year.pk).update(status=value)


def submit(world, unit, user):
    report = report_get_or_create(emulation_year=world.year, unit_id=unit.pk)
    return report_save(
        report=report,
        expected_version=report.version,
        values={},
        submit=True,
        actor=user,
        today=TODAY,
    )


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_reporter_sees_the_report_to_submit_with_its_days_left(client, world):
    status(world.year, EmulationYear.Status.REPORTING)
    inbox = inbox_for_user(user=world.reporter_a1, today=TODAY)
    assert kinds(inbox.reporter) == [("report_to_submit", world.year.pk, world.unit_a1.pk, None, 5)]
    assert inbox.secretariat == [] and inbox.leadership == []
    # After the deadline it is overdue.
    late = inbox_for_user(user=world.reporter_a1, today=dt.date(2025, 12, 18)).reporter[0]
    assert late.days_left == -3 and late.overdue and late.days_overdue == 3
    # The other unit's reporter sees its own unit only; the outsider and leadership nothing.
    mine = inbox_for_user(user=world.reporter_a2, today=TODAY).reporter
    assert [(i.unit_id, i.unit_name, i.cluster_name, i.year) for i in mine] == [
        (world.unit_a2.pk, "Liên minh HTX A2", "Cụm A", 2025)
    ]
    assert inbox_for_user(user=world.outsider, today=TODAY).is_empty
    assert inbox_for_user(user=world.leadership, today=TODAY).is_empty


def test_the_home_page_shows_the_report_to_submit_linking_to_the_report(client, world):
    status(world.year, EmulationYear.Status.REPORTING)
    page = home(client, world.reporter_a1)
    assert "Việc cần làm" in page
    assert "Nộp báo cáo năm" in page
    assert reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]) in page
    assert reverse("report-detail", args=[world.year.pk, world.unit_a2.pk]) not in page
    assert "Không có việc nào đang chờ bạn." in home(client, world.outsider)


def test_a_year_still_planned_or_a_submitted_report_asks_nothing_of_the_reporter(world):
    assert inbox_for_user(user=world.reporter_a1, today=TODAY).is_empty  # planning
    status(world.year, EmulationYear.Status.REPORTING)
    submit(world, world.unit_a1, world.reporter_a1)
    assert inbox_for_user(user=world.reporter_a1, today=TODAY).reporter == []


def test_a_returned_report_asks_its_reporter_to_answer_the_comments(world):
    status(world.year, EmulationYear.Status.REPORTING)
    report = submit(world, world.unit_a1, world.reporter_a1)
    report_return(
        report=report,
        expected_version=report.version,
        comments={"new_coops": "Thiếu minh chứng", "": "Bổ sung thuyết minh"},
        actor=world.secretariat,
    )
    items = inbox_for_user(user=world.reporter_a1, today=TODAY).reporter
    assert kinds(items) == [("report_returned", world.year.pk, world.unit_a1.pk, 2, None)]
    assert items[0].detail == "2 nhận xét cần trả lời"
    assert inbox_for_user(user=world.reporter_a2, today=TODAY).reporter[0].kind == (
        "report_to_submit"
    )


def test_the_secretariat_sees_reports_to_verify_and_late_members(world):
    status(world.year, EmulationYear.Status.REPORTING)
    submit(world, world.unit_a1, world.reporter_a1)
    items = inbox_for_user(user=world.secretariat, today=TODAY).secretariat
    assert kinds(items) == [("reports_to_verify", world.year.pk, None, 1, None)]
    after = inbox_for_user(user=world.secretariat, today=dt.date(2025, 12, 20)).secretariat
    assert kinds(after) == [
        ("reports_to_verify", world.year.pk, None, 1, None),
        ("late_members", world.year.pk, None, 1, -5),  # A2 has not submitted
    ]
    # Another cluster's secretariat, the reporters and leadership see none of it.
    assert inbox_for_user(user=world.other_secretariat, today=TODAY).secretariat == []
    assert inbox_for_user(user=world.leadership, today=TODAY).is_empty


def test_the_secretariat_sees_objections_to_answer_and_the_reporter_the_answer(world):
    install_scheme(world.year)
    world.year.refresh_from_db()
    objection = objection_file(
        emulation_year=world.year,
        unit=world.unit_a1,
        criterion_code="1.1",
        text="Mẫu số sai",
        actor=world.reporter_a1,
    )
    items = inbox_for_user(user=world.secretariat, today=TODAY).secretariat
    assert kinds(items) == [("objections_to_answer", world.year.pk, None, 1, None)]
    assert inbox_for_user(user=world.reporter_a1, today=TODAY).reporter == []
    objection_answer(
        objection=objection, accept=False, answer="Giữ nguyên", actor=world.secretariat
    )
    assert inbox_for_user(user=world.secretariat, today=TODAY).secretariat == []
    mine = inbox_for_user(user=world.reporter_a1, today=TODAY).reporter
    assert kinds(mine) == [("objection_answered", world.year.pk, world.unit_a1.pk, None, None)]
    assert mine[0].detail == "Không chấp nhận"
    assert inbox_for_user(user=world.reporter_a2, today=TODAY).reporter == []
    # An answer older than a month has left the inbox.
    Objection.objects.filter(pk=objection.pk).update(
        answered_at=timezone.now() - dt.timedelta(days=31)
    )
    assert inbox_for_user(user=world.reporter_a1, today=TODAY).reporter == []


def test_the_secretariat_sees_the_signatures_missing(world):
    pledge = Pledge.objects.create(emulation_year=world.year, title="Giao ước 2025")
    items = inbox_for_user(user=world.secretariat, today=TODAY).secretariat
    assert kinds(items) == [("signatures_missing", world.year.pk, None, 2, None)]
    PledgeSignature.objects.create(
        pledge=pledge, unit=world.unit_a1, signed_by="Ông A", signed_on=TODAY
    )
    assert inbox_for_user(user=world.secretariat, today=TODAY).secretariat[0].count == 1
    PledgeSignature.objects.create(
        pledge=pledge, unit=world.unit_a2, signed_by="Bà B", signed_on=TODAY
    )
    assert inbox_for_user(user=world.secretariat, today=TODAY).secretariat == []


def test_an_open_ballot_waits_for_each_member_that_has_not_voted_then_for_the_secretariat(world):
    ballot = ballot_open(emulation_year=world.year, purpose=Ballot.Purpose.HEAD)
    for reporter in (world.reporter_a1, world.reporter_a2):
        items = inbox_for_user(user=reporter, today=TODAY).reporter
        assert [i.kind for i in items] == ["ballot_open"]
        assert items[0].url == reverse("year-conference", args=[world.year.pk])
    assert inbox_for_user(user=world.secretariat, today=TODAY).secretariat == []
    ballot_vote(ballot=ballot, voter=world.unit_a1, candidate_ids=[world.unit_a2.pk])
    assert inbox_for_user(user=world.reporter_a1, today=TODAY).reporter == []
    assert [i.kind for i in inbox_for_user(user=world.reporter_a2, today=TODAY).reporter] == [
        "ballot_open"
    ]
    ballot_vote(ballot=ballot, voter=world.unit_a2, candidate_ids=[world.unit_a1.pk])
    assert BallotVoter.objects.filter(ballot=ballot).count() == 2
    items = inbox_for_user(user=world.secretariat, today=TODAY).secretariat
    assert kinds(items) == [("ballot_ready", world.year.pk, None, 2, None)]
    assert inbox_for_user(user=world.other_secretariat, today=TODAY).secretariat == []


def test_leadership_sees_results_newly_published(client, scored):
    w = scored
    assert inbox_for_user(user=w.leadership, today=TODAY).leadership == []
    year_set_status(
        emulation_year=w.year,
        status=EmulationYear.Status.PUBLISHED,
        reason="Công bố theo kết luận hội nghị",  # members have not all submitted
        actor=w.secretariat,
    )
    items = inbox_for_user(user=w.leadership, today=TODAY).leadership
    assert kinds(items) == [("results_published", w.year.pk, None, None, None)]
    assert items[0].url == reverse("year-detail", args=[w.year.pk])
    assert "Kết quả mới công bố" in home(client, w.leadership)
    assert AuditEntry.objects.filter(action="year.status", emulation_year=w.year).count() == 1
    # Not another body's leadership, nor a month later.
    assert inbox_for_user(user=w.other_secretariat, today=TODAY).is_empty
    later = timezone.now() + dt.timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert inbox_for_user(user=w.leadership, today=TODAY).leadership == []


def test_a_published_year_leaves_the_reporters_and_secretariats_inbox(scored):
    w = scored
    status(w.year, EmulationYear.Status.REPORTING)
    Report.objects.filter(emulation_year=w.year).update(status=Report.Status.SUBMITTED)
    assert inbox_for_user(user=w.secretariat, today=TODAY).secretariat
    status(w.year, EmulationYear.Status.PUBLISHED)
    assert inbox_for_user(user=w.secretariat, today=TODAY).secretariat == []
    assert inbox_for_user(user=w.reporter_a1, today=TODAY).reporter == []


def test_the_inbox_reads_in_english_too(client, world):
    status(world.year, EmulationYear.Status.REPORTING)
    client.force_login(world.reporter_a1)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Work inbox" in page and "Submit the year&#x27;s report" in page
    assert "Việc cần làm" not in page


def test_the_home_page_lists_the_first_clusters_and_links_to_all_of_them(client, world):
    from clusters.models import Cluster
    from scoring.inbox.home import HOME_CLUSTERS

    for n in range(HOME_CLUSTERS + 2):
        Cluster.objects.create(
            code=f"x{n:02}", name=f"Cụm X{n:02}", supervising_unit=world.supervising
        )
    total = HOME_CLUSTERS + 3  # and Cụm A
    page = home(client, world.leadership)
    assert page.count('class="card mb-3"') == HOME_CLUSTERS
    assert "Xem tất cả cụm, khối thi đua" in page
    everything = client.get(reverse("home") + "?cum=tat-ca").content.decode()
    assert everything.count('class="card mb-3"') == total
    assert "Cụm X13" in everything and "Cụm X13" not in page
    assert "Xem tất cả" not in everything


def test_the_cached_home_page_follows_every_change_it_shows(client, world):
    from clusters.models import Cluster

    status(world.year, EmulationYear.Status.REPORTING)
    first = home(client, world.secretariat)
    assert "Báo cáo chờ thẩm định" not in first and "Đang báo cáo" in first

    def unmasked(page):  # the CSRF token is masked afresh on every response
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert unmasked(home(client, world.secretariat)) == unmasked(first)
    submit(world, world.unit_a1, world.reporter_a1)
    assert "Báo cáo chờ thẩm định" in home(client, world.secretariat)
    status(world.year, EmulationYear.Status.VERIFICATION)
    assert "Đang thẩm định" in home(client, world.secretariat)
    Cluster.objects.filter(pk=world.cluster.pk).update(name="Cụm Tây Nam sông Hậu")
    assert "Cụm Tây Nam sông Hậu" in home(client, world.secretariat)
    # Another user sees their own page, not this one.
    other = home(client, world.reporter_a2)
    assert "Báo cáo chờ thẩm định" not in other and "reporter_a2" in other
