"""Reading figures, targets, units and manual points from CSV or XLSX files.

Files come from provincial offices, typed in Excel with Vietnamese settings, so the reader
accepts a decimal comma, a ';' separator and a UTF-8 BOM, and refuses anything ambiguous with
an error that names the file, the row and the column — a secretariat must be able to fix the
spreadsheet from the message alone.

Every file is bounded before and while it is read (issue #14, finding 6): its size; for CSV its
line count before parsing; for XLSX the zip archive (parts, unpacked size, compression ratio,
cells and shared strings counted in the raw XML) before openpyxl opens it, then openpyxl's
read-only streaming mode with the declared dimension ignored; and for both, rows, columns and
cells counted while iterating, stopping at the first one over its cap.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from scoring.engine.types import ManualEntry, Succession

MAX_BYTES = 20 * 1024 * 1024
# Real files have a few thousand rows (units x elements x years); reading 100,000 XLSX cells
# takes ~1.7 s on the 2-core test machine, so the caps keep the worst file to a few seconds.
MAX_ROWS = 50_000
MAX_COLUMNS = 2_100  # the targets grid of the largest scheme (2,000 criteria) and its unit columns
MAX_CELLS = 200_000
# An XLSX file is a zip of XML parts, checked before openpyxl opens it.
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNCOMPRESSED = 25 * 1024 * 1024
XLSX_MAX_RATIO = 100  # for parts over 1 MB unpacked; real sheets compress 5-20:1
XLSX_RATIO_FROM = 1024 * 1024
# openpyxl reads every shared string up front at ~40 us each.
XLSX_MAX_SHARED_STRINGS = 20_000
# Element starts in the raw XML: shared strings (si), cells (c), rows (row), with any prefix.
_XML_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?(si|c|row)[\s/>]")
_TAG_OVERLAP = 64  # longer than any match of _XML_TAG

# ASCII digits only: "２０２５" or "٣" in a file is refused, not read as a number (issue #14).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
_DOTTED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+\Z", re.ASCII)


@dataclass(frozen=True)
class Limits:
    """How big a file may be. Uploads to the server keep the module's caps (issue #14); a file
    read on one's own machine by a command (the what-if tool on a national file) may be larger."""

    bytes: int
    rows: int
    cells: int


def upload_limits() -> Limits:
    return Limits(bytes=MAX_BYTES, rows=MAX_ROWS, cells=MAX_CELLS)


# A national file: 5,000 members × 40 elements × 2 years is 400,000 rows.
LOCAL_LIMITS = Limits(bytes=2 * 1024**3, rows=20_000_000, cells=100_000_000)


