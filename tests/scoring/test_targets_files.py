"""The engine's reader of targets files (pure, no database): the long file and the grid
template, in CSV as Excel with Vietnamese settings saves it, or in XLSX."""

from __future__ import annotations

import io

import pytest

from scoring.engine.input_files import (
    InputFileError,
    TargetRow,
    read_target_rows,
    write_targets_template,
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def test_a_grid_saved_as_csv_with_semicolons_and_decimal_commas_is_read(tmp_path):
    path = write(
        tmp_path,
        "grid.csv",
        "Chỉ tiêu năm 2026;;;;\n"
        "Mã đơn vị;Tên đơn vị;Tên ngắn;1.1;2.1\n"
        ";;;Thành lập mới;Tăng thành viên\n"
        "a1;Liên minh HTX A1;A Một;25;8,5\n"
        ";;A Hai;;1.234,5\n",
    )
    assert read_target_rows(path) == [
        TargetRow(
            4,
            "1.1",
            (("Mã đơn vị", "a1"), ("Tên đơn vị", "Liên minh HTX A1"), ("Tên ngắn", "A Một")),
            "1.1",
            2,
            "1.1",
            25.0,
        ),
        TargetRow(
            4,
            "2.1",
            (("Mã đơn vị", "a1"), ("Tên đơn vị", "Liên minh HTX A1"), ("Tên ngắn", "A Một")),
            "2.1",
            2,
            "2.1",
            8.5,
        ),
        TargetRow(5, "2.1", (("Tên ngắn", "A Hai"),), "2.1", 2, "2.1", 1234.5),
    ]


def test_a_grid_with_english_headers_and_no_title_or_names_row_is_read(tmp_path):
    path = write(tmp_path, "grid.csv", "Unit code,1.1\na1,3\n")
    assert [(r.units, r.criterion, r.value) for r in read_target_rows(path)] == [
        ((("Unit code", "a1"),), "1.1", 3.0)
    ]


@pytest.mark.parametrize(
    "text,row,column,message",
    [
        ("Mã đơn vị;1.1;;2.1\na1;1;;2\n", 1, "C", "empty header"),
        ("Mã đơn vị;1.1;1.1\na1;1;2\n", 1, "1.1", "column appears twice"),
        ("Mã đơn vị;Tên đơn vị;Mã đơn vị;1.1\n", 1, "Mã đơn vị", "column appears twice"),
        ("Mã đơn vị;1.1\n;Tên\na1;1\n;5\n", 4, "Mã đơn vị", "which unit is this row"),
        ("Mã đơn vị;1.1\na1;1;9\n", 2, None, "more cells than header columns"),
        ("Tiêu đề\nkhông có tiêu đề cột\n", None, None, "missing header row"),
    ],
)
def test_a_bad_grid_names_its_row_and_column(tmp_path, text, row, column, message):
    with pytest.raises(InputFileError) as error:
        read_target_rows(write(tmp_path, "grid.csv", text))
    assert (error.value.file, error.value.row, error.value.column) == ("grid.csv", row, column)
    assert message in error.value.message


def test_the_long_file_is_still_read_with_its_rows(tmp_path):
    path = write(tmp_path, "long.csv", 'unit,criterion,target\na1,1.1,25\nA Hai,2.1,"8,5"\n')
    assert read_target_rows(path) == [
        TargetRow(2, "target", (("unit", "a1"),), "1.1", 2, "criterion", 25.0),
        TargetRow(3, "target", (("unit", "A Hai"),), "2.1", 3, "criterion", 8.5),
    ]


def test_the_template_written_is_read_back_to_the_same_values(tmp_path):
    stream = io.BytesIO()
    write_targets_template(
        stream,
        title="Chỉ tiêu",
        units=[("a1", "Liên minh HTX A1", "A Một"), ("a2", "Liên minh HTX A2", "")],
        criteria=[("1.1", "Thành lập mới"), ("2.1", "Tăng thành viên")],
        values={("a1", "1.1"): 25.0, ("a2", "2.1"): 8.125},
    )
    path = tmp_path / "mau.xlsx"
    path.write_bytes(stream.getvalue())
    assert [(r.row, r.units[0][1], r.criterion, r.value) for r in read_target_rows(path)] == [
        (4, "a1", "1.1", 25),
        (5, "a2", "2.1", 8.125),
    ]
