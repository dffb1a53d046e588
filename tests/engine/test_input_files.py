from __future__ import annotations

import datetime

import pytest
from openpyxl import Workbook

from scoring.engine import (
    InputFileError,
    ManualEntry,
    Succession,
    input_files,
    read_figures,
    read_manual,
    read_targets,
    read_units,
)


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(fn, path) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        fn(path)
    return caught.value


def test_it_reads_figures_with_a_decimal_comma_and_free_column_order(tmp_path):
    path = write(
        tmp_path,
        "figures.csv",
        'year,unit,value,element\n2021,AG,"6,1",growth\n2021,KG,1.234,x\n2020,AG,"1.234,5",y\n',
    )
    assert read_figures(path) == {
        ("AG", 2021, "growth"): 6.1,
        ("KG", 2021, "x"): 1.234,
        ("AG", 2020, "y"): 1234.5,
    }


def test_it_reads_semicolon_files_from_vietnamese_excel_with_a_bom(tmp_path):
    path = write(tmp_path, "figures.csv", "\ufeffunit;year;element;value\nAG;2021;x;6,1\n\n")
    assert read_figures(path) == {("AG", 2021, "x"): 6.1}


def test_a_value_that_is_not_a_number_names_file_row_and_column(tmp_path):
    path = write(
        tmp_path,
        "figures.csv",
        "unit,year,element,value\nAG,2021,a,1\nAG,2021,b,2\nAG,2021,c,abc\n",
    )
    error = error_of(read_figures, path)
    assert (error.file, error.row, error.column) == ("figures.csv", 4, "value")
    assert str(error) == "figures.csv, row 4, column 'value': not a number: 'abc'"


@pytest.mark.parametrize("bad", ["nan", "inf", "1e999", "6,1,2", "12%", "--1"])
def test_values_that_are_not_plain_finite_numbers_are_refused(tmp_path, bad):
    path = write(tmp_path, "figures.csv", f'unit,year,element,value\nAG,2021,a,"{bad}"\n')
    assert error_of(read_figures, path).row == 2


def test_duplicate_keys_name_both_rows(tmp_path):
    path = write(
        tmp_path, "figures.csv", "unit,year,element,value\nAG,2021,a,1\nKG,2021,a,1\nAG,2021,a,2\n"
    )
    assert str(error_of(read_figures, path)) == (
        "figures.csv, row 4: duplicate of row 2 (unit 'AG', year 2021, element 'a')"
    )


def test_missing_header_extra_columns_and_empty_files_are_refused(tmp_path):
    assert "missing header row" in str(
        error_of(read_figures, write(tmp_path, "f.csv", "AG,2021,a,1\n"))
    )
    error = error_of(read_figures, write(tmp_path, "f.csv", "unit,year,element,value,note\n"))
    assert (error.row, error.column) == (1, "note")
    error = error_of(read_figures, write(tmp_path, "f.csv", "unit,year,value\n"))
    assert (error.row, error.column, error.message) == (1, "element", "required column is missing")
    assert error_of(read_figures, write(tmp_path, "f.csv", "")).message.startswith(
        "the file is empty"
    )
    error = error_of(
        read_figures, write(tmp_path, "f.csv", "unit,year,element,value\nAG,2021,a,1,9\n")
    )
    assert (error.row, error.message) == (2, "more cells than header columns")


def test_a_bad_year_and_bad_encoding_are_refused(tmp_path):
    error = error_of(
        read_figures, write(tmp_path, "f.csv", "unit,year,element,value\nAG,21.5,a,1\n")
    )
    assert (error.row, error.column) == (2, "year")
    error = error_of(
        read_figures, write(tmp_path, "f.csv", "unit,year,element,value\nAG,2021,á,1\n", "cp1258")
    )
    assert "not UTF-8" in error.message


def test_size_and_row_limits_refuse_big_files(tmp_path, monkeypatch):
    monkeypatch.setattr(input_files, "MAX_ROWS", 3)
    rows = "".join(f"AG,2021,e{i},1\n" for i in range(5))
    assert "more than 3 rows" in str(
        error_of(read_figures, write(tmp_path, "f.csv", "unit,year,element,value\n" + rows))
    )
    monkeypatch.setattr(input_files, "MAX_BYTES", 10)
    assert "larger than" in str(
        error_of(read_figures, write(tmp_path, "f.csv", "unit,year,element,value\n"))
    )


def test_it_reads_targets_and_manual_points(tmp_path):
    assert read_targets(write(tmp_path, "t.csv", 'unit,criterion,target\nAG,2.1,"65,5"\n')) == {
        ("AG", "2.1"): 65.5
    }
    manual = read_manual(
        write(tmp_path, "m.csv", "unit,criterion,points,reason\nAG,T.2,2,Không ký giao ước\n")
    )
    assert manual == {("AG", "T.2"): ManualEntry(2.0, "Không ký giao ước")}
    error = error_of(
        read_manual, write(tmp_path, "m.csv", "unit,criterion,points,reason\nAG,T.2,2,\n")
    )
    assert (error.row, error.column, error.message) == (2, "reason", "empty")


