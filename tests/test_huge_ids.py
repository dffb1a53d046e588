"""Finding 10 of issue #14: an id too large for the database (a 64-bit signed integer) in any URL
is a 404, never a 500 — the hand-written SQL of the permission layer raised OverflowError."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scoring.conference.services.conference import ballot_open
from scoring.ranking.services.recompute import year_recompute
from tests.dossiers.factories import walk_objects
from tests.scoring.factories import install_scheme, put_figures
from tests.test_permissions_walk import urls

pytestmark = pytest.mark.django_db

HUGE = ["99999999999999999999", "9223372036854775808", "1" + "0" * 18]
# The largest id the URLs accept (18 digits): in range for the database, so an ordinary 404.
LARGEST = "999999999999999999"


def variants(address: str, value: str) -> list[str]:
    """The address with each of its numeric path segments in turn replaced by `value`."""
    parts = address.split("/")
    found = []
    for i, part in enumerate(parts):
        if re.fullmatch(r"[0-9]+", part):
            found.append("/".join(parts[:i] + [value] + parts[i + 1 :]))
    return found


@pytest.fixture
def addresses(world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    ballot_open(emulation_year=world.year, purpose="head")
    walk_objects(world)
    found = dict(urls(world))
    found["evidence-download"] = reverse(
        "evidence-download", args=[world.year.pk, world.unit_a1.pk, 1]
    )
    return found


@pytest.mark.parametrize("persona", ["secretariat", "reporter_a1", "leadership"])
def test_every_url_with_a_huge_id_is_404_for_every_role(client, world, addresses, persona):
    client.force_login(getattr(world, persona))
    client.raise_request_exception = False
    found, tried = {}, 0
    for name, address in addresses.items():
        for value in [*HUGE, LARGEST]:
            for changed in variants(address, value):
                tried += 1
                for method in ("get", "post"):
                    code = getattr(client, method)(changed).status_code
                    # Too large: no URL matches. The largest accepted id: whatever the view
                    # answers for a missing object (404, or 405 for a method it never takes).
                    if (value in HUGE and code != 404) or code >= 500:
                        found[(name, method, changed)] = code
    assert tried > 100
    assert found == {}


def test_the_reported_addresses_are_404(client, world):
    client.force_login(world.secretariat)
    client.raise_request_exception = False
    year = world.year.pk
    for address in [
        f"/nam/{year}/bao-cao/99999999999999999999/",
        f"/nam/{year}/bao-cao/9223372036854775808/lich-su/",
        f"/nam/{year}/bao-cao/9223372036854775808/minh-chung/1/",
        f"/nam/9223372036854775808/bao-cao/{world.unit_a1.pk}/",
        f"/nam/{year}/bao-cao/{world.unit_a1.pk}/minh-chung/99999999999999999999/",
    ]:
        assert client.get(address).status_code == 404, address


def test_the_permission_layer_finds_no_member_for_an_id_out_of_range(world):
    """Held below the URLs too: the hand-written SQL never binds an id the database cannot hold."""
    from clusters.permissions import _member_of_year

    assert _member_of_year(world.year.pk, world.unit_a1.pk) is not None
    for huge in (2**63, 10**20, -(2**63) - 1):
        assert _member_of_year(world.year.pk, huge) is None
        assert _member_of_year(huge, world.unit_a1.pk) is None


def test_an_evidence_element_longer_than_its_column_is_refused_not_a_500(client, world):
    """(Already refused before issue #14 — an element must be one of the scheme's; held here.)"""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.models import EvidenceFile

    install_scheme(world.year)
    client.force_login(world.reporter_a1)
    client.raise_request_exception = False
    response = client.post(
        reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]),
        {
            "action": "evidence",
            "version": 1,
            "note": "",
            "element": "e" * 61,
            "evidence": SimpleUploadedFile("quyet-dinh.pdf", b"%PDF-1.7\nhello"),
        },
    )
    assert response.status_code == 200
    assert "không có trong thang điểm" in response.content.decode()
    assert not EvidenceFile.objects.exists()
