"""The scheme page: read by every member, a new version imported by the secretariat."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import Scheme
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

EXAMPLE = (settings.BASE_DIR / "docs" / "examples" / "scheme-2021.yaml").read_bytes()


def upload(client, world, data: bytes, name="scheme.yaml", reason=""):
    client.force_login(world.secretariat)
    return client.post(
        reverse("year-scheme", args=[world.year.pk]),
        {
            "file": SimpleUploadedFile(name, data, content_type="application/x-yaml"),
            "reason": reason,
        },
    )


def test_the_secretariat_imports_the_first_version_then_an_amendment_with_a_reason(client, world):
    assert upload(client, world, EXAMPLE).status_code == 302
    assert scheme_of(world.year).criteria.count() == 11
    response = upload(client, world, EXAMPLE)
    assert response.status_code == 200 and "lý do" in response.content.decode()
    assert upload(client, world, EXAMPLE, reason="Sửa mẫu số tiêu chí 2.1").status_code == 302
    assert Scheme.objects.filter(emulation_year=world.year).count() == 2
    page = client.get(reverse("year-scheme", args=[world.year.pk])).content.decode()
    assert "Sửa mẫu số tiêu chí 2.1" in page and "Nội dung 1: Phát triển HTX" in page


def test_a_broken_scheme_file_is_refused_with_the_place_named(client, world):
    broken = EXAMPLE.replace(
        b"coops_effective / coops_operating", b"coops_effective / coops_operatin", 1
    )
    response = upload(client, world, broken, name="sai.yaml")
    body = response.content.decode()
    assert response.status_code == 200 and "sai.yaml" in body and "coops_operatin" in body
    assert not Scheme.objects.exists()


def test_members_read_the_scheme_and_download_it_but_cannot_import(client, world):
    install_scheme(world.year)
    client.force_login(world.reporter_a1)
    page = client.get(reverse("year-scheme", args=[world.year.pk]))
    assert page.status_code == 200 and "Thành lập mới HTX" in page.content.decode()
    exported = client.get(reverse("year-scheme", args=[world.year.pk]) + "?export=1")
    assert yaml.safe_load(exported.content)["criteria"][0]["code"] == "1.1"
    assert upload(client, world, EXAMPLE, reason="Áp dụng thang điểm 2021").status_code == 302
    client.force_login(world.reporter_a1)
    response = client.post(reverse("year-scheme", args=[world.year.pk]), {"reason": "x"})
    assert response.status_code == 403


def criterion_post(client, world, **changes):
    data = {
        "name": "Thành lập mới HTX",
        "definition": "Số HTX thành lập mới",
        "measure": "new_coops",
        "target": "20",
        "unit": "",
        "direction": "higher",
        "points": "60",
        "kind": "regular",
        "rule": "proportional",
        "reason": "",
    }
    data["scheme"] = scheme_of(world.year).pk  # the version the form showed
    data.update(changes)
    client.force_login(world.secretariat)
    return client.post(reverse("criterion-edit", args=[world.year.pk, "1.1"]), data)


def test_editing_a_criterion_makes_a_new_version_with_its_reason(client, world):
    install_scheme(world.year)
    response = criterion_post(
        client,
        world,
        target="25",
        definition="Chỉ tính HTX thành lập theo Luật 2012",
        reason="Sửa theo kiến nghị",
    )
    assert response.status_code == 302
    scheme = scheme_of(world.year)
    assert scheme.version == 2 and scheme.reason == "Sửa theo kiến nghị"
    criterion = scheme.criteria.get(code="1.1")
    assert criterion.target == 25 and criterion.definition.startswith("Chỉ tính HTX")
    assert scheme.criteria.get(code="2.1").measure.startswith("(coop_members")


def test_a_criterion_edit_with_an_unknown_name_in_its_formula_is_refused_and_kept(client, world):
    install_scheme(world.year)
    response = criterion_post(client, world, measure="new_coops / workers * 100", reason="x")
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "workers" in body
        and 'value="new_coops / workers * 100"' in body
    )
    assert Scheme.objects.filter(emulation_year=world.year).count() == 1


def test_a_criterion_edit_needs_a_reason(client, world):
    install_scheme(world.year)
    response = criterion_post(client, world, target="25")
    assert "reason" in response.context["form"].errors
