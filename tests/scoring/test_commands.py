"""The command-line paths: import_scheme, import_figures, recompute, export_ranking, score."""

from __future__ import annotations

import dataclasses
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clusters.models import EmulationYear, Membership
from scoring import engine
from scoring.models import ReportValue, Scheme
from scoring.schemes.services import scheme_export
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(world):
    """2024 and 2025 of cluster A with figures (2024 feeds prev() of 2025)."""
    prior = EmulationYear.objects.create(cluster=world.cluster, year=2024)
    Membership.objects.create(emulation_year=prior, unit=world.unit_a1)
    Membership.objects.create(emulation_year=prior, unit=world.unit_a2)
    install_scheme(prior)
    install_scheme(world.year)
    put_figures(prior, {("a1", "coop_members"): 1000, ("a2", "coop_members"): 2000})
    put_figures(
        world.year,
        {
            ("a1", "coop_members"): 1100,
            ("a2", "coop_members"): 2100,
            ("a1", "new_coops"): 25,
            ("a2", "new_coops"): 12,
        },
    )
    return world


def test_the_file_path_and_the_database_path_give_the_same_json(two_years, tmp_path):
    year = two_years.year
    call_command("recompute", "--cluster", "cum-a", "--year", "2025")
    scheme_file = tmp_path / "scheme.yaml"
    scheme_file.write_text(
        scheme_export(scheme=scheme_of(year)),
        encoding="utf-8",
    )
    figures = tmp_path / "figures.csv"
    rows = ReportValue.objects.filter(
        report__emulation_year__cluster=two_years.cluster
    ).values_list("report__unit__code", "report__emulation_year__year", "element_code", "value")
    figures.write_text(
        "unit,year,element,value\n" + "".join(f"{u},{y},{e},{v}\n" for u, y, e, v in rows),
        encoding="utf-8",
    )
    from_db, from_files = tmp_path / "db.json", tmp_path / "files.json"
    call_command(
        "export_ranking",
        "--cluster",
        "cum-a",
        "--year",
        "2025",
        "--format",
        "json",
        "--out",
        str(from_db),
    )
    call_command(
        "score",
        "--scheme",
        str(scheme_file),
        "--figures",
        str(figures),
        "--year",
        "2025",
        "--format",
        "json",
        "--out",
        str(from_files),
    )
    db = json.loads(from_db.read_text(encoding="utf-8"))
    files = json.loads(from_files.read_text(encoding="utf-8"))
    assert db == files
    assert [r["unit"] for r in db["ranking"]] == ["a1", "a2"]
    assert db["ranking"][0]["criteria"]["2.1"]["actual"] == 10.0
    assert db["ranking"][1]["criteria"]["2.1"]["met"] is False


