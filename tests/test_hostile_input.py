"""No 500 from any input (issue #14, finding 10 and the "integer fields" part of 13): every form
the app shows, posted as a browser would with one field at a time replaced by hostile text — too
long for any column, a number too large for the database, Unicode digits, a NUL character (which
PostgreSQL refuses in any text column) — is answered with a page, never a server error.

The forms are read from the pages themselves (every URL of the permission walk, as the
secretariat and as a member's reporter), so a form added later is walked too. Run on SQLite by
default and on PostgreSQL in CI's second pass, where overlong text and NUL used to raise."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clusters.models import EmulationYear
from scoring.conference.services.conference import ballot_open
from scoring.models import ManualPoints, Objection, Pledge, Report, ReportComment
from scoring.ranking.services.recompute import year_recompute
from tests.dossiers.factories import walk_objects
from tests.scoring.factories import install_scheme, put_figures
from tests.test_permissions_walk import urls

pytestmark = pytest.mark.django_db

HOSTILE = {
    "long": "x" * 5000,
    "huge": "99999999999999999999",
    "unicode-digits": "１２",
    "nul": "a\x00b",
}
# Fields the browser never lets a person type into (the CSRF token) are sent as they are.
UNTOUCHED = {"csrfmiddlewaretoken"}


class Forms(HTMLParser):
    """The POST forms of a page: action, the fields as the browser would send them unchanged,
    and the names of the fields a person (or a forged request) may change, with each submit
    button's (name, value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._by_id: dict[str, dict] = {}  # fields outside a form name it (form="…")
        self._select: str | None = None
        self._select_form: dict = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = {
                    "action": a.get("action") or "",
                    "data": {},
                    "names": [],
                    "buttons": [],
                }
                self.forms.append(self._form)
                if a.get("id"):
                    self._by_id[a["id"]] = self._form
            return
        if tag == "option" and self._select:
            values = self._select_form["data"].setdefault(self._select, [])
            if "selected" in a or not values:
                values[:] = [a.get("value") or ""]
            return
        form = self._by_id.get(a.get("form") or "", self._form)
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                form["buttons"].append((name, a.get("value") or ""))
                return
            if name not in form["names"]:
                form["names"].append(name)
            if kind == "file":
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["data"].setdefault(name, []).append(a.get("value") or "on")
                return
            form["data"].setdefault(name, []).append(a.get("value") or "")
        elif tag == "button" and name and (a.get("type") or "submit").lower() == "submit":
            form["buttons"].append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_form = name, form
            if name not in form["names"]:
                form["names"].append(name)
        elif tag == "textarea" and name:
            self._textarea = name
            if name not in form["names"]:
                form["names"].append(name)
            form["data"][name] = [""]

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["data"][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@pytest.fixture
def busy_year(world):
    """A year with a scheme, figures, a run, an open ballot and one of every row a form names."""
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    ballot_open(emulation_year=world.year, purpose="head")
    ManualPoints.objects.create(
        emulation_year=world.year, unit=world.unit_a2, criterion_code="1.1", points=1, reason="r"
    )
    Objection.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", text="Mẫu số sai."
    )
    report = Report.objects.get(emulation_year=world.year, unit=world.unit_a1)
    ReportComment.objects.create(report=report, text="Kiểm tra lại")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    Pledge.objects.create(
        emulation_year=world.year, title="Giao ước 2025", published_at=timezone.now()
    )
    # In reporting: the member's report form and the secretariat's review forms are shown.
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    walk_objects(world)  # an award dossier, its document, the body's council and its result
    return world


def forms_of(client, address: str) -> list[dict]:
    response = client.get(address)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    parser = Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        form["action"] = form["action"] or address
    return parser.forms


@pytest.mark.parametrize("persona", ["secretariat", "reporter_a1"])
def test_no_form_field_gives_a_server_error_whatever_is_typed(client, busy_year, persona):
    world = busy_year
    client.force_login(getattr(world, persona))
    client.raise_request_exception = False
    pages = dict(urls(world))
    pages["report-detail-a2"] = reverse("report-detail", args=[world.year.pk, world.unit_a2.pk])
    found, posted, fields = {}, 0, set()
    for page, address in pages.items():
        for form in forms_of(client, address):
            buttons = form["buttons"] or [None]
            for button in buttons:
                for name in form["names"]:
                    if name in UNTOUCHED:
                        continue
                    fields.add((page, name))
                    for label, value in HOSTILE.items():
                        data = {k: list(v) for k, v in form["data"].items()}
                        data[name] = [value]
                        if button is not None:
                            data[button[0]] = [button[1]]
                        # Each post on the same rows: whatever it wrote is rolled back.
                        with transaction.atomic():
                            response = client.post(form["action"], data)
                            transaction.set_rollback(True)
                        posted += 1
                        if response.status_code >= 500:
                            found[(page, form["action"], button, name, label)] = (
                                response.status_code
                            )
    # The walk was not vacuous: the forms of the year's main pages were there.
    assert posted > 200 and len(fields) > 20, (posted, len(fields))
    assert found == {}


