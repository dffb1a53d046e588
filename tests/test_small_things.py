"""Small but visible: one date widget (dd/mm/yyyy, whatever the browser's locale), checkboxes
for deputies, a favicon, no broker warning from the embedded default."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.urls import reverse

from clusters.models import Unit
from scoring.conference.forms import ElectionForm, FlagForm
from scoring.setup.forms import SignatureForm, YearOpenForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (lambda: YearOpenForm(units=Unit.objects.none()), "reporting_deadline"),
        (lambda: SignatureForm(units=Unit.objects.none()), "signed_on"),
        (lambda: ElectionForm(members=[]), "elected_on"),
        (lambda: FlagForm(units=[]), "handed_on"),
    ],
)
def test_every_date_is_typed_as_dd_mm_yyyy_in_a_text_input(form, name):
    field = form()[name]
    html = str(field)
    assert 'type="text"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert field.field.clean("15/12/2025") == dt.date(2025, 12, 15)
    assert field.field.clean("2025-12-15") == dt.date(2025, 12, 15)
    assert field.field.widget.format_value(dt.date(2025, 12, 15)) == "15/12/2025"


def test_deputies_are_checkboxes():
    form = YearOpenForm(units=Unit.objects.none())
    assert form.fields["deputies"].widget.input_type == "checkbox"


def test_the_favicon_is_served_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()


def test_the_embedded_default_dials_no_broker(caplog):
    from kombu import Connection

    from emulation.celery import app

    with caplog.at_level(logging.WARNING):
        Connection(app.conf.broker_url).info()
    assert "No hostname was supplied" not in caplog.text