class InputFileError(ValueError):
    """A problem in an input file at a row (1-based, header = 1) and column (header name)."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


class _Table:
    def __init__(
        self,
        path: str | os.PathLike[str],
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        limits: Limits | None = None,
    ):
        self.path = Path(path)
        self.name = self.path.name
        self.required = required
        self.optional = optional
        self.limits = limits or upload_limits()

    def error(self, row: int | None, column: str | None, message: str) -> InputFileError:
        return InputFileError(self.name, row, column, message)

    def raw(self) -> Iterator[list[Any]]:
        """Every row of the file as a list of cells, header included."""
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise self.error(None, None, f"cannot read the file: {exc.strerror}") from None
        if size > self.limits.bytes:
            mb = self.limits.bytes // (1024 * 1024)
            raise self.error(None, None, f"file larger than {mb} MB")
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            return self._bounded(self._xlsx())
        return self._bounded(self._csv())

    def _bounded(self, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        """The rows, stopping at the first one past the row, column or cell cap. Empty rows
        count: a cell at row 1,000,000 is refused at row MAX_ROWS + 2, not looked for."""
        cells = 0
        for number, row in enumerate(rows, start=1):
            if number > self.limits.rows + 1:
                raise self.error(number, None, f"more than {self.limits.rows:,} rows")
            if len(row) > MAX_COLUMNS:
                if any(not _blank(c) for c in row[MAX_COLUMNS:]):
                    raise self.error(number, None, f"more than {MAX_COLUMNS:,} columns")
                row = row[:MAX_COLUMNS]  # trailing empty cells a spreadsheet program left
            cells += len(row)
            if cells > self.limits.cells:
                raise self.error(number, None, f"more than {self.limits.cells:,} cells")
            yield row

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {column: raw value}) for each non-empty data row."""
        raw_rows = self.raw()
        header: list[str] | None = None
        count = 0
        for number, cells in enumerate(raw_rows, start=1):
            if header is None:
                header = self._header(cells)
                continue
            if all(_blank(c) for c in cells):
                continue
            extra = [c for c in cells[len(header) :] if not _blank(c)]
            if extra:
                raise self.error(number, None, "more cells than header columns")
            count += 1
            yield (
                number,
                {name: cells[i] if i < len(cells) else None for i, name in enumerate(header)},
            )
        if header is None:
            raise self.error(None, None, "the file is empty (a header row is required)")

    def _header(self, cells: list[Any]) -> list[str]:
        names = [str(c).strip().lower() if c is not None else "" for c in cells]
        while names and not names[-1]:
            names.pop()
        known = self.required + self.optional
        if not any(name in known for name in names):
            raise self.error(
                1, None, f"missing header row: expected columns {', '.join(self.required)}"
            )
        seen = set()
        for name in names:
            if name not in known:
                raise self.error(1, name or None, f"unexpected column; expected {', '.join(known)}")
            if name in seen:
                raise self.error(1, name, "column appears twice")
            seen.add(name)
        for name in self.required:
            if name not in seen:
                raise self.error(1, name, "required column is missing")
        return names

    def _csv(self) -> Iterator[list[Any]]:
        data = self.path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise self.error(line, None, "not UTF-8 text (save the file as CSV UTF-8)") from None
        rows = self.limits.rows
        if text.rstrip("\r\n").count("\n") > rows:  # header + the rows, before parsing
            raise self.error(None, None, f"more than {rows:,} rows")
        first = text.split("\n", 1)[0]
        # Excel with Vietnamese regional settings separates with ';' (',' is the decimal mark).
        delimiter = ";" if first.count(";") > first.count(",") else ","
        try:
            yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        except csv.Error as exc:
            raise self.error(None, None, f"malformed CSV: {exc}") from None

    def _xlsx(self) -> Iterator[list[Any]]:
        from openpyxl import load_workbook  # only needed for spreadsheets

        self._check_archive()
        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True, keep_links=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise self.error(None, None, f"not a readable XLSX file: {exc}") from None
        try:
            sheet = workbook.worksheets[0]
            # Not the declared dimension: "A1:XFD1048576" would pad every row to 16,384 cells
            # and yield every missing row up to 1,048,576 (71 s for one request).
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()

    def _check_archive(self) -> None:
        """Refuse a zip bomb before any XML is parsed: the parts' count, their unpacked size
        and compression ratio from the archive's directory, then the shared strings, cells and
        rows counted in the raw XML (zipfile stops each part at its declared size, so a part
        cannot unpack to more than the directory says)."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = archive.infolist()
                if len(members) > XLSX_MAX_MEMBERS:
                    raise self.error(
                        None, None, f"more than {XLSX_MAX_MEMBERS:,} parts in the archive"
                    )
                total = 0
                for member in members:
                    total += member.file_size
                    if total > XLSX_MAX_UNCOMPRESSED:
                        mb = XLSX_MAX_UNCOMPRESSED // (1024 * 1024)
                        raise self.error(None, None, f"unpacks to more than {mb} MB")
                    if (
                        member.file_size > XLSX_RATIO_FROM
                        and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
                    ):
                        raise self.error(
                            None,
                            None,
                            f"part '{member.filename}' is compressed more than "
                            f"{XLSX_MAX_RATIO}:1 (a zip bomb?)",
                        )
                strings = 0
                for member in members:
                    counts = self._count_tags(archive, member)
                    strings += counts[b"si"]
                    if strings > XLSX_MAX_SHARED_STRINGS:
                        raise self.error(
                            None, None, f"more than {XLSX_MAX_SHARED_STRINGS:,} shared strings"
                        )
                    if counts[b"c"] > MAX_CELLS:
                        raise self.error(None, None, f"more than {MAX_CELLS:,} cells")
                    if counts[b"row"] > MAX_ROWS + 1:
                        raise self.error(None, None, f"more than {MAX_ROWS:,} rows")
        except InputFileError:
            raise
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:
            # A part that lies about its size fails its CRC; encrypted or unknown compression.
            raise self.error(None, None, f"not a readable XLSX file: {exc}") from None

    @staticmethod
    def _count_tags(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> dict[bytes, int]:
        counts = {b"si": 0, b"c": 0, b"row": 0}
        pending = b""
        with archive.open(member) as part:
            while chunk := part.read(1024 * 1024):
                data = pending + chunk
                cut = max(0, len(data) - _TAG_OVERLAP)  # later matches: counted with the next
                for match in _XML_TAG.finditer(data, 0, len(data)):
                    if match.start() >= cut:
                        break
                    counts[match.group(1)] += 1
                pending = data[cut:]
        for match in _XML_TAG.finditer(pending):
            counts[match.group(1)] += 1
        return counts

    # --- cell conversions ---

    def text(self, row: int, cells: dict[str, Any], column: str, *, required: bool = True) -> str:
        value = cells.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if required and not text:
            raise self.error(row, column, "empty")
        return text

    def number(self, row: int, cells: dict[str, Any], column: str) -> float:
        value = cells.get(column)
        if _blank(value):
            raise self.error(row, column, "empty")
        if isinstance(value, (bool, datetime.date | datetime.time)):
            raise self.error(row, column, f"not a number: {value!r}")
        if isinstance(value, int | float):
            number = float(value)
        else:
            parsed = parse_number(str(value))
            if parsed is None:
                raise self.error(row, column, f"not a number: {str(value).strip()!r}")
            number = parsed
        if not math.isfinite(number):
            raise self.error(row, column, f"not a finite number: {value!r}")
        return number

    def year(self, row: int, cells: dict[str, Any], column: str) -> int:
        number = self.number(row, cells, column)
        if not number.is_integer() or not 1900 <= number <= 2200:
            raise self.error(row, column, f"not a year: {cells.get(column)!r}")
        return int(number)

    def date(self, row: int, cells: dict[str, Any], column: str) -> datetime.date:
        value = cells.get(column)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = "" if value is None else str(value).strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.datetime.strptime(text, fmt).date()  # a calendar date
            except ValueError:
                continue
        raise self.error(row, column, f"not a date (use 2025-07-01 or 01/07/2025): {text!r}")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(text: str) -> float | None:
    """'6,1' → 6.1; '1.234,5' → 1234.5; '1.234.567' → 1234567; None when not a number."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        if s.count(",") != 1:
            return None
        s = s.replace(",", ".")
    elif _DOTTED_THOUSANDS.match(s) and s.count(".") > 1:
        s = s.replace(".", "")
    if not _PLAIN_NUMBER.match(s):
        return None
    return float(s)


