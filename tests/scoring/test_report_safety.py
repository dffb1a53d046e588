"""A report without surprises: submitting asks for a confirmation that states what it means;
attaching evidence keeps what was typed; a file can be removed before submission (recorded);
the secretariat enters a paper report in the member's place, said to everyone with its scan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.models import EvidenceFile, Report
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\nscan"


@pytest.fixture
def open_year(world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


def url(world, unit=None):
    return reverse("report-detail", args=[world.year.pk, (unit or world.unit_a1).pk])


def figures(action, version=1, **extra):
    data = {"version": version, "note": "", "action": action, "e_new_coops": "12"}
    data["e_coop_members"] = "1.500"
    data.update(extra)
    return data


def test_submit_first_shows_what_it_means_and_saves_nothing(client, open_year):
    client.force_login(open_year.reporter_a1)
    data = figures("submit")
    data["e_coop_members"] = ""
    response = client.post(url(open_year), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="confirm-submit"' in page
    assert "Thành viên HTX" in page.split('id="confirm-submit"')[1].split("</ul>")[0]
    assert "không sửa được số liệu nữa" in page
    assert 'value="submit_confirmed"' in page
    assert not Report.objects.exists()

    response = client.post(url(open_year), figures("submit_confirmed"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert (
        report.status == "submitted"
        and report.values.get(element_code="coop_members").value == 1500
    )


def test_attaching_evidence_saves_the_typed_figures_as_a_draft_first(client, open_year):
    client.force_login(open_year.reporter_a1)
    data = figures("evidence", element="new_coops")
    data["evidence"] = SimpleUploadedFile("qd.pdf", PDF)
    response = client.post(url(open_year), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == "draft"
    assert {v.element_code: v.value for v in report.values.all()} == {
        "new_coops": 12,
        "coop_members": 1500,
    }
    assert EvidenceFile.objects.get().element_code == "new_coops"
    page = client.get(url(open_year)).content.decode()
    assert 'value="1.500"' in page and "qd.pdf" in page and "HTX thành lập mới" in page


def test_attaching_with_a_figure_that_cannot_be_read_saves_and_attaches_nothing(client, open_year):
    client.force_login(open_year.reporter_a1)
    data = figures("evidence", e_new_coops="mười hai")
    data["evidence"] = SimpleUploadedFile("qd.pdf", PDF)
    response = client.post(url(open_year), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tệp chưa được đính kèm" in page and 'value="mười hai"' in page
    assert not Report.objects.exists() and not EvidenceFile.objects.exists()


def test_a_file_of_the_wrong_kind_is_refused_before_anything_is_saved(client, open_year):
    client.force_login(open_year.reporter_a1)
    data = figures("evidence")
    data["evidence"] = SimpleUploadedFile("x.pdf", b"<script>")
    response = client.post(url(open_year), data)
    assert response.status_code == 200 and "kiểm tra theo nội dung tệp" in response.content.decode()
    assert not Report.objects.exists()


def test_an_evidence_element_outside_the_scheme_is_refused(client, open_year):
    client.force_login(open_year.reporter_a1)
    data = figures("evidence", element="x" * 61)
    data["evidence"] = SimpleUploadedFile("qd.pdf", PDF)
    response = client.post(url(open_year), data)
    assert response.status_code == 200
    assert not EvidenceFile.objects.exists()


def attach(client, world):
    data = figures(
        "evidence", version=Report.objects.get().version if Report.objects.exists() else 1
    )
    data["evidence"] = SimpleUploadedFile("qd.pdf", PDF)
    assert client.post(url(world), data).status_code == 302
    return EvidenceFile.objects.latest("pk")


def test_a_reporter_removes_a_file_before_submission_and_the_history_says_so(client, open_year):
    client.force_login(open_year.reporter_a1)
    evidence = attach(client, open_year)
    response = client.post(
        url(open_year), {"action": "evidence_delete", "evidence_id": evidence.pk}
    )
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()
    entry = AuditEntry.objects.get(action="evidence.delete")
    assert entry.before["evidence"] == "qd.pdf" and entry.actor == open_year.reporter_a1


def test_after_submission_a_file_stays(client, open_year):
    client.force_login(open_year.reporter_a1)
    evidence = attach(client, open_year)
    report = Report.objects.get()
    client.post(url(open_year), figures("submit_confirmed", version=report.version))
    response = client.post(
        url(open_year), {"action": "evidence_delete", "evidence_id": evidence.pk}
    )
    assert response.status_code == 403
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_another_unit_cannot_remove_a_file(client, open_year):
    client.force_login(open_year.reporter_a1)
    evidence = attach(client, open_year)
    client.force_login(open_year.reporter_a2)
    response = client.post(
        url(open_year), {"action": "evidence_delete", "evidence_id": evidence.pk}
    )
    assert response.status_code == 404
    client.force_login(open_year.reporter_a2)
    response = client.post(
        url(open_year, open_year.unit_a2), {"action": "evidence_delete", "evidence_id": evidence.pk}
    )
    assert response.status_code in (302, 403)
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def paper(world, **extra):
    data = {
        "action": "paper",
        "paper-version": 1,
        "paper-note": "",
        "paper-e_new_coops": "7",
        "paper-e_coop_members": "2.000",
        "paper-scan": SimpleUploadedFile("bao-cao-giay.pdf", PDF),
    }
    data.update(extra)
    return data


def test_the_secretariat_enters_a_paper_report_with_its_scan_and_the_member_sees_it(
    client, open_year
):
    client.force_login(open_year.secretariat)
    response = client.post(url(open_year), paper(open_year))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == "submitted" and report.entered_from_paper
    assert report.submitted_by == open_year.secretariat
    assert report.values.get(element_code="coop_members").value == 2000
    scan = EvidenceFile.objects.get()
    assert scan.paper_report and scan.original_name == "bao-cao-giay.pdf"
    assert AuditEntry.objects.filter(action="report.paper_entry", actor=open_year.secretariat)

    client.force_login(open_year.reporter_a1)
    page = client.get(url(open_year)).content.decode()
    assert "Nhập thay từ báo cáo giấy do Ban thư ký nhập" in page and "bao-cao-giay.pdf" in page
    download = reverse("evidence-download", args=[open_year.year.pk, open_year.unit_a1.pk, scan.pk])
    assert client.get(download).status_code == 200


def test_a_paper_report_without_its_scan_is_refused_and_keeps_what_was_typed(client, open_year):
    client.force_login(open_year.secretariat)
    data = paper(open_year)
    del data["paper-scan"]
    response = client.post(url(open_year), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hãy đính kèm bản scan" in page and 'value="2.000"' in page
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["reporter_a1", "leadership", "other_secretariat", "outsider"])
def test_only_the_clusters_secretariat_enters_a_paper_report(client, open_year, who):
    client.force_login(getattr(open_year, who))
    response = client.post(url(open_year), paper(open_year))
    assert response.status_code in (403, 404)
    assert not Report.objects.exists()


def test_a_submitted_report_cannot_be_overwritten_from_paper(client, open_year):
    client.force_login(open_year.reporter_a1)
    client.post(url(open_year), figures("submit_confirmed"))
    client.force_login(open_year.secretariat)
    response = client.post(url(open_year), paper(open_year, **{"paper-version": 2}))
    assert response.status_code == 403
    assert Report.objects.get().values.get(element_code="coop_members").value == 1500


def test_a_save_in_a_published_year_creates_no_empty_report(client, open_year):
    EmulationYear.objects.filter(pk=open_year.year.pk).update(status="published")
    client.force_login(open_year.reporter_a1)
    response = client.post(url(open_year), figures("save"))
    assert response.status_code == 200
    assert "đã công bố" in response.content.decode()
    assert not Report.objects.exists()


def test_a_file_chosen_before_saving_the_draft_is_attached_too(client, open_year):
    client.force_login(open_year.reporter_a1)
    data = figures("save")
    data["evidence"] = SimpleUploadedFile("qd.pdf", PDF)
    assert client.post(url(open_year), data).status_code == 302
    assert Report.objects.get().status == "draft"
    assert EvidenceFile.objects.get().original_name == "qd.pdf"
