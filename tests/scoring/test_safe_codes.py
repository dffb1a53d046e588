"""Finding 9 of issue #14: a criterion code with "/" (or a spreadsheet formula) was accepted on
import and the scheme page then failed with a 500 for everyone. Codes follow a documented pattern
(docs/scheme-format.md), a file breaking it is refused naming the code, and pages render even
with such a code already stored."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring import engine
from scoring.models import Scheme
from tests.scoring.factories import SMALL_SCHEME, install_scheme

pytestmark = pytest.mark.django_db

EXAMPLE = (settings.BASE_DIR / "docs" / "examples" / "scheme-2021.yaml").read_bytes()
BAD_CODES = ["1/1", "=cmd|'/C calc'!A0", "1 1", "..", "tiêu.chí", "a" * 41]


def with_first_criterion_code(code: str) -> bytes:
    document = yaml.safe_load(EXAMPLE)
    document["criteria"][0]["code"] = code
    return yaml.safe_dump(document, allow_unicode=True).encode()


def upload(client, world, data: bytes):
    client.force_login(world.secretariat)
    return client.post(
        reverse("year-scheme", args=[world.year.pk]),
        {"file": SimpleUploadedFile("thang-diem.yaml", data), "reason": ""},
    )


@pytest.mark.parametrize("code", BAD_CODES)
def test_the_reader_refuses_a_criterion_code_outside_the_pattern_naming_it(code):
    with pytest.raises(engine.SchemeError) as refused:
        engine.parse_scheme(with_first_criterion_code(code).decode())
    message = str(refused.value)
    assert code in message
    assert "letters, digits, '.', '_' and '-'" in message and "40" in message


def test_the_reader_refuses_an_element_code_longer_than_the_database_holds():
    document = yaml.safe_load(EXAMPLE)
    long_code = "e" * 61
    old = document["data_elements"][0]["code"]
    document["data_elements"][0]["code"] = long_code
    for criterion in document["criteria"]:
        criterion["measure"] = criterion.get("measure", "").replace(old, long_code)
    with pytest.raises(engine.SchemeError) as refused:
        engine.parse_scheme(yaml.safe_dump(document, allow_unicode=True))
    assert long_code in str(refused.value) and "60" in str(refused.value)


def test_the_longest_codes_and_every_allowed_character_are_accepted():
    scheme, _warnings = engine.parse_scheme(with_first_criterion_code("A-z_0." + "9" * 34).decode())
    assert scheme.criteria[0].code == "A-z_0." + "9" * 34


@pytest.mark.parametrize("code", ["1/1", "=cmd|'/C calc'!A0"])
def test_an_import_with_a_bad_code_is_refused_on_the_page_naming_the_code(client, world, code):
    response = upload(client, world, with_first_criterion_code(code))
    body = response.content.decode()
    assert response.status_code == 200
    assert "thang-diem.yaml" in body and code.replace("'", "&#x27;") in body
    assert not Scheme.objects.exists()


def test_pages_render_with_bad_codes_already_stored(client, world):
    criteria = list(SMALL_SCHEME.criteria)
    criteria[0] = dataclasses.replace(criteria[0], code="1/1")
    criteria[1] = dataclasses.replace(criteria[1], code="=cmd|'/C calc'!A0")
    install_scheme(world.year, dataclasses.replace(SMALL_SCHEME, criteria=tuple(criteria)))
    client.raise_request_exception = False
    for user in (world.secretariat, world.reporter_a1, world.leadership):
        client.force_login(user)
        response = client.get(reverse("year-scheme", args=[world.year.pk]))
        assert response.status_code == 200, user
    # The failed import re-renders the page: the secretariat is not locked out of it.
    response = upload(client, world, with_first_criterion_code("2/2"))
    assert response.status_code == 200 and "2/2" in response.content.decode()
    # Each criterion can still be opened for editing.
    client.force_login(world.secretariat)
    for code in ("1/1", "=cmd|'/C calc'!A0"):
        address = reverse("criterion-edit", args=[world.year.pk, code])
        response = client.get(address)
        assert response.status_code == 200, address
        assert response.context["criterion"].code == code