def test_export_ranking_writes_xlsx_with_numbers_as_numbers(two_years, tmp_path):
    call_command("recompute", "--cluster", "cum-a", "--year", "2025")
    out = tmp_path / "ranking.xlsx"
    call_command(
        "export_ranking",
        "--cluster",
        "cum-a",
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet["A2"].value == "Cụm, khối thi đua: Cụm A"
    header = [c.value for c in sheet[8]]
    assert header[:3] == ["Hạng", "Đơn vị", "Điểm"] and sheet["C9"].value == "Tổng điểm"
    assert (
        sheet["A10"].value == 1
        and sheet["B10"].value == "Liên minh HTX A1"
        and isinstance(sheet["C10"].value, (int, float))
        and sheet["C10"].number_format == "#,##0.00"
    )


def test_import_scheme_and_figures_from_files_then_recompute(world, tmp_path, capsys):
    from django.conf import settings

    scheme_path = settings.BASE_DIR / "docs" / "examples" / "scheme-2021.yaml"
    call_command("import_scheme", str(scheme_path), "--cluster", "cum-a", "--year", "2025")
    scheme = scheme_of(world.year)
    assert scheme.version == 1 and scheme.criteria.count() == 11
    figures = tmp_path / "f.csv"
    figures.write_text(
        'unit,year,element,value\na1,2025,new_coops,20\na2,2025,new_coops,"10,5"\n',
        encoding="utf-8",
    )
    call_command("import_figures", str(figures), "--cluster", "cum-a", "--year", "2025")
    call_command("recompute", "--cluster", "cum-a", "--year", "2025")
    out = capsys.readouterr().out
    assert "written" in out and "a1" in out


def test_a_bad_figures_file_names_file_row_and_column_exits_2_and_writes_nothing(world, tmp_path):
    install_scheme(world.year)
    figures = tmp_path / "bad.csv"
    figures.write_text(
        "unit,year,element,value\na1,2025,new_coops,20\na2,2025,new_coops,abc\n", encoding="utf-8"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_figures", str(figures), "--cluster", "cum-a", "--year", "2025")
    assert error.value.returncode == 2
    assert (
        "bad.csv" in str(error.value)
        and "row 3" in str(error.value)
        and "value" in str(error.value)
    )
    assert ReportValue.objects.count() == 0


def test_figures_for_a_unit_outside_the_cluster_are_refused_whole(world, tmp_path):
    install_scheme(world.year)
    figures = tmp_path / "f.csv"
    figures.write_text(
        "unit,year,element,value\na1,2025,new_coops,20\nb1,2025,new_coops,3\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="b1") as error:
        call_command("import_figures", str(figures), "--cluster", "cum-a", "--year", "2025")
    assert error.value.returncode == 2
    assert ReportValue.objects.count() == 0


def test_a_bad_scheme_file_is_refused_with_its_place_and_nothing_is_stored(world, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: emulation-scheme/1\nname: x\nscale: 100\ndata_elements: [{code: a, name: a, type: integer}]\n"
        "criteria:\n  - {code: '1', group: g, name: n, measure: 'a + zzz', target: 1, points: 10}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_scheme", str(bad), "--cluster", "cum-a", "--year", "2025")
    assert error.value.returncode == 2
    assert "bad.yaml" in str(error.value) and "zzz" in str(error.value)
    assert Scheme.objects.count() == 0


def test_score_refuses_a_bad_file_with_exit_status_2_and_writes_no_output(tmp_path):
    from django.conf import settings

    scheme_path = settings.BASE_DIR / "docs" / "examples" / "scheme-2021.yaml"
    figures = tmp_path / "f.csv"
    figures.write_text("unit,year,element\na1,2025,new_coops\n", encoding="utf-8")
    out = tmp_path / "out.json"
    with pytest.raises(CommandError) as error:
        call_command(
            "score",
            "--scheme",
            str(scheme_path),
            "--figures",
            str(figures),
            "--year",
            "2025",
            "--format",
            "json",
            "--out",
            str(out),
        )
    assert error.value.returncode == 2 and "f.csv" in str(error.value)
    assert not out.exists()


def test_an_unknown_cluster_or_year_is_a_clear_error(world):
    with pytest.raises(CommandError, match="2031") as error:
        call_command("recompute", "--cluster", "cum-a", "--year", "2031")
    assert error.value.returncode == 2


def test_bench_scoring_runs_end_to_end_on_a_tiny_size(world, capsys):
    call_command(
        "bench_scoring",
        "--years",
        "2",
        "--members",
        "3",
        "--criteria",
        "4",
        "--in-process",
        "--workers",  # none: the fan-out's workers need committed data (bench runs, not tests)
    )
    out = capsys.readouterr().out
    assert "(a) pure core" in out and "(b) full recompute: 2 years, 24 score lines" in out
    assert not EmulationYear.objects.filter(cluster__code__startswith="bench-").exists()


def test_bench_explanations_runs_end_to_end_on_a_tiny_size(world, capsys):
    call_command(
        "bench_explanations", "--years", "2", "--members", "3", "--criteria", "4", "--rounds", "2"
    )
    out = capsys.readouterr().out
    assert "(r) recompute" in out and "KiB a run" in out
    assert "(t) a run's English texts" in out
    assert "(p) score sheet in English" in out and "(p) ranking page in English" in out
    assert not EmulationYear.objects.filter(cluster__code__startswith="bench-").exists()


def test_the_two_paths_agree_in_english_with_bands_and_points_per_occurrence(world, tmp_path):
    """#18: the same JSON from the database and from files — lines, warnings and band
    explanations in English — for a scheme with a per_item deduction and classification."""
    from tests.scoring.test_per_item_scheme import PER_ITEM_SCHEME

    scheme = dataclasses.replace(
        PER_ITEM_SCHEME,
        classification=(engine.Band("Tốt", min_total=50, min_each=0.5), engine.Band("Khá", 0)),
    )
    install_scheme(world.year, scheme)
    figures = {("a1", "new_coops"): 20, ("a1", "late_reports"): 7, ("a2", "new_coops"): 18}
    put_figures(world.year, figures)
    call_command("recompute", "--cluster", "cum-a", "--year", "2025")
    scheme_file, figures_file = tmp_path / "scheme.yaml", tmp_path / "figures.csv"
    scheme_file.write_text(engine.dump_scheme(scheme), encoding="utf-8")
    figures_file.write_text(
        "unit,year,element,value\n"
        + "".join(f"{u},2025,{e},{v}\n" for (u, e), v in figures.items()),
        encoding="utf-8",
    )
    from_db, from_files = tmp_path / "db.json", tmp_path / "files.json"
    common = ["--format", "json", "--language", "en"]
    call_command(
        "export_ranking", "--cluster", "cum-a", "--year", "2025", *common, "--out", str(from_db)
    )
    call_command(
        "score",
        "--scheme",
        str(scheme_file),
        "--figures",
        str(figures_file),
        "--year",
        "2025",
        *common,
        "--out",
        str(from_files),
    )
    db = json.loads(from_db.read_text(encoding="utf-8"))
    assert db == json.loads(from_files.read_text(encoding="utf-8"))
    assert [r["unit"] for r in db["ranking"]] == ["a2", "a1"]  # 54 = 18/20 × 60; 60 − 10
    a1 = db["ranking"][1]
    assert a1["criteria"]["T.1"]["explanation"] == (
        "7 lần chậm báo cáo × 2 points = 14 points → 10 points deducted (at most 10)"
    )
    assert (a1["total"], a1["deduction"], a1["band"]) == (50.0, 10.0, "Khá")
    assert a1["band_explanation"]["text"][0] == (
        "Tốt needs total ≥ 50 and each criterion ≥ 50 % of its points: "
        "2.1 (Tăng thành viên) reached 0 %"
    )
