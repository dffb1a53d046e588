"""Ranking exports from the browser: JSON like export_ranking, XLSX and CSV that equal it."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from clusters.models import EmulationYear, Unit
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 13})
    year_recompute(emulation_year_id=world.year.pk)
    return world


def test_the_json_endpoint_has_the_shape_of_export_ranking(client, ranked, tmp_path):
    client.force_login(ranked.leadership)
    served = client.get(reverse("ranking-json", args=[ranked.year.pk])).json()
    out = tmp_path / "r.json"
    call_command(
        "export_ranking",
        "--cluster",
        "cum-a",
        "--year",
        "2025",
        "--format",
        "json",
        "--out",
        str(out),
    )
    assert served == json.loads(out.read_text(encoding="utf-8"))
    assert [r["unit"] for r in served["ranking"]] == ["a1", "a2"]
    assert served["ranking"][1]["criteria"]["1.1"]["points"] == 39.0


def test_the_xlsx_export_opens_and_its_cells_equal_the_json(client, ranked):
    client.force_login(ranked.secretariat)
    data = client.get(reverse("ranking-json", args=[ranked.year.pk])).json()
    response = client.get(reverse("ranking-xlsx", args=[ranked.year.pk]))
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = dict(Unit.objects.values_list("code", "name"))
    # The layout (title block, two heading rows) is tests/scoring/test_exports_documents.py's.
    ranking, matrix = book["Xếp hạng"], book["Ma trận điểm"]
    assert ranking.freeze_panes == "C10" and [c.value for c in ranking[8]][:3] == [
        "Hạng",
        "Đơn vị",
        "Điểm",
    ]
    codes = [c.value for c in matrix[9]][2:-1]
    for row, points, expected in zip(
        ranking.iter_rows(min_row=10, values_only=True),
        matrix.iter_rows(min_row=10, values_only=True),
        data["ranking"],
        strict=True,
    ):
        assert row[:3] == (expected["rank"], names[expected["unit"]], expected["total"])
        assert points[1] == names[expected["unit"]]
        assert dict(zip(codes, points[2:-1], strict=True)) == {
            code: line["points"] for code, line in expected["criteria"].items()
        }


def test_the_csv_export_equals_the_json_and_opens_in_excel_as_utf8(client, ranked):
    client.force_login(ranked.secretariat)
    data = client.get(reverse("ranking-json", args=[ranked.year.pk])).json()
    # The default dialect is RFC 4180, for programs: no BOM, the unit's code in column 2.
    text = client.get(reverse("ranking-csv", args=[ranked.year.pk])).content.decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:3] == ["Hạng", "Đơn vị", "Tổng điểm"]
    assert [r[1] for r in rows[1:]] == [r["unit"] for r in data["ranking"]]
    assert [float(r[2]) for r in rows[1:]] == [r["total"] for r in data["ranking"]]
    # The one a Vietnamese Excel opens: a BOM so that it reads UTF-8.
    url = reverse("ranking-csv", args=[ranked.year.pk]) + "?dialect=excel-vn"
    assert client.get(url).content.decode("utf-8").startswith("\ufeff")


def test_reporters_get_the_ranking_data_only_once_published(client, ranked):
    client.force_login(ranked.reporter_a1)
    assert client.get(reverse("ranking-json", args=[ranked.year.pk])).status_code == 404
    EmulationYear.objects.filter(pk=ranked.year.pk).update(status="published")
    assert client.get(reverse("ranking-json", args=[ranked.year.pk])).status_code == 200