def _check_duplicate(table: _Table, seen: dict[Any, int], key: Any, row: int, label: str) -> None:
    if key in seen:
        raise table.error(row, None, f"duplicate of row {seen[key]} ({label})")
    seen[key] = row


def read_figures(
    path: str | os.PathLike[str], *, limits: Limits | None = None
) -> dict[tuple[str, int, str], float]:
    """unit,year,element,value → {(unit, year, element): value}."""
    table = _Table(path, ("unit", "year", "element", "value"), limits=limits)
    if table.path.suffix.lower() not in (".xlsx", ".xlsm"):
        return _figures_from_csv(table)
    out: dict[tuple[str, int, str], float] = {}
    seen: dict[Any, int] = {}
    for row, cells in table.rows():
        key = (
            table.text(row, cells, "unit"),
            table.year(row, cells, "year"),
            table.text(row, cells, "element"),
        )
        value = table.number(row, cells, "value")
        _check_duplicate(
            table, seen, key, row, f"unit '{key[0]}', year {key[1]}, element '{key[2]}'"
        )
        out[key] = value
    return out


def _figures_from_csv(table: _Table) -> dict[tuple[str, int, str], float]:
    """read_figures for a CSV file, cell by cell only where a cell is new: a national file has
    400,000 rows but few distinct years and values, so each text is converted (and checked) once
    — the same checks and messages as the general path, several times faster."""
    raw = table.raw()
    first = next(raw, None)
    if first is None:
        raise table.error(None, None, "the file is empty (a header row is required)")
    header = table._header(first)
    width = len(header)
    iu, iy, ie, iv = (header.index(c) for c in ("unit", "year", "element", "value"))
    years: dict[str, int] = {}
    values: dict[str, float] = {}
    out: dict[tuple[str, int, str], float] = {}
    for row, cells in enumerate(raw, start=2):
        if len(cells) != width:
            if all(_blank(c) for c in cells):
                continue
            if any(not _blank(c) for c in cells[width:]):
                raise table.error(row, None, "more cells than header columns")
            cells = cells + [""] * (width - len(cells))
        unit, element = cells[iu].strip(), cells[ie].strip()
        if not unit or not element:
            if all(_blank(c) for c in cells):
                continue
            named = dict(zip(header, cells, strict=True))
            table.text(row, named, "unit")
            table.text(row, named, "element")
        year = years.get(cells[iy])
        if year is None:
            year = years[cells[iy]] = table.year(row, {"year": cells[iy]}, "year")
        value = values.get(cells[iv])
        if value is None:
            value = values[cells[iv]] = table.number(row, {"value": cells[iv]}, "value")
        key = (unit, year, element)
        if key in out:
            first_row = _first_row_of(table, key, header)
            raise table.error(
                row,
                None,
                f"duplicate of row {first_row} (unit '{unit}', year {year}, element '{element}')",
            )
        out[key] = value
    return out


