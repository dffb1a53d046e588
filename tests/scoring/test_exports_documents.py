"""Exports that read as documents, through the browser and the command (issue 16, item 4): the
workbook of the demo year against the stored results, both CSV dialects, English, scope."""

from __future__ import annotations

import csv
import dataclasses
import io

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from clusters.models import EmulationYear, Unit
from scoring import engine
from scoring.dev.demo import CLUSTER_CODE
from scoring.engine.numbers import round2
from scoring.models import Criterion, Score, Standing
from scoring.ranking.services.recompute import year_recompute
from tests.engine.test_output_documents import READING_HEADINGS, excel_vn_rows
from tests.helpers import scheme_of
from tests.scoring.factories import SMALL_SCHEME, install_scheme, put_figures
from tests.test_english_pages import user_data, vietnamese_left

pytestmark = pytest.mark.django_db

# 1.1 out of 10 points for 3 new cooperatives: 2 give 6.67 — a number with decimals.
SCHEME = dataclasses.replace(
    SMALL_SCHEME,
    criteria=(
        dataclasses.replace(SMALL_SCHEME.criteria[0], target=3, points=10),
        SMALL_SCHEME.criteria[1],
    ),
    classification=(engine.Band("Khá", 8), engine.Band("Trung bình", 0)),
)


@pytest.fixture
def ranked(world):
    install_scheme(world.year, SCHEME)
    put_figures(world.year, {("a1", "new_coops"): 2, ("a2", "new_coops"): 3})
    year_recompute(emulation_year_id=world.year.pk)
    return world


def csv_url(world, dialect: str | None = None) -> str:
    url = reverse("ranking-csv", args=[world.year.pk])
    return f"{url}?dialect={dialect}" if dialect else url


def stored(world) -> dict[str, Standing]:
    return {
        s.unit.code: s
        for s in Standing.objects.filter(
            run__emulation_year=world.year, run__is_current=True
        ).select_related("unit")
    }


def test_both_csv_dialects_carry_the_stored_numbers(client, ranked):
    client.force_login(ranked.secretariat)
    standings = stored(ranked)
    assert round(standings["a1"].total, 2) == 6.67  # the case the decimal marks are about

    response = client.get(csv_url(ranked, "rfc4180"))
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="xep-hang-cum-a-2025.csv"'
    body = response.content
    assert not body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\r\n") == 3 and b"\n" not in body.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    machine = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    a1 = machine["a1"]
    assert (a1["Tổng điểm"], a1["1.1"], a1["Xếp loại"]) == ("6.67", "6.67", "Trung bình")
    assert a1["Tên đơn vị"] == "Liên minh HTX A1"
    assert (a1["Điểm tiêu chí"], a1["Điểm thưởng"], a1["Điểm trừ"]) == ("6.67", "0", "0")
    assert a1["Số chỉ tiêu đạt"] == str(standings["a1"].met_count)
    assert machine["a2"]["Tổng điểm"] == "10" and machine["a2"]["Hạng"] == "1"
    # No parameter: the machine dialect, byte for byte.
    assert client.get(csv_url(ranked)).content == body

    response = client.get(csv_url(ranked, "excel-vn"))
    assert response["Content-Disposition"].endswith('xep-hang-cum-a-2025-excel-vn.csv"')
    rows = excel_vn_rows(response.content.decode("utf-8"))
    assert rows[0] == [
        *READING_HEADINGS,
        "1.1 Thành lập mới HTX",
        "2.1 Tăng thành viên",
        "Giải thích xếp loại",
    ]
    reading = {r[1]: r for r in rows[1:]}
    assert set(reading) == {"Liên minh HTX A1", "Liên minh HTX A2"}  # names, not codes
    a1 = reading["Liên minh HTX A1"]
    assert a1[:4] == [str(standings["a1"].rank), "Liên minh HTX A1", "6,67", "6,67"]
    assert a1[7:10] == ["Trung bình", "Có", "6,67"]
    assert a1[11] == "Khá cần tổng ≥ 8: tổng 6,67; Đạt “Trung bình”: tổng 6,67 ≥ 0"


def test_a_csv_dialect_the_app_does_not_know_is_a_bad_request(client, ranked):
    client.force_login(ranked.secretariat)
    response = client.get(csv_url(ranked, "excel"))
    assert response.status_code == 400
    assert "rfc4180" in response.content.decode() and "excel-vn" in response.content.decode()
    # Outside one's scope the parameter changes nothing: still a 404.
    client.force_login(ranked.outsider)
    assert client.get(csv_url(ranked, "excel")).status_code == 404


