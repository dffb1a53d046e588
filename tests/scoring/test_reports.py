"""The year report journey: fill, save, preview, submit; return with comments; correct and
resubmit; verify — with the optimistic lock and clear errors that keep what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.models import Report, ReportComment, Standing
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_year(world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


def url(world, unit):
    return reverse("report-detail", args=[world.year.pk, unit.pk])


def post(client, user, address, data):
    client.force_login(user)
    return client.post(address, data)


def form_data(version=1, action="save", **values):
    data = {"version": version, "action": action, "note": ""}
    data.update({f"e_{k}": v for k, v in values.items()})
    return data


def test_a_reporter_saves_a_draft_then_submits_and_the_ranking_updates(
    client, open_year, django_capture_on_commit_callbacks
):
    w = open_year
    response = post(
        client, w.reporter_a1, url(w, w.unit_a1), form_data(new_coops="12", coop_members="1.000")
    )
    assert response.status_code == 302
    report = Report.objects.get(unit=w.unit_a1)
    assert report.status == "draft" and report.version == 2
    assert {v.element_code: v.value for v in report.values.all()} == {
        "new_coops": 12,
        "coop_members": 1000,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            w.reporter_a1,
            url(w, w.unit_a1),
            form_data(version=2, action="submit_confirmed", new_coops="16", coop_members="1000"),
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == w.reporter_a1
    standing = Standing.objects.get(
        run__emulation_year=w.year, run__is_current=True, unit=w.unit_a1
    )
    assert standing.total == pytest.approx(48.0)
    assert AuditEntry.objects.filter(action="report.submit", object_id=str(report.pk)).exists()


def test_the_preview_shows_points_without_saving(client, open_year):
    w = open_year
    response = post(
        client, w.reporter_a1, url(w, w.unit_a1), form_data(action="preview", new_coops="20")
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="preview"' in body
    assert "60/60 điểm" in body
    assert not Report.objects.filter(unit=w.unit_a1).exists()


def test_a_bad_figure_is_named_next_to_its_field_and_what_was_typed_is_kept(client, open_year):
    w = open_year
    response = post(
        client, w.reporter_a1, url(w, w.unit_a1), form_data(new_coops="mười hai", coop_members="-5")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="mười hai"' in body and 'value="-5"' in body
    assert "is-invalid" in body and 'id="error_1_id_e_new_coops"' in body
    assert not Report.objects.filter(unit=w.unit_a1).exists()


def test_the_second_of_two_concurrent_saves_is_refused_and_loses_nothing(client, open_year):
    w = open_year
    post(client, w.reporter_a1, url(w, w.unit_a1), form_data(new_coops="10"))
    # Two colleagues opened the form at version 2; the first saves, the second then saves too.
    post(client, w.reporter_a1, url(w, w.unit_a1), form_data(version=2, new_coops="11"))
    response = post(client, w.reporter_a1, url(w, w.unit_a1), form_data(version=2, new_coops="99"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác lưu" in body and 'value="99"' in body
    assert Report.objects.get(unit=w.unit_a1).values.get(element_code="new_coops").value == 11


def test_submitting_after_the_deadline_is_refused(client, open_year):
    w = open_year
    EmulationYear.objects.filter(pk=w.year.pk).update(reporting_deadline=dt.date(2020, 1, 1))
    response = post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(action="submit_confirmed", new_coops="10"),
    )
    assert response.status_code == 200
    assert "quá hạn nộp báo cáo" in response.content.decode()
    assert not Report.objects.filter(unit=w.unit_a1, status="submitted").exists()


def test_return_with_a_comment_then_correct_resubmit_and_verify(
    client, open_year, django_capture_on_commit_callbacks
):
    w = open_year
    post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(action="submit_confirmed", new_coops="40"),
    )
    report = Report.objects.get(unit=w.unit_a1)
    response = post(
        client,
        w.secretariat,
        url(w, w.unit_a1),
        {
            "action": "return",
            "version": report.version,
            "c_new_coops": "40 HTX? Kèm danh sách quyết định thành lập.",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"
    comment = ReportComment.objects.get(report=report)
    assert comment.element_code == "new_coops"
    page = client.get(url(w, w.unit_a1)).content.decode()
    client.force_login(w.reporter_a1)
    page = client.get(url(w, w.unit_a1)).content.decode()
    assert "Kèm danh sách quyết định thành lập." in page and 'id="report-form"' in page
    post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(version=report.version, action="submit_confirmed", new_coops="14"),
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            w.secretariat,
            url(w, w.unit_a1),
            {"action": "verify", "version": report.version},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "verified" and report.verified_by == w.secretariat
    year_recompute(emulation_year_id=w.year.pk)
    assert Standing.objects.get(run__is_current=True, unit=w.unit_a1).total == pytest.approx(42.0)


def test_returning_without_any_comment_is_refused_with_a_message(client, open_year):
    w = open_year
    post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(action="submit_confirmed", new_coops="40"),
    )
    report = Report.objects.get(unit=w.unit_a1)
    response = post(
        client, w.secretariat, url(w, w.unit_a1), {"action": "return", "version": report.version}
    )
    assert response.status_code == 200 and "ít nhất một số liệu" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_who_may_open_and_change_a_report(client, open_year):
    w = open_year
    a1 = url(w, w.unit_a1)
    client.force_login(w.reporter_a2)
    assert client.get(a1).status_code == 404
    assert client.post(a1, form_data(new_coops="1")).status_code == 404
    client.force_login(w.outsider)
    assert client.get(a1).status_code == 404
    client.force_login(w.other_secretariat)
    assert client.get(a1).status_code == 404
    client.force_login(w.leadership)
    assert client.get(a1).status_code == 200
    assert client.post(a1, form_data(new_coops="1")).status_code == 403
    client.force_login(w.reporter_a1)
    assert client.post(a1, {"action": "verify", "version": 1}).status_code == 403
    assert not Report.objects.exists()


def test_a_reporter_cannot_change_the_status_by_adding_fields(client, open_year):
    w = open_year
    data = form_data(new_coops="10")
    data.update(status="verified", verified_value="999", version=1)
    post(client, w.reporter_a1, url(w, w.unit_a1), data)
    report = Report.objects.get(unit=w.unit_a1)
    assert report.status == "draft"
    assert report.values.get(element_code="new_coops").verified_value is None


@pytest.mark.parametrize(
    ("language", "typed", "number"),
    [
        ("vi", "1.234,5", "1234.5"),
        ("vi", "1234,5", "1234.5"),
        ("vi", "1.000", "1000"),
        ("vi", "6,1", "6.1"),
        ("en", "1,234.5", "1234.5"),
        ("en", "6.1", "6.1"),
        ("en", "6,1", "6.1"),
    ],
)
def test_numbers_are_read_as_people_type_them(language, typed, number):
    from django.utils import translation

    from scoring.fields import normalize_number

    with translation.override(language):
        assert normalize_number(typed) == number


def test_the_report_history_shows_each_change_with_before_and_after(client, open_year):
    w = open_year
    post(client, w.reporter_a1, url(w, w.unit_a1), form_data(new_coops="10"))
    post(client, w.reporter_a1, url(w, w.unit_a1), form_data(version=2, new_coops="12"))
    client.force_login(w.secretariat)
    page = client.get(reverse("report-history", args=[w.year.pk, w.unit_a1.pk])).content.decode()
    assert page.count("Lưu nháp báo cáo") == 2
    # The data element by its name, not its code.
    assert (
        '<td>HTX thành lập mới</td><td class="num">10</td><td class="num">12</td>'
        in page.replace("\n", "")
    )


def test_the_year_page_says_it_is_recomputing_and_refreshes_itself(client, open_year):
    from scoring.ranking.services.dirty import year_mark_dirty

    w = open_year
    year_mark_dirty(emulation_year_id=w.year.pk)  # inside the test transaction: not yet recomputed
    client.force_login(w.secretariat)
    page = client.get(reverse("year-detail", args=[w.year.pk])).content.decode()
    assert 'id="recomputing"' in page and 'http-equiv="refresh"' in page


def test_the_reporter_answers_a_returned_comment_when_resubmitting(client, open_year):
    w = open_year
    post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(action="submit_confirmed", new_coops="40"),
    )
    report = Report.objects.get(unit=w.unit_a1)
    post(
        client,
        w.secretariat,
        url(w, w.unit_a1),
        {"action": "return", "version": report.version, "c_new_coops": "Số liệu cao bất thường"},
    )
    report.refresh_from_db()
    comment = ReportComment.objects.get()
    data = form_data(version=report.version, action="submit_confirmed", new_coops="40")
    data[f"answer_{comment.pk}"] = "Có 12 HTX chuyển đổi từ THT, kèm danh sách"
    post(client, w.reporter_a1, url(w, w.unit_a1), data)
    comment.refresh_from_db()
    assert comment.answer == "Có 12 HTX chuyển đổi từ THT, kèm danh sách" and comment.answered_at
    client.force_login(w.secretariat)
    assert "Có 12 HTX chuyển đổi" in client.get(url(w, w.unit_a1)).content.decode()


def test_a_reporter_sees_its_tasks_for_the_year(client, open_year):
    w = open_year
    post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(action="submit_confirmed", new_coops="40"),
    )
    report = Report.objects.get(unit=w.unit_a1)
    post(
        client,
        w.secretariat,
        url(w, w.unit_a1),
        {"action": "return", "version": report.version, "c_new_coops": "Kiểm tra lại"},
    )
    client.force_login(w.reporter_a1)
    page = client.get(reverse("year-detail", args=[w.year.pk])).content.decode()
    tasks = page.split('id="my-tasks"')[1].split("</div></div>")[0]
    assert (
        "chưa ký" in tasks and "Trả lại để bổ sung" in tasks and "1 nhận xét cần trả lời" in tasks
    )
    assert "15/12/2099" in tasks


def test_after_the_deadline_only_the_secretariat_can_reopen_a_report_for_late_submission(
    client, open_year
):
    w = open_year
    post(client, w.reporter_a1, url(w, w.unit_a1), form_data(new_coops="10"))
    EmulationYear.objects.filter(pk=w.year.pk).update(reporting_deadline=dt.date(2020, 1, 1))
    report = Report.objects.get(unit=w.unit_a1)
    refused = post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(version=report.version, action="submit_confirmed", new_coops="10"),
    )
    assert "quá hạn nộp báo cáo" in refused.content.decode()
    assert (
        post(
            client, w.reporter_a1, url(w, w.unit_a1), {"action": "reopen_late", "reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(w.secretariat)
    assert 'id="reopen-late-form"' in client.get(url(w, w.unit_a1)).content.decode()
    post(
        client,
        w.secretariat,
        url(w, w.unit_a1),
        {"action": "reopen_late", "reason": "Công văn xin gia hạn số 12"},
    )
    report.refresh_from_db()
    assert report.status == "returned"
    post(
        client,
        w.reporter_a1,
        url(w, w.unit_a1),
        form_data(version=report.version, action="submit_confirmed", new_coops="10"),
    )
    assert Report.objects.get(pk=report.pk).status == "submitted"
    assert (
        AuditEntry.objects.get(action="report.reopen_late").reason == "Công văn xin gia hạn số 12"
    )


def test_a_save_after_someone_submitted_is_told_and_keeps_the_typed_figures(client, world):
    """Two reporters of one member: the first submits while the second still has the form open.
    The second's save is a conflict with its figures on screen, not a 403."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from clusters.models import RoleGrant
    from scoring.models import Report
    from scoring.reporting.services.reports import report_get_or_create, report_save
    from tests.scoring.factories import install_scheme

    install_scheme(world.year)
    report = report_get_or_create(emulation_year=world.year, unit_id=world.unit_a1.pk)
    second = get_user_model().objects.create_user(username="reporter_a1_b", password="x")
    RoleGrant.objects.create(user=second, role="reporter", unit=world.unit_a1)
    read_version = report.version  # the second reporter opened the form at this version
    report_save(
        report=report,
        expected_version=read_version,
        values={},
        submit=True,
        today=world.year.reporting_deadline,
    )
    client.force_login(second)
    response = client.post(
        reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]),
        {"action": "save", "version": read_version, "e_new_coops": "17", "e_coop_members": "900"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="17"' in body and 'value="900"' in body
    assert "Báo cáo vừa được người khác lưu" in body
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        ("NumberInput", "1200", {"min": "0", "max": "99", "step": "1", "class": "form-control"}),
        ("NumberInput", None, {"class": "form-control is-invalid", "aria-invalid": "true"}),
        ("TextInput", '<b>"x" & y</b>', {"maxlength": "2000", "aria-describedby": "h"}),
        ("TextInput", "", {"required": True, "disabled": False}),
    ],
)
def test_fast_inputs_render_what_the_widget_templates_render(widget, value, attrs):
    """Same attributes, same escaping, as Django's own widget templates."""
    import re

    from django import forms

    from scoring.fields import FAST_WIDGETS

    def parsed(html):
        assert html.startswith("<input") and html.endswith(">")
        return sorted(re.findall(r'([\w-]+)(?:="([^"]*)")?', html[len("<input") : -1]))

    cls = getattr(forms, widget)
    expected = cls(attrs=attrs).render("e_x", value, attrs={"id": "id_e_x"})
    fast = FAST_WIDGETS[cls](attrs=attrs).render("e_x", value, attrs={"id": "id_e_x"})
    assert parsed(fast) == parsed(expected)
    assert ("id", "id_e_x") in parsed(fast)
    if "class" in attrs:
        assert ("class", attrs["class"]) in parsed(fast)
    assert "<b>" not in fast


