"""Bulk verification: the confirmation lists the submitted reports without an open comment; the
POST verifies the ticked ones in one go through report_verify, skipping (and naming) any that
changed since the list was shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear, Membership, Unit
from scoring.models import Report, ReportComment
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world):
    """a1 submitted (clean), a2 submitted with an open comment, a3 submitted with a resolved
    comment, a4 a draft, a5 already verified."""
    install_scheme(world.year)
    made = {}
    for code, status in (
        ("a1", "submitted"),
        ("a2", "submitted"),
        ("a3", "submitted"),
        ("a4", "draft"),
        ("a5", "verified"),
    ):
        unit = Unit.objects.filter(code=code).first() or Unit.objects.create(
            code=code, name=f"Liên minh HTX {code.upper()}"
        )
        Membership.objects.get_or_create(emulation_year=world.year, unit=unit)
        made[code] = Report.objects.create(emulation_year=world.year, unit=unit, status=status)
    ReportComment.objects.create(report=made["a2"], text="Thiếu minh chứng", resolved=False)
    ReportComment.objects.create(report=made["a3"], text="Đã bổ sung", resolved=True)
    world.reports = made
    return world


def url(world):
    return reverse("year-verify-bulk", args=[world.year.pk])


def chosen(*reports, version=None):
    data = {"report": [str(r.pk) for r in reports]}
    data.update({f"version-{r.pk}": str(version or r.version) for r in reports})
    return data


def test_the_confirmation_lists_submitted_reports_without_an_open_comment(client, reports):
    client.force_login(reports.secretariat)
    response = client.get(url(reports))
    assert [r.unit.code for r in response.context["reports"]] == ["a1", "a3"]
    page = response.content.decode()
    r1, r3 = reports.reports["a1"], reports.reports["a3"]
    assert f'name="report" value="{r1.pk}"' in page and f'name="version-{r3.pk}" value="1"' in page
    assert "Thẩm định 2 báo cáo đã chọn" in page


def test_the_post_verifies_the_listed_reports_each_audited(client, reports):
    w = reports
    client.force_login(w.secretariat)
    response = client.post(url(w), chosen(w.reports["a1"], w.reports["a3"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("year-detail", args=[w.year.pk])
    statuses = dict(Report.objects.values_list("unit__code", "status"))
    assert statuses == {
        "a1": "verified",
        "a2": "submitted",
        "a3": "verified",
        "a4": "draft",
        "a5": "verified",
    }
    assert Report.objects.get(unit__code="a1").verified_by == w.secretariat
    assert AuditEntry.objects.filter(action="report.verify").count() == 2
    assert "Đã thẩm định 2 báo cáo: Liên minh HTX A1, Liên minh HTX A3." in (
        response.content.decode()
    )


def test_reports_changed_since_the_list_are_skipped_and_named(client, reports):
    w = reports
    client.force_login(w.secretariat)
    listed = chosen(w.reports["a1"], w.reports["a2"], w.reports["a3"], w.reports["a4"])
    # Since the page was shown: a1 saved again, a4 still a draft (a forged id), a2 commented.
    Report.objects.filter(pk=w.reports["a1"].pk).update(version=2)
    response = client.post(url(w), listed, follow=True)
    page = response.content.decode()
    assert dict(Report.objects.values_list("unit__code", "status"))["a3"] == "verified"
    assert set(Report.objects.filter(status="verified").values_list("unit__code", flat=True)) == {
        "a3",
        "a5",
    }
    assert "Không thẩm định 3 báo cáo" in page
    assert "Liên minh HTX A1 (đã thay đổi sau khi danh sách được mở)" in page
    assert "Liên minh HTX A2 (còn nhận xét chưa xử lý)" in page
    assert "Liên minh HTX A4 (đang ở trạng thái “Bản nháp”)" in page
    assert not ReportComment.objects.get(report=w.reports["a2"]).resolved


def test_another_years_report_is_not_verified(client, reports):
    w = reports
    other = Report.objects.create(emulation_year=w.other_year, unit=w.unit_b1, status="submitted")
    client.force_login(w.secretariat)
    client.post(url(w), chosen(other))
    assert Report.objects.get(pk=other.pk).status == "submitted"


def test_no_choice_or_a_bad_id_is_a_clear_message_not_an_error(client, reports):
    w = reports
    client.force_login(w.secretariat)
    response = client.post(url(w), {}, follow=True)
    assert "Chưa chọn báo cáo nào để thẩm định." in response.content.decode()
    response = client.post(url(w), {"report": ["x1"], "version-x1": "1"}, follow=True)
    assert "Danh sách báo cáo không hợp lệ" in response.content.decode()
    assert not AuditEntry.objects.filter(action="report.verify").exists()


def test_a_published_year_refuses_bulk_verification(client, reports):
    w = reports
    EmulationYear.objects.filter(pk=w.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    client.force_login(w.secretariat)
    response = client.post(url(w), chosen(w.reports["a1"]), follow=True)
    assert "Kết quả năm này đã công bố" in response.content.decode()
    assert Report.objects.get(pk=w.reports["a1"].pk).status == "submitted"


@pytest.mark.parametrize(
    "persona,code",
    [
        ("reporter_a1", 403),
        ("leadership", 403),
        ("outsider", 404),
        ("other_secretariat", 404),
    ],
)
def test_only_the_secretariat_verifies_in_bulk(client, reports, persona, code):
    client.force_login(getattr(reports, persona))
    assert client.get(url(reports)).status_code == code
    assert client.post(url(reports), chosen(reports.reports["a1"])).status_code == code
    assert Report.objects.get(pk=reports.reports["a1"].pk).status == "submitted"


def test_the_year_page_links_the_secretariat_to_it(client, reports):
    client.force_login(reports.secretariat)
    page = client.get(reverse("year-detail", args=[reports.year.pk])).content.decode()
    assert f'href="{url(reports)}"' in page
    client.force_login(reports.reporter_a1)
    page = client.get(reverse("year-detail", args=[reports.year.pk])).content.decode()
    assert f'href="{url(reports)}"' not in page


def test_the_confirmation_takes_the_same_queries_for_more_reports(client, reports):
    w = reports
    client.force_login(w.secretariat)
    client.get(url(w))
    with CaptureQueriesContext(connection) as small:
        client.get(url(w))
    for n in range(6, 12):
        unit = Unit.objects.create(code=f"a{n}", name=f"Liên minh HTX A{n}")
        Membership.objects.create(emulation_year=w.year, unit=unit)
        report = Report.objects.create(emulation_year=w.year, unit=unit, status="submitted")
        ReportComment.objects.create(report=report, text="ok", resolved=True)
    client.get(url(w))  # (a new unit moves the cached scopes on)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(w))
    assert len(response.context["reports"]) == 2 + 6
    assert len(large) == len(small)