# --- NUL: PostgreSQL refuses it in any text column ---------------------------------------------


def test_a_nul_in_a_field_read_straight_from_the_request_is_a_400_and_nothing_is_written(
    client, busy_year
):
    """Values the views read from request.POST without a form (an objection's text and its
    answer, a reason to delete manual points, a user name to unlock) reached the database: on
    PostgreSQL a 500 ("A string literal cannot contain NUL"). Now a 400 page on every database."""
    from clusters.models import AuditEntry

    world = busy_year
    objection = Objection.objects.get()
    row = ManualPoints.objects.get()
    audit = AuditEntry.objects.count()
    posts = [
        (world.reporter_a1, "year-objections", {"action": "file", "criterion": "1.1"}, "text"),
        (
            world.secretariat,
            "year-objections",
            {"action": "answer", "objection": objection.pk, "decision": "reject"},
            "answer",
        ),
        (world.secretariat, "year-manual", {"action": "delete", "row": row.pk}, "reason"),
    ]
    for user, name, data, field in posts:
        client.force_login(user)
        response = client.post(reverse(name, args=[world.year.pk]), data | {field: "a\x00b"})
        assert response.status_code == 400, (name, field)
        assert "Yêu cầu không hợp lệ." in response.content.decode()
    client.force_login(world.secretariat)
    unlock = reverse("cluster-login-locks", args=[world.cluster.pk])
    assert client.post(unlock, {"username": "reporter_a1\x00"}).status_code == 400
    assert client.get(reverse("year-detail", args=[world.year.pk]) + "?x=%00").status_code == 400
    assert Objection.objects.get().answer == "" and Objection.objects.count() == 1
    assert ManualPoints.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.count() == audit


def test_a_nul_in_a_login_is_a_400_and_in_a_file_name_it_is_dropped(client, busy_year):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.models import EvidenceFile

    assert client.post(reverse("login"), {"username": "a\x00", "password": "x"}).status_code == 400
    world = busy_year
    client.force_login(world.reporter_a1)
    report = Report.objects.get(emulation_year=world.year, unit=world.unit_a1)
    response = client.post(
        reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]),
        {
            "action": "evidence",
            "version": report.version,
            "evidence": SimpleUploadedFile("bien-ban\x00.pdf", b"%PDF-1.7\nhello"),
        },
    )
    # Django's upload parser keeps printable characters only: the file is taken, named cleanly.
    assert response.status_code == 302
    assert EvidenceFile.objects.get().original_name == "bien-ban.pdf"


# --- Integer fields: ASCII digits only (finding 13) --------------------------------------------

NOT_ASCII = ["２０２６", "٢٠٢٦", "2_026", "२०२६"]


@pytest.mark.parametrize("typed", NOT_ASCII)
def test_the_year_to_open_is_refused_in_other_digits_not_read_silently(client, world, typed):
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        {"year": typed, "members": [world.unit_a1.pk], "head": world.unit_a1.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["Nhập một số nguyên bằng các chữ số 0–9."]
    assert not EmulationYear.objects.filter(year=2026).exists()
    ok = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        {"year": "2026", "members": [world.unit_a1.pk], "head": world.unit_a1.pk},
    )
    assert ok.status_code == 302 and EmulationYear.objects.filter(year=2026).exists()


def _declared_number_fields():
    """Every number field declared on a form class of the app (fields built in __init__ are the
    figures' LocalIntegerField / LocalDecimalField: tests/scoring/test_numbers_typed.py)."""
    import importlib
    import pkgutil

    from django import forms

    import clusters
    import scoring

    found = {}
    for package in (clusters, scoring):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if "forms" not in module.name.rsplit(".", 1)[-1]:
                continue
            loaded = importlib.import_module(module.name)
            for value in vars(loaded).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == loaded.__name__
                ):
                    for name, field in value.base_fields.items():
                        if isinstance(field, forms.IntegerField | forms.DecimalField):
                            found[f"{value.__name__}.{name}"] = field
    return found


def test_every_number_field_of_a_form_refuses_digits_other_than_ascii():
    from django.core.exceptions import ValidationError

    fields = _declared_number_fields()
    assert {"YearOpenForm.year", "ReportForm.version", "CriterionForm.scheme"} <= set(fields)
    accepted = {}
    for name, field in fields.items():
        for typed in ["１２", "٣", "1_000"]:
            try:
                accepted[(name, typed)] = field.clean(typed)
            except ValidationError:
                continue
    assert accepted == {}