def _saved_once(year, unit, **values):
    """A report of `unit` saved once with these figures."""
    from decimal import Decimal

    from scoring.reporting.services.reports import report_get_or_create, report_save

    report = report_get_or_create(emulation_year=year, unit_id=unit.pk)
    figures = {code: Decimal(v) for code, v in values.items()}
    return report_save(report=report, expected_version=1, values=figures)


def test_a_save_writes_exactly_the_figures_and_notes_that_changed(open_year):
    """Only changed columns are updated (values, notes or both), and each keeps its own."""
    from decimal import Decimal

    from scoring.models import ReportValue
    from scoring.reporting.services.reports import report_save

    report = _saved_once(open_year.year, open_year.unit_a1, new_coops=5, coop_members=100)
    report = report_save(
        report=report,
        expected_version=report.version,
        values={"new_coops": Decimal(5), "coop_members": Decimal(100)},
        notes={"new_coops": "theo quyết định 12/QĐ"},
    )
    report = report_save(
        report=report,
        expected_version=report.version,
        values={"new_coops": Decimal(5), "coop_members": Decimal(120)},
        notes={"new_coops": "theo quyết định 12/QĐ"},
    )
    rows = {v.element_code: (v.value, v.note) for v in ReportValue.objects.filter(report=report)}
    assert rows == {
        "new_coops": (Decimal(5), "theo quyết định 12/QĐ"),
        "coop_members": (Decimal(120), ""),
    }


