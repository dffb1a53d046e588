"""Numbers typed the Vietnamese way in every form: one parser with a documented rule, text inputs
(browsers' number inputs rewrite "3155,5" before the server sees it), the value shown back as it
was understood, and errors that name the field and give an example."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clusters.models import EmulationYear
from scoring.engine.numbers import NumberFormatError, format_decimal, parse_decimal
from scoring.models import ManualPoints, MemberTarget, Report
from scoring.reporting.forms import ManualPointsForm, ReportForm
from scoring.schemes.selectors import scheme_data_elements
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0,5", "0.5"),
        ("1.234,5", "1234.5"),
        ("3155,5", "3155.5"),
        ("1.000.000", "1000000"),
        ("1.234", "1234"),  # the ambiguous case follows the Vietnamese rule
        ("1234.5", "1234.5"),  # a single dot not followed by three digits: a decimal point
        ("0.500", "0.5"),  # "0" cannot start a group of thousands
        ("12.75", "12.75"),
        ("1,234.5", "1234.5"),  # both marks: the last one is the decimal mark
        ("1,000,000", "1000000"),
        ("1 234,5", "1234.5"),
        ("\u00a01\u00a0234,5 ", "1234.5"),
        ("-0,5", "-0.5"),
        ("\u22122", "-2"),
        (",5", "0.5"),
    ],
)
def test_the_vietnamese_rule_reads_what_people_type(typed, number):
    assert parse_decimal(typed, "vi") == Decimal(number)


@pytest.mark.parametrize(
    ("typed", "number"),
    [("1,234", "1234"), ("1.234", "1.234"), ("1,234.5", "1234.5"), ("1.234,5", "1234.5")],
)
def test_english_mirrors_the_rule_only_in_the_ambiguous_cases(typed, number):
    assert parse_decimal(typed, "en") == Decimal(number)


@pytest.mark.parametrize(
    "typed",
    ["", ",", "1.2.3", "12,34.5", "1.234,", "１２", "٣", "1_000", "1e5", "abc", "--1", "5%"],
)
def test_what_is_not_a_number_is_refused_not_guessed(typed):
    with pytest.raises(NumberFormatError):
        parse_decimal(typed, "vi")


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (Decimal("127529.0000"), "127.529", "127,529"),
        (Decimal("62.50"), "62,5", "62.5"),
        (Decimal("1234.5"), "1.234,5", "1,234.5"),
        (Decimal("0.5"), "0,5", "0.5"),
        (Decimal("-1000000"), "-1.000.000", "-1,000,000"),
    ],
)
def test_stored_numbers_are_written_as_people_write_them(value, vi, en):
    assert format_decimal(value, "vi") == vi
    assert format_decimal(value, "en") == en
    assert parse_decimal(vi, "vi") == value
    assert parse_decimal(en, "en") == value


@pytest.fixture
def open_year(world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


def report_form(year, data):
    return ReportForm(data, elements=scheme_data_elements(scheme_of(year)))


def test_the_report_form_uses_text_inputs_and_names_the_rule_in_its_errors(open_year):
    form = report_form(
        open_year.year, {"version": 1, "e_new_coops": "1,5", "e_coop_members": "1.000.000"}
    )
    assert not form.is_valid()
    assert form.errors["e_new_coops"] == ["Nhập một số nguyên, ví dụ 1.250."]
    assert form.cleaned_data["e_coop_members"] == 1000000
    html = str(form["e_new_coops"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert "1,5" in html  # what was typed is kept


def test_a_limit_is_written_the_vietnamese_way_in_its_error(open_year):
    form = report_form(open_year.year, {"version": 1, "e_new_coops": "-3"})
    assert not form.is_valid()
    assert form.errors["e_new_coops"] == ["Nhập một số không nhỏ hơn 0."]


def test_english_errors_are_english(open_year):
    with translation.override("en"):
        form = report_form(open_year.year, {"version": 1, "e_new_coops": "abc"})
        assert not form.is_valid()
        assert form.errors["e_new_coops"] == ["Enter a whole number, e.g. 1,250."]


def url(world):
    return reverse("report-detail", args=[world.year.pk, world.unit_a1.pk])


def test_the_preview_shows_each_figure_as_it_was_understood(client, open_year):
    client.force_login(open_year.reporter_a1)
    response = client.post(
        url(open_year),
        {
            "version": 1,
            "note": "",
            "action": "preview",
            "e_new_coops": "25",
            "e_coop_members": "3155",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="3.155"' in page  # the field shows what the server read
    assert "Số liệu như máy đã hiểu" in page and ">3.155<" in page
    assert not Report.objects.exists()  # a preview saves nothing


def test_a_failed_save_lists_each_field_in_error_and_keeps_every_typed_value(client, open_year):
    client.force_login(open_year.reporter_a1)
    response = client.post(
        url(open_year),
        {
            "version": 1,
            "note": "ghi chú",
            "action": "save",
            "e_new_coops": "2,5",
            "e_coop_members": "1.200",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    assert 'href="#id_e_new_coops"' in page and "HTX thành lập mới" in page
    assert 'value="2,5"' in page and 'value="1.200"' in page and "ghi chú" in page
    assert not Report.objects.exists()


def test_manual_points_read_a_decimal_comma(client, open_year):
    client.force_login(open_year.secretariat)
    response = client.post(
        reverse("year-manual", args=[open_year.year.pk]),
        {
            "unit": open_year.unit_a1.pk,
            "criterion": "1.1",
            "points": "0,5",
            "reason": "Thiếu hồ sơ",
        },
    )
    assert response.status_code == 302
    assert ManualPoints.objects.get().points == Decimal("0.5")


def test_manual_points_form_uses_a_decimal_text_input():
    from clusters.models import Unit

    form = ManualPointsForm(units=Unit.objects.none(), criteria=[])
    html = str(form["points"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html


def test_the_targets_grid_reads_vietnamese_numbers_and_shows_them_back(client, open_year):
    w = open_year
    client.force_login(w.secretariat)
    cell = f"t_{w.unit_a1.pk}_1.1"
    response = client.post(
        reverse("year-targets", args=[w.year.pk]),
        {cell: "1.234,5", f"initial-{cell}": "", "reason": ""},
    )
    assert response.status_code == 302
    assert MemberTarget.objects.get(unit=w.unit_a1).target == Decimal("1234.5")
    page = client.get(reverse("year-targets", args=[w.year.pk])).content.decode()
    assert 'value="1.234,5"' in page


def test_a_large_targets_grid_is_accepted(client, open_year, settings):
    """30 members × 40 criteria post 2,400 fields (value and shown value per cell): more than
    Django's default limit of 1,000 fields, which would answer 400 and save nothing."""
    w = open_year
    client.force_login(w.secretariat)
    data = {"reason": "", f"t_{w.unit_a1.pk}_1.1": "30", f"initial-t_{w.unit_a1.pk}_1.1": ""}
    data.update({f"padding_{i}": "" for i in range(2400)})
    response = client.post(reverse("year-targets", args=[w.year.pk]), data)
    assert response.status_code == 302
    assert MemberTarget.objects.get(unit=w.unit_a1).target == 30