def _first_row_of(table: _Table, key: tuple[str, int, str], header: list[str]) -> int:
    """The row a duplicated key first appeared on (read again: only on the error's path)."""
    for row, cells in table.rows():
        named = {**dict.fromkeys(header, ""), **cells}
        unit, element = str(named["unit"]).strip(), str(named["element"]).strip()
        if (unit, element) == (key[0], key[2]) and table.year(row, named, "year") == key[1]:
            return row
    return 0


def read_targets(path: str | os.PathLike[str]) -> dict[tuple[str, str], float]:
    """unit,criterion,target → {(unit, criterion): target}."""
    table = _Table(path, ("unit", "criterion", "target"))
    out: dict[tuple[str, str], float] = {}
    seen: dict[Any, int] = {}
    for row, cells in table.rows():
        key = (table.text(row, cells, "unit"), table.text(row, cells, "criterion"))
        value = table.number(row, cells, "target")
        _check_duplicate(table, seen, key, row, f"unit '{key[0]}', criterion '{key[1]}'")
        out[key] = value
    return out


def read_manual(path: str | os.PathLike[str]) -> dict[tuple[str, str], ManualEntry]:
    """unit,criterion,points,reason → {(unit, criterion): ManualEntry}; a reason is required."""
    table = _Table(path, ("unit", "criterion", "points", "reason"))
    out: dict[tuple[str, str], ManualEntry] = {}
    seen: dict[Any, int] = {}
    for row, cells in table.rows():
        key = (table.text(row, cells, "unit"), table.text(row, cells, "criterion"))
        points = table.number(row, cells, "points")
        reason = table.text(row, cells, "reason")
        _check_duplicate(table, seen, key, row, f"unit '{key[0]}', criterion '{key[1]}'")
        out[key] = ManualEntry(points, reason)
    return out


