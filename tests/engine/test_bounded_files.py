"""Finding 6 of issue #14: input files that would exhaust the server are refused quickly and in
little memory. Each attack file is built here, then read in a fresh Python process whose time and
peak memory (ru_maxrss) are measured: the files must be refused in < 2 s with < 100 MB growth."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from scoring.engine import input_files
from scoring.engine.input_files import InputFileError, read_figures, read_target_rows
from scoring.engine.scheme_load import SchemeError, load_document

ROOT = Path(__file__).resolve().parents[2]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def header_row(*names: str) -> str:
    cells = "".join(
        f'<c r="{chr(ord("A") + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(names)
    )
    return f'<row r="1">{cells}</row>'


_HEADER_ROW = header_row("unit", "year", "element", "value")
_TARGETS_HEADER_ROW = header_row("unit", "criterion", "target")


def xlsx(path: Path, *, dimension: str, rows: str, strings=None) -> Path:
    """A minimal workbook by hand: openpyxl would write the true dimension, not the attacker's.
    `strings` is an iterable of byte chunks for the shared strings part, written as it comes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>',
        )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}">'.encode())
            for chunk in strings or ():
                part.write(chunk)
            part.write(b"</sst>")
    return path


def shared_strings_bomb(tmp_path: Path) -> Path:
    """~256 MB of shared strings (13 million of them) in a file of a few hundred KB."""
    chunk = b"<si><t>lol</t></si>" * 55_000  # ~1 MB
    return xlsx(
        tmp_path / "bom.xlsx",
        dimension="A1:D1",
        rows=_HEADER_ROW,
        strings=(chunk for _ in range(256)),
    )


def huge_dimension(tmp_path: Path, header: str) -> Path:
    """A header row, then one cell at row 100,000 in the last column, and a declared dimension
    of the whole sheet (A1:XFD1048576): read as declared, every row is 16,384 cells wide."""
    return xlsx(
        tmp_path / "rong.xlsx",
        dimension="A1:XFD1048576",
        rows=header + '<row r="100000"><c r="XFD100000"><v>1</v></c></row>',
    )


_MEASURE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from scoring.engine import input_files
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    getattr(input_files, {reader!r})({path!r})
    error = None
except input_files.InputFileError as exc:
    error = str(exc)