@pytest.mark.parametrize("dialect", [None, "rfc4180", "excel-vn"])
def test_a_reporter_gets_no_export_before_publication_and_outsiders_never(client, ranked, dialect):
    urls = [
        csv_url(ranked, dialect),
        reverse("ranking-xlsx", args=[ranked.year.pk]),
        reverse("ranking-json", args=[ranked.year.pk]),
    ]
    for persona in ("reporter_a1", "reporter_a2", "outsider", "other_secretariat"):
        client.force_login(getattr(ranked, persona))
        assert [client.get(u).status_code for u in urls] == [404, 404, 404], persona
    for persona in ("secretariat", "leadership"):
        client.force_login(getattr(ranked, persona))
        assert [client.get(u).status_code for u in urls] == [200, 200, 200], persona
    EmulationYear.objects.filter(pk=ranked.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    for persona, expected in (("reporter_a1", 200), ("reporter_a2", 200), ("outsider", 404)):
        client.force_login(getattr(ranked, persona))
        assert [client.get(u).status_code for u in urls] == [expected] * 3, persona


def test_the_year_page_offers_both_dialects_the_vietnamese_excel_one_first(client, ranked):
    client.force_login(ranked.secretariat)
    html = client.get(reverse("year-detail", args=[ranked.year.pk])).content.decode()
    vn, machine = html.index('id="download-csv-excel-vn"'), html.index('id="download-csv-rfc4180"')
    assert html.index('id="download-xlsx"') < vn < machine
    assert csv_url(ranked, "excel-vn") in html and csv_url(ranked, "rfc4180") in html


def test_the_exports_in_english_have_english_headings_and_no_vietnamese_of_ours(client, ranked):
    client.force_login(ranked.secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    allowed = user_data()
    response = client.get(reverse("ranking-xlsx", args=[ranked.year.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Ranking", "Score matrix", "Details", "Warnings", "Notes"]
    ranking = book["Ranking"]
    assert ranking["A1"].value == "EMULATION SCORES AND RANKING"
    assert ranking["A2"].value == "Cluster: Cụm A"
    assert ranking["A5"].value == "Status: Setting targets"
    assert [c.value for c in ranking[9]][2:6] == [
        "Total points",
        "Criterion points",
        "Bonus points",
        "Deduction points",
    ]
    cells = " | ".join(
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
    )
    assert vietnamese_left(cells, allowed) == []
    text = client.get(csv_url(ranked, "excel-vn")).content.decode("utf-8")
    rows = excel_vn_rows(text)
    assert rows[0][:3] == ["Rank", "Unit", "Total points"] and rows[0][-1] == "Band explanation"
    assert rows[2][1:3] == ["Liên minh HTX A1", "6,67"]  # Excel Việt Nam keeps its decimal comma
    assert rows[2][-1] == "Khá needs total ≥ 8: total 6.67; Reached “Trung bình”: total 6.67 ≥ 0"
    assert vietnamese_left(text, allowed) == []
    # The machine's headings are a contract: the same words in English.
    text = client.get(csv_url(ranked, "rfc4180")).content.decode("utf-8")
    assert text.startswith("Hạng,Đơn vị,Tổng điểm,")


def test_export_ranking_writes_either_dialect_and_an_english_workbook(client, ranked, tmp_path):
    year = ["--cluster", "cum-a", "--year", "2025"]
    machine, vn, book = tmp_path / "m.csv", tmp_path / "vn.csv", tmp_path / "en.xlsx"
    call_command("export_ranking", *year, "--format", "csv", "--out", str(machine))
    call_command(
        "export_ranking", *year, "--format", "csv", "--dialect", "excel-vn", "--out", str(vn)
    )
    # One writer: the command's files are the browser's downloads.
    client.force_login(ranked.secretariat)
    assert machine.read_bytes() == client.get(csv_url(ranked)).content
    assert vn.read_bytes() == client.get(csv_url(ranked, "excel-vn")).content
    assert vn.read_bytes().startswith(b"\xef\xbb\xbf") and b";6,67;" in vn.read_bytes()
    call_command(
        "export_ranking", *year, "--format", "xlsx", "--language", "en", "--out", str(book)
    )
    sheet = openpyxl.load_workbook(book)["Ranking"]
    assert sheet["A3"].value == "Year: 2025" and sheet["B10"].value == "Liên minh HTX A2"
    with pytest.raises(CommandError) as error:
        call_command("export_ranking", *year, "--format", "json", "--dialect", "excel-vn")
    assert error.value.returncode == 2 and "--dialect" in str(error.value)


# --- the demo year ----------------------------------------------------------------------------


@pytest.fixture
def demo(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--force", "--logins-file", str(tmp_path / "logins.txt"))
    return EmulationYear.objects.select_related("cluster").get(
        cluster__code=CLUSTER_CODE, year=2021
    )


def test_the_demo_workbook_reads_as_a_document_and_holds_the_stored_results(client, demo):
    client.force_login(get_user_model().objects.get(username="thuky"))
    before = timezone.localtime()
    response = client.get(reverse("ranking-xlsx", args=[demo.pk]))
    after = timezone.localtime()
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ranking, matrix = book["Xếp hạng"], book["Ma trận điểm"]

    # The title block.
    made = {f"Ngày lập: {t:%d/%m/%Y %H:%M}" for t in (before, after)}
    assert [ranking.cell(row=r, column=1).value for r in range(1, 7)][:5] == [
        "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA",
        f"Cụm, khối thi đua: {demo.cluster.name}",
        "Năm thi đua: 2021",
        f"Thang điểm: {scheme_of(demo).name}",
        "Trạng thái: Đã công bố",
    ]
    assert ranking["A6"].value in made

    # The ranking: names, never codes; the parts; numbers as numbers.
    standings = list(
        Standing.objects.filter(run__emulation_year=demo, run__is_current=True)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )
    assert len(standings) == 7
    rows = list(ranking.iter_rows(min_row=10, values_only=True))
    assert [r[:9] for r in rows] == [
        (
            s.rank,
            s.unit.name,
            round2(s.total),
            round2(s.regular),
            round2(s.bonus),
            round2(s.deduction),
            s.met_count,
            s.band or None,
            "Có" if s.eligible else "Không",
        )
        for s in standings
    ]
    codes = set(Unit.objects.values_list("code", flat=True))  # "an-giang", …
    shown = {
        c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    }
    assert not codes & shown
    assert ranking["C10"].number_format == "#,##0.00" and ranking.freeze_panes == "C10"
    assert ranking.column_dimensions["B"].width >= max(len(s.unit.name) for s in standings)

    # The matrix: the run's criteria named over their codes, and every stored score.
    run = standings[0].run
    criteria = list(Criterion.objects.filter(scheme=run.scheme).order_by("position"))
    assert len(criteria) == 11
    assert [c.value for c in matrix[8]][2:-1] == [c.name for c in criteria]
    assert [c.value for c in matrix[9]][2:-1] == [c.code for c in criteria]
    points = {
        (s.unit.name, s.criterion_code): round2(s.points)
        for s in Score.objects.filter(run=run).select_related("unit")
    }
    assert len(points) == 7 * 11
    shown_points = {
        (row[1], criterion.code): value
        for row in matrix.iter_rows(min_row=10, values_only=True)
        for criterion, value in zip(criteria, row[2:-1], strict=True)
    }
    assert shown_points == points
    assert matrix.freeze_panes == "C10"


def test_score_without_the_database_names_the_criteria_from_its_scheme_file(tmp_path):
    scheme = settings.BASE_DIR / "docs" / "examples" / "scheme-2021.yaml"
    figures = tmp_path / "f.csv"
    figures.write_text("unit,year,element,value\nag,2021,new_coops,30\n", encoding="utf-8")
    out = tmp_path / "vn.csv"
    files = ["--scheme", str(scheme), "--figures", str(figures), "--year", "2021"]
    call_command("score", *files, "--format", "csv", "--dialect", "excel-vn", "--out", str(out))
    rows = excel_vn_rows(out.read_bytes().decode("utf-8"))
    assert rows[0][9] == "1.1 Thành lập mới HTX"
    assert rows[1][:3] == ["1", "ag", "15"]  # no names without the database: the code
    book = tmp_path / "r.xlsx"
    call_command("score", *files, "--format", "xlsx", "--out", str(book))
    matrix = openpyxl.load_workbook(book)["Ma trận điểm"]
    assert matrix["A4"].value.startswith("Ngày lập: ")  # no cluster, no status: not said
    assert matrix["C6"].value == "Thành lập mới HTX" and matrix["C7"].value == "1.1"
    with pytest.raises(CommandError):
        call_command("score", *files, "--format", "table", "--dialect", "rfc4180")