def read_units(path: str | os.PathLike[str]) -> list[Succession]:
    """code,name,merged_into,merged_on → the mergers (units that did not merge leave both empty)."""
    table = _Table(path, ("code", "name"), ("merged_into", "merged_on"))
    seen: dict[Any, int] = {}
    pending: list[tuple[int, str, str, datetime.date]] = []
    for row, cells in table.rows():
        code = table.text(row, cells, "code")
        table.text(row, cells, "name")
        _check_duplicate(table, seen, code, row, f"code '{code}'")
        into = table.text(row, cells, "merged_into", required=False)
        has_date = not _blank(cells.get("merged_on"))
        if into and not has_date:
            raise table.error(row, "merged_on", "empty, but merged_into is set")
        if has_date and not into:
            raise table.error(row, "merged_into", "empty, but merged_on is set")
        if into:
            if into == code:
                raise table.error(row, "merged_into", "a unit cannot merge into itself")
            pending.append((row, code, into, table.date(row, cells, "merged_on")))
    out = []
    for row, code, into, on in pending:
        if into not in seen:
            raise table.error(row, "merged_into", f"unknown unit '{into}'")
        out.append(Succession(predecessor=code, successor=into, effective_on=on))
    return out


# --- the award register: past decisions, a row per recipient ---


@dataclass(frozen=True)
class DecisionRow:
    row: int
    decision: str  # its number, e.g. 123/QĐ-LMHTXVN
    date: datetime.date
    body: str  # the deciding body
    award: str  # the award kind's code in the rule sets
    year: int  # the achievement year
    unit: str  # the recipient's code
    note: str = ""


def read_award_decisions(path: str | os.PathLike[str]) -> list[DecisionRow]:
    """decision,date,body,award,year,unit[,note] → one row per recipient; the rows of one decision
    (same decision, date and body) must agree on the award and the year, and name a unit once."""
    table = _Table(path, ("decision", "date", "body", "award", "year", "unit"), ("note",))
    rows: list[DecisionRow] = []
    decisions: dict[tuple[str, datetime.date, str], tuple[str, int, int]] = {}
    seen: dict[Any, int] = {}
    for row, cells in table.rows():
        out = DecisionRow(
            row=row,
            decision=table.text(row, cells, "decision"),
            date=table.date(row, cells, "date"),
            body=table.text(row, cells, "body"),
            award=table.text(row, cells, "award"),
            year=table.year(row, cells, "year"),
            unit=table.text(row, cells, "unit"),
            note=table.text(row, cells, "note", required=False),
        )
        key = (out.decision, out.date, out.body)
        award, year, first = decisions.setdefault(key, (out.award, out.year, row))
        if award != out.award:
            raise table.error(
                row, "award", f"decision {out.decision} is for '{award}' (row {first})"
            )
        if year != out.year:
            raise table.error(row, "year", f"decision {out.decision} is for {year} (row {first})")
        _check_duplicate(table, seen, (*key, out.unit), row, f"unit '{out.unit}' in this decision")
        rows.append(out)
    return rows


# --- members' targets: the long file (unit,criterion,target) or the grid template ---

# The grid template's unit columns, by the headers it writes (Vietnamese) and their English.
TEMPLATE_UNIT_COLUMNS = {
    "mã đơn vị": "code",
    "tên đơn vị": "name",
    "tên ngắn": "short_name",
    "unit code": "code",
    "unit name": "name",
    "short name": "short_name",
}
_TEMPLATE_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Tên ngắn")


@dataclass(frozen=True)
class TargetRow:
    """One target read from a file, with where it was: the caller resolves the unit (it may be
    named by its code, full name or short name) and the criterion, and its errors name the same
    row and column."""

    row: int
    column: str  # the value's column: 'target', or the criterion's code in the grid
    units: tuple[tuple[str, str], ...]  # (column, text) of each non-empty cell naming the unit
    criterion: str
    criterion_row: int  # where the criterion is named: this row, or the grid's header row
    criterion_column: str
    value: float