def test_a_save_that_clears_a_figure_or_gives_a_fraction_stores_exactly_that(open_year):
    """The changed rows are written by hand-made statements (not bulk_update): an emptied figure
    is NULL, a fraction keeps its digits, a note its text — and another report's rows stay."""
    from decimal import Decimal

    from scoring.models import ReportValue
    from scoring.reporting.services.reports import report_save

    other = _saved_once(open_year.year, open_year.unit_a2, new_coops=7, coop_members=70)
    report = _saved_once(open_year.year, open_year.unit_a1, new_coops=5, coop_members=100)
    note = 'ước tính; chưa "chốt" 100% — xem phụ lục'
    report = report_save(
        report=report,
        expected_version=report.version,
        values={"new_coops": None, "coop_members": Decimal("100.25")},
        notes={"coop_members": note},
    )

    def rows(r):
        return {v.element_code: (v.value, v.note) for v in ReportValue.objects.filter(report=r)}

    assert rows(report) == {"new_coops": (None, ""), "coop_members": (Decimal("100.25"), note)}
    assert rows(other) == {"new_coops": (Decimal(7), ""), "coop_members": (Decimal(70), "")}


def test_the_form_shows_this_years_figures_and_last_years_verified_over_reported(client, open_year):
    """One query reads both; last year's count only from a scored report (verified over
    reported), and another member's never."""
    from decimal import Decimal

    from clusters.models import Membership
    from scoring.models import ReportValue

    last = EmulationYear.objects.create(cluster=open_year.cluster, year=open_year.year.year - 1)
    for unit, status, values in (
        (
            open_year.unit_a1,
            Report.Status.VERIFIED,
            {"coop_members": (100, 90), "new_coops": (7, None)},
        ),
        (open_year.unit_a2, Report.Status.VERIFIED, {"coop_members": (555, None)}),
    ):
        Membership.objects.create(emulation_year=last, unit=unit)
        report = Report.objects.create(emulation_year=last, unit=unit, status=status)
        for code, (value, verified) in values.items():
            ReportValue.objects.create(
                report=report, element_code=code, value=value, verified_value=verified
            )
    post(
        client, open_year.reporter_a1, url(open_year, open_year.unit_a1), form_data(new_coops="12")
    )
    page = client.get(url(open_year, open_year.unit_a1)).content.decode()
    field = page.split('id="div_id_e_coop_members"')[1].split("</div></div>")[0]
    assert "Năm trước: 90" in field and "555" not in field
    new = page.split('id="div_id_e_new_coops"')[1].split("</div></div>")[0]
    assert 'value="12"' in new and "Năm trước: 7" in new
    # A draft of last year is not a figure of last year.
    Report.objects.filter(emulation_year=last, unit=open_year.unit_a1).update(
        status=Report.Status.DRAFT
    )
    page = client.get(url(open_year, open_year.unit_a1)).content.decode()
    assert "Năm trước" not in page.split('id="report-form"')[1].split("</form>")[0]
    assert (
        Decimal(12)
        == ReportValue.objects.get(
            report__emulation_year=open_year.year, element_code="new_coops"
        ).value
    )