seconds = time.perf_counter() - start
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({{"error": error, "seconds": seconds, "growth_kb": growth}}))
"""


def measure(reader: str, path: Path) -> dict:
    """Read `path` with `input_files.<reader>` in a fresh process (its own peak memory)."""
    script = _MEASURE.format(root=str(ROOT), reader=reader, path=str(path))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{reader}({path.name}) was still reading after 30 s")
    return json.loads(done.stdout)


@pytest.mark.parametrize("reader", ["read_figures", "read_target_rows"])
def test_a_shared_strings_bomb_is_refused_quickly_in_little_memory(tmp_path, reader):
    path = shared_strings_bomb(tmp_path)
    assert path.stat().st_size < 2 * 1024 * 1024
    result = measure(reader, path)
    assert result["error"] is not None and result["error"].startswith("bom.xlsx: ")
    assert "unpacks to more than 25 MB" in result["error"]
    assert result["seconds"] < 2
    assert result["growth_kb"] < 100 * 1024


@pytest.mark.parametrize(
    ("reader", "header"),
    [("read_figures", _HEADER_ROW), ("read_target_rows", _TARGETS_HEADER_ROW)],
)
def test_a_huge_declared_dimension_is_not_trusted(tmp_path, reader, header):
    path = huge_dimension(tmp_path, header)
    result = measure(reader, path)
    assert result["error"] is not None
    assert result["error"].startswith("rong.xlsx, row ")
    assert "more than 50,000 rows" in result["error"]
    assert result["seconds"] < 2
    assert result["growth_kb"] < 100 * 1024


def test_a_cell_beyond_the_column_cap_is_refused_naming_row_and_limit(tmp_path):
    path = xlsx(
        tmp_path / "cot.xlsx",
        dimension="A1:D2",
        rows=_HEADER_ROW + '<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>1</v></c></row>',
    )
    with pytest.raises(InputFileError) as caught:
        read_figures(path)
    assert (caught.value.file, caught.value.row) == ("cot.xlsx", 2)
    assert caught.value.message == "more than 2,100 columns"


def test_the_cell_cap_stops_the_reading(tmp_path, monkeypatch):
    """Counted as read, empty cells inside a row included (the raw XML has only 6 cells)."""
    monkeypatch.setattr(input_files, "MAX_CELLS", 10)
    rows = _HEADER_ROW + '<row r="2"><c r="A2"><v>1</v></c><c r="H2"><v>1</v></c></row>'
    path = xlsx(tmp_path / "o.xlsx", dimension="A1:D2", rows=rows)
    with pytest.raises(InputFileError) as caught:
        read_figures(path)
    assert (caught.value.row, caught.value.message) == (2, "more than 10 cells")
    monkeypatch.setattr(input_files, "MAX_CELLS", 5)
    with pytest.raises(InputFileError) as caught:  # the raw XML's count, before openpyxl
        read_figures(path)
    assert (caught.value.row, caught.value.message) == (None, "more than 5 cells")


def test_an_archive_with_too_many_parts_or_a_compressed_part_too_dense_is_refused(
    tmp_path, monkeypatch
):
    path = xlsx(tmp_path / "a.xlsx", dimension="A1:D1", rows=_HEADER_ROW)
    monkeypatch.setattr(input_files, "XLSX_MAX_MEMBERS", 5)
    with pytest.raises(InputFileError, match=r"^a\.xlsx: more than 5 parts in the archive"):
        read_figures(path)
    monkeypatch.setattr(input_files, "XLSX_MAX_MEMBERS", 200)
    dense = xlsx(
        tmp_path / "d.xlsx",
        dimension="A1:D1",
        rows=_HEADER_ROW,
        strings=[b"<si><t>a</t></si>" * 200_000],  # 3.2 MB of one repeated string
    )
    with pytest.raises(InputFileError) as caught:
        read_figures(dense)
    assert caught.value.message.startswith(
        "part 'xl/sharedStrings.xml' is compressed more than 100:1"
    )


def test_too_many_shared_strings_are_refused_before_openpyxl_reads_them(tmp_path):
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(20_001))
    path = xlsx(tmp_path / "s.xlsx", dimension="A1:D1", rows=_HEADER_ROW, strings=[strings])
    start = time.perf_counter()
    with pytest.raises(InputFileError) as caught:
        read_figures(path)
    assert caught.value.message == "more than 20,000 shared strings"
    assert time.perf_counter() - start < 1


def test_a_csv_with_too_many_lines_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(input_files, "MAX_ROWS", 3)
    path = tmp_path / "f.csv"
    path.write_text("unit,year,element,value\n" + "AG,2021,e,1\n" * 4 + "AG,2021,\n")
    with pytest.raises(InputFileError) as caught:
        read_figures(path)
    # Refused before the reader reached the malformed last line (which would name its row).
    assert (caught.value.row, caught.value.message) == (None, "more than 3 rows")


def test_a_normal_workbook_is_still_read(tmp_path):
    rows = _HEADER_ROW + (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>2021</v></c>'
        '<c r="C2" t="s"><v>1</v></c><c r="D2"><v>6.5</v></c></row>'
    )
    path = xlsx(
        tmp_path / "ok.xlsx",
        dimension="A1:XFD1048576",
        rows=rows,
        strings=[b"<si><t>AG</t></si><si><t>coops</t></si>"],
    )
    assert read_figures(path) == {("AG", 2021, "coops"): 6.5}
    assert read_target_rows(
        xlsx(
            tmp_path / "t.xlsx",
            dimension="A1:C2",
            rows='<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            '<c r="C1" t="s"><v>2</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c>'
            '<c r="C2"><v>20</v></c></row>',
            strings=[
                b"<si><t>unit</t></si><si><t>criterion</t></si><si><t>target</t></si>"
                b"<si><t>AG</t></si><si><t>1.1</t></si>"
            ],
        )
    ) == [input_files.TargetRow(2, "target", (("unit", "AG"),), "1.1", 2, "criterion", 20.0)]


# --- YAML and JSON scheme files ----------------------------------------------------------------


def test_a_one_megabyte_yaml_list_is_refused_quickly():
    text = "- 1\n" * 240_000  # 960,000 bytes: under the size cap, 240,000 values
    start = time.perf_counter()
    with pytest.raises(SchemeError) as caught:
        load_document(text, "list.yaml")
    assert str(caught.value) == "list.yaml: line 20000, column 3: more than 20,000 values"
    assert time.perf_counter() - start < 1


def test_a_yaml_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    # Aliases alone (no anchor on the same line as the first use) are refused too.
    start = time.perf_counter()
    with pytest.raises(SchemeError, match="anchors are not allowed"):
        load_document("\n".join(lines), "lol.yaml")
    with pytest.raises(SchemeError, match="aliases are not allowed"):
        load_document("x: [" + ",".join(["*a"] * 100_000) + "]", "lol.yaml")
    assert time.perf_counter() - start < 1


def test_a_json_document_with_too_many_values_is_refused():
    with pytest.raises(SchemeError) as caught:
        load_document('{"x": [' + ",".join(["1"] * 20_001) + "]}", "list.json")
    assert str(caught.value) == "list.json: more than 20,000 values"