def read_target_rows(path: str | os.PathLike[str]) -> list[TargetRow]:
    """Targets from either the long file (unit,criterion,target, one target a row) or the grid
    template (`write_targets_template`: a title row, a header row of unit columns then one
    column per criterion code, a row of criterion names, one row per unit). A blank grid cell
    is no target at all (it changes nothing)."""
    table = _Table(path, ("unit", "criterion", "target"))
    head: list[list[Any]] = []
    for cells in table.raw():
        head.append(cells)
        if len(head) >= 10:
            break
    first = next((cells for cells in head if not all(_blank(c) for c in cells)), None)
    if first is None:
        raise table.error(None, None, "the file is empty (a header row is required)")
    if "unit" in {_header_text(c).lower() for c in first}:
        return _read_long_targets(table)
    for number, cells in enumerate(head, start=1):
        if cells and _header_text(cells[0]).lower() in TEMPLATE_UNIT_COLUMNS:
            return _read_grid_targets(table, number)
    raise table.error(
        None,
        None,
        "missing header row: expected columns unit, criterion, target, "
        "or the template's row starting with 'Mã đơn vị'",
    )


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _read_long_targets(table: _Table) -> list[TargetRow]:
    out: list[TargetRow] = []
    seen: dict[Any, int] = {}
    for row, cells in table.rows():
        unit = table.text(row, cells, "unit")
        criterion = table.text(row, cells, "criterion")
        value = table.number(row, cells, "target")
        _check_duplicate(
            table, seen, (unit, criterion), row, f"unit '{unit}', criterion '{criterion}'"
        )
        out.append(TargetRow(row, "target", (("unit", unit),), criterion, row, "criterion", value))
    return out


def _read_grid_targets(table: _Table, header_row: int) -> list[TargetRow]:
    rows = table.raw()
    header: list[str] = []
    unit_columns: list[str] = []
    criteria: list[str] = []
    names_row_done = False
    out: list[TargetRow] = []
    for number, cells in enumerate(rows, start=1):
        if number < header_row:
            continue  # the title
        if number == header_row:
            header = [_header_text(c) for c in cells]
            while header and not header[-1]:
                header.pop()
            kinds: set[str] = set()
            for name in header:
                kind = TEMPLATE_UNIT_COLUMNS.get(name.lower())
                if kind is None:
                    break
                if kind in kinds:
                    raise table.error(number, name, "column appears twice")
                kinds.add(kind)
                unit_columns.append(name)
            criteria = header[len(unit_columns) :]
            for index, code in enumerate(criteria):
                if not code:
                    column = _column_letter(len(unit_columns) + index)
                    raise table.error(number, column, "empty header: a criterion code is required")
                if code in criteria[:index]:
                    raise table.error(number, code, "column appears twice")
            continue
        if all(_blank(c) for c in cells):
            continue
        extra = [c for c in cells[len(header) :] if not _blank(c)]
        if extra:
            raise table.error(number, None, "more cells than header columns")
        values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header)}
        units = tuple(
            (name, text)
            for name in unit_columns
            if (text := table.text(number, values, name, required=False))
        )
        if not units:
            if not names_row_done:
                names_row_done = True  # the criterion names under the codes
                continue
            raise table.error(number, unit_columns[0], "empty: which unit is this row?")
        names_row_done = True
        for code in criteria:
            if _blank(values.get(code)):
                continue
            value = table.number(number, values, code)
            out.append(TargetRow(number, code, units, code, header_row, code, value))
    return out


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def write_targets_template(
    stream: IO[bytes],
    *,
    title: str,
    units: list[tuple[str, str, str]],
    criteria: list[tuple[str, str]],
    values: dict[tuple[str, str], float],
) -> None:
    """The grid template `read_target_rows` reads back: units as (code, name, short name),
    criteria as (code, name), values by (unit code, criterion code)."""
    from openpyxl import Workbook  # only needed for spreadsheets
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook holds one worksheet
    sheet.title = "Chỉ tiêu"
    sheet.append([title])
    sheet.append([*_TEMPLATE_HEADERS, *(code for code, _name in criteria)])
    sheet.append(["", "", "", *(name for _code, name in criteria)])
    for code, name, short_name in units:
        row: list[Any] = [code, name, short_name]
        for criterion, _name in criteria:
            value = values.get((code, criterion))
            row.append(None if value is None else (int(value) if value == int(value) else value))
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for cell in sheet[3]:
        cell.font = Font(italic=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 36
    sheet.column_dimensions["C"].width = 18
    sheet.freeze_panes = "D4"
    workbook.save(stream)
