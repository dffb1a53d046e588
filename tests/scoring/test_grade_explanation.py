"""Every grade explained on the pages and in the exports: why a member has its band."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from clusters.models import EmulationYear
from scoring import engine
from scoring.models import Standing
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db

FLOOR_SCHEME = engine.Scheme(
    name="Thang điểm có mức sàn",
    scale=100,
    data_elements=(
        engine.DataElement(code="new_coops", name="HTX mới", definition="", type="integer"),
        engine.DataElement(code="coop_members", name="Thành viên", definition="", type="integer"),
    ),
    criteria=(
        engine.Criterion(
            code="1.1",
            group="Nội dung 1",
            name="Thành lập mới HTX",
            definition="",
            measure="new_coops",
            target=20,
            points=60,
        ),
        engine.Criterion(
            code="2.1",
            group="Nội dung 2",
            name="Tăng thành viên",
            definition="",
            measure="coop_members",
            target=100,
            points=40,
        ),
    ),
    classification=(
        engine.Band("Xuất sắc", min_total=60, min_each=0.5),
        engine.Band("Tốt", min_total=50),
        engine.Band("Khá", min_total=0),
    ),
)

# a1: 60 + 6 = 66 points but 2.1 earned 15 % of its points → "Tốt";
# a2: 39 + 24 = 63 points, every criterion at least 60 % → "Xuất sắc".
A1_WHY_VI = [
    "Xuất sắc cần tổng ≥ 60 và mỗi tiêu chí ≥ 50 % số điểm: 2.1 (Tăng thành viên) đạt 15 %",
    "Đạt “Tốt”: tổng 66 ≥ 50",
]
A1_WHY_EN = [
    "Xuất sắc needs total ≥ 60 and each criterion ≥ 50 % of its points: "
    "2.1 (Tăng thành viên) reached 15 %",
    "Reached “Tốt”: total 66 ≥ 50",
]


@pytest.fixture
def ranked(world):
    install_scheme(world.year, FLOOR_SCHEME)
    put_figures(
        world.year,
        {
            ("a1", "new_coops"): 20,
            ("a1", "coop_members"): 15,
            ("a2", "new_coops"): 13,
            ("a2", "coop_members"): 60,
        },
    )
    year_recompute(emulation_year_id=world.year.pk)
    return world


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def page(client, name, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return plain(response.content.decode())


def plain(text: str) -> str:
    """Pages keep a number with its "%" and "≥" by a no-break space; compare with plain ones."""
    return text.replace("\u00a0", " ")


def publish(world):
    EmulationYear.objects.filter(pk=world.year.pk).update(status=EmulationYear.Status.PUBLISHED)


def test_the_stored_standing_keeps_the_explanation_as_data(ranked):
    a1, a2 = (Standing.objects.get(run__is_current=True, unit__code=code) for code in ("a1", "a2"))
    assert (a1.total, a1.band, a2.total, a2.band) == (66.0, "Tốt", 63.0, "Xuất sắc")
    failed, reached = a1.band_explanation["checks"]
    assert (failed["failed"], failed["criterion"], failed["share"]) == ("min_each", "2.1", 0.15)
    assert (reached["band"], reached["reached"]) == ("Tốt", True)
    assert a1.band_reasons() == [
        line.replace(" %", "\u00a0%").replace("≥ ", "≥\u00a0") for line in A1_WHY_VI
    ]


def test_the_score_sheet_explains_the_band_in_the_readers_language(client, ranked):
    client.force_login(ranked.secretariat)
    url = ("year-unit-sheet", ranked.year.pk, ranked.unit_a1.pk)
    html = page(client, *url)
    why = html.split('id="band-explanation"')[1].split("</section>")[0]
    assert "Giải thích xếp loại" in why
    assert [line in why for line in A1_WHY_VI] == [True, True]
    english(client)
    why = page(client, *url).split('id="band-explanation"')[1].split("</section>")[0]
    assert "Band explanation" in why
    assert [line in why for line in A1_WHY_EN] == [True, True]


def test_a_reporter_sees_the_explanation_only_once_results_are_shown(client, ranked):
    url = reverse("year-unit-sheet", args=[ranked.year.pk, ranked.unit_a1.pk])
    client.force_login(ranked.reporter_a1)
    assert 'id="band-explanation"' not in client.get(url).content.decode()
    # Before publication another unit's reporter, like an outsider, cannot open the sheet.
    client.force_login(ranked.reporter_a2)
    assert client.get(url).status_code == 404
    client.force_login(ranked.outsider)
    assert client.get(url).status_code == 404
    publish(ranked)
    for user in (ranked.reporter_a1, ranked.reporter_a2):
        client.force_login(user)
        assert A1_WHY_VI[0] in plain(client.get(url).content.decode())
    client.force_login(ranked.outsider)
    assert client.get(url).status_code == 404


def test_the_ranking_explains_each_band_in_a_details_element(client, ranked):
    client.force_login(ranked.leadership)
    html = page(client, "year-detail", ranked.year.pk)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    a1_row = next(r for r in rows if "Liên minh HTX A1" in r)
    assert "<details" in a1_row and "<summary>Vì sao?" in a1_row
    assert all(line in a1_row for line in A1_WHY_VI)
    a2_row = next(r for r in rows if "Liên minh HTX A2" in r)
    assert "Đạt “Xuất sắc”: tổng 63 ≥ 60 và mỗi tiêu chí ≥ 50 % số điểm" in a2_row
    assert "(thấp nhất: 2.1 (Tăng thành viên) đạt 60 %)" in a2_row
    english(client)
    html = page(client, "year-detail", ranked.year.pk)
    assert "<summary>Why?" in html and A1_WHY_EN[1] in html


def test_a_reporter_sees_no_explanation_on_the_ranking_before_publication(client, ranked):
    client.force_login(ranked.reporter_a1)
    html = page(client, "year-detail", ranked.year.pk)
    assert "Vì sao?" not in html and A1_WHY_VI[1] not in html


def test_the_conference_pack_explains_each_band(client, ranked):
    client.force_login(ranked.secretariat)
    html = page(client, "conference-pack", ranked.year.pk)
    ranking = html.split('id="pack-ranking"')[1].split("</table>")[0]
    assert "; ".join(A1_WHY_VI) in ranking
    client.force_login(ranked.outsider)
    assert client.get(reverse("conference-pack", args=[ranked.year.pk])).status_code == 404


def test_the_json_export_has_the_explanation_as_data_and_sentences(client, ranked):
    client.force_login(ranked.leadership)
    data = client.get(reverse("ranking-json", args=[ranked.year.pk])).json()
    a1 = next(r for r in data["ranking"] if r["unit"] == "a1")
    assert a1["band_explanation"]["band"] == "Tốt"
    assert a1["band_explanation"]["text"] == A1_WHY_VI
    assert a1["band_explanation"]["checks"][0]["criterion"] == "2.1"
    english(client)
    data = client.get(reverse("ranking-json", args=[ranked.year.pk])).json()
    a1 = next(r for r in data["ranking"] if r["unit"] == "a1")
    assert a1["band_explanation"]["text"] == A1_WHY_EN
    client.force_login(ranked.outsider)
    assert client.get(reverse("ranking-json", args=[ranked.year.pk])).status_code == 404


def test_the_csv_and_xlsx_exports_carry_the_explanation_column(client, ranked):
    client.force_login(ranked.secretariat)
    text = client.get(reverse("ranking-csv", args=[ranked.year.pk])).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    # After the criteria, as it always was; the columns added since follow it.
    column = rows[0].index("Giải thích xếp loại")
    assert column == 5 + len(FLOOR_SCHEME.criteria)
    by_unit = {r[1]: r[column] for r in rows[1:]}
    assert by_unit["a1"] == "; ".join(A1_WHY_VI)
    response = client.get(reverse("ranking-xlsx", args=[ranked.year.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[8]]
    assert header[-1] == "Giải thích xếp loại"
    cells = {row[1]: row[-1] for row in sheet.iter_rows(min_row=10, values_only=True)}
    assert cells[ranked.unit_a1.name] == "; ".join(A1_WHY_VI)
    english(client)
    text = client.get(reverse("ranking-csv", args=[ranked.year.pk])).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert {r[1]: r[column] for r in rows[1:]}["a1"] == "; ".join(A1_WHY_EN)


def test_the_migration_explains_stored_standings_from_their_numbers(ranked):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("scoring.migrations.0005_standing_band_explanation")
    written = {s.unit_id: s.band_explanation for s in Standing.objects.filter(run__is_current=True)}
    Standing.objects.update(band_explanation=None)
    migration.explain_current_bands(apps, None)
    again = {s.unit_id: s.band_explanation for s in Standing.objects.filter(run__is_current=True)}
    assert again == written
    assert again[ranked.unit_a1.pk]["checks"][0]["failed"] == "min_each"


def test_a_standing_stored_without_an_explanation_shows_none(client, ranked):
    Standing.objects.update(band_explanation=None)
    client.force_login(ranked.secretariat)
    html = page(client, "year-unit-sheet", ranked.year.pk, ranked.unit_a1.pk)
    assert 'id="band-explanation"' not in html
    data = client.get(reverse("ranking-json", args=[ranked.year.pk])).json()
    assert [r["band_explanation"] for r in data["ranking"]] == [None, None]