def test_it_reads_units_and_their_mergers_with_both_date_forms(tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        "code,name,merged_into,merged_on\nAG,An Giang,,\nKG,Kiên Giang,AG,2025-07-01\nCT,Cần Thơ,,\nST,Sóc Trăng,CT,01/07/2025\n",
    )
    assert read_units(path) == [
        Succession("KG", "AG", datetime.date(2025, 7, 1)),
        Succession("ST", "CT", datetime.date(2025, 7, 1)),
    ]


def test_units_with_half_a_merger_or_an_unknown_successor_are_refused(tmp_path):
    error = error_of(
        read_units, write(tmp_path, "u.csv", "code,name,merged_into,merged_on\nKG,Kiên Giang,AG,\n")
    )
    assert (error.row, error.column) == (2, "merged_on")
    error = error_of(
        read_units,
        write(tmp_path, "u.csv", "code,name,merged_into,merged_on\nKG,Kiên Giang,AG,2025-07-01\n"),
    )
    assert (error.row, error.column, error.message) == (2, "merged_into", "unknown unit 'AG'")
    error = error_of(
        read_units,
        write(tmp_path, "u.csv", "code,name,merged_into,merged_on\nAG,A,,\nKG,K,AG,1/7/25\n"),
    )
    assert (error.row, error.column) == (3, "merged_on")


def test_it_reads_xlsx_with_typed_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "year", "element", "value"])
    sheet.append(["AG", 2021, "x", 6.1])
    sheet.append(["KG", 2021.0, "x", "6,5"])
    sheet.append([None, None, None, None])
    sheet.append(["CT", 2021, "x", "=1+1"])
    path = tmp_path / "figures.xlsx"
    workbook.save(path)
    error = error_of(read_figures, path)
    assert (error.file, error.row, error.column) == ("figures.xlsx", 5, "value")
    sheet.delete_rows(5)
    workbook.save(path)
    assert read_figures(path) == {("AG", 2021, "x"): 6.1, ("KG", 2021, "x"): 6.5}


def test_an_xlsx_that_is_not_a_workbook_is_refused(tmp_path):
    path = write(tmp_path, "figures.xlsx", "not a zip")
    assert "not a readable XLSX file" in error_of(read_figures, path).message


def test_a_missing_file_is_an_input_file_error(tmp_path):
    assert "cannot read the file" in error_of(read_figures, tmp_path / "nope.csv").message


def test_the_csv_figures_reader_checks_every_cell_as_before(tmp_path):
    """The CSV path converts each distinct text once (bench_cli): the same values, and the same
    file, row and column in its errors, as the general reader."""
    from scoring.engine.input_files import InputFileError, read_figures

    good = tmp_path / "f.csv"
    good.write_text(
        'unit,year,element,value\na1,2025,x,"1,5"\na2,2025,x,1.5\n\na1,2024,x,3\n',
        encoding="utf-8",
    )
    assert read_figures(good) == {
        ("a1", 2025, "x"): 1.5,
        ("a2", 2025, "x"): 1.5,
        ("a1", 2024, "x"): 3.0,
    }
    cases = {
        "a1,2025,x,1\na1,2025,x,2\n": "f.csv, row 3: duplicate of row 2 (unit 'a1', year 2025, element 'x')",
        "a1,２０２５,x,1\n": "f.csv, row 2, column 'year': not a number",
        "a1,2025,x,1_000\n": "f.csv, row 2, column 'value': not a number: '1_000'",
        "a1,2025,,1\n": "f.csv, row 2, column 'element': empty",
        "a1,2025,x,1,9\n": "f.csv, row 2: more cells than header columns",
        "a1,2025,x,\n": "f.csv, row 2, column 'value': empty",
    }
    for body, message in cases.items():
        bad = tmp_path / "f.csv"
        bad.write_text("unit,year,element,value\n" + body, encoding="utf-8")
        with pytest.raises(InputFileError) as refused:
            read_figures(bad)
        assert str(refused.value).startswith(message), (body, str(refused.value))


def test_a_local_file_may_be_larger_than_an_upload(tmp_path, monkeypatch):
    from scoring.engine import input_files

    monkeypatch.setattr(input_files, "MAX_ROWS", 3)
    path = tmp_path / "f.csv"
    path.write_text(
        "unit,year,element,value\n" + "".join(f"a{i},2025,x,{i}\n" for i in range(5)),
        encoding="utf-8",
    )
    with pytest.raises(input_files.InputFileError, match="more than 3 rows"):
        input_files.read_figures(path)
    assert len(input_files.read_figures(path, limits=input_files.LOCAL_LIMITS)) == 5
