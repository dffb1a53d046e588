"""Members' targets made easy: last year's targets copied (successions applied), a prefilled
spreadsheet template, and an upload that names units the way people write them."""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.audit import Actor
from clusters.models import EmulationYear, Unit
from clusters.selectors import successions_all, unit_predecessor_codes
from emulation.uploads import saved_upload
from scoring.engine.input_files import (
    InputFileError,
    TargetRow,
    read_target_rows,
    write_targets_template,
)
from scoring.errors import ScoringError
from scoring.models import Criterion, MemberTarget
from scoring.setup.selectors import target_criteria, target_members
from scoring.setup.services.opening import targets_set

# The model's precision (NUMBER in scoring/models/schemes.py): a file's value is rounded to it
# so that a value read back from the template compares equal to the stored one.
_PLACES = Decimal("0.0001")


# --- the upload: units by code, full name or short name ---


def _normal(text: str) -> str:
    """How two ways of writing a unit's name are compared: Unicode NFC (Vietnamese typed on
    different keyboards), spaces collapsed, case ignored."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def unit_names_index(units: list[Unit]) -> dict[str, set[int]]:
    """Each way of naming a unit (code, full name, short name) → the units it names."""
    index: dict[str, set[int]] = {}
    for unit in units:
        for text in (unit.code, unit.name, unit.short_name):
            if text and text.strip():
                index.setdefault(_normal(text), set()).add(unit.pk)
    return index


def targets_from_rows(
    *, rows: list[TargetRow], filename: str, units: list[Unit], criteria: list[Criterion]
) -> dict[tuple[int, str], Decimal]:
    """The targets of a file's rows as (unit id, criterion code) → target. A unit not among the
    members, a name that fits several members, a criterion not in the scheme or a unit named
    twice is refused with the file, row and column."""
    index = unit_names_index(units)
    names = {u.pk: u.label for u in units}
    codes = {c.code for c in criteria}
    result: dict[tuple[int, str], Decimal] = {}
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        unit_id = None
        for column, text in row.units:
            found = index.get(_normal(text), set())
            if not found:
                raise InputFileError(
                    filename,
                    row.row,
                    column,
                    _(
                        "không có đơn vị “%(text)s” trong các thành viên năm này "
                        "(ghi mã, tên đầy đủ hoặc tên ngắn của đơn vị)"
                    )
                    % {"text": text},
                )
            if len(found) > 1:
                raise InputFileError(
                    filename,
                    row.row,
                    column,
                    _("“%(text)s” có thể là nhiều đơn vị (%(units)s): hãy ghi mã đơn vị")
                    % {"text": text, "units": ", ".join(sorted(names[i] for i in found))},
                )
            (found_id,) = found
            if unit_id is not None and found_id != unit_id:
                raise InputFileError(
                    filename,
                    row.row,
                    column,
                    _("“%(text)s” là đơn vị khác với đơn vị ghi ở ô trước trên cùng dòng")
                    % {"text": text},
                )
            unit_id = found_id
        assert unit_id is not None  # a row names its unit in one cell at least (the reader's rule)
        if row.criterion not in codes:
            raise InputFileError(
                filename,
                row.criterion_row,
                row.criterion_column,
                _("tiêu chí “%(code)s” không có trong thang điểm (hoặc được chấm tay)")
                % {"code": row.criterion},
            )
        if abs(row.value) >= 10**14:
            raise InputFileError(filename, row.row, row.column, _("chỉ tiêu quá lớn"))
        key = (unit_id, row.criterion)
        if key in seen:
            raise InputFileError(
                filename,
                row.row,
                row.column,
                _("trùng với dòng %(row)s (cùng đơn vị %(unit)s, tiêu chí %(code)s)")
                % {"row": seen[key], "unit": names[unit_id], "code": row.criterion},
            )
        seen[key] = row.row
        result[key] = Decimal(str(row.value)).quantize(_PLACES)
    return result


def targets_from_upload(
    *, upload: UploadedFile, units: list[Unit], criteria: list[Criterion]
) -> dict[tuple[int, str], Decimal]:
    """Read an uploaded targets file — the long unit,criterion,target file or the grid template —
    with the engine's reader; units may be named by code, full name or short name. Errors
    (InputFileError) name the file, row and column."""
    assert upload.name is not None  # a posted file has one
    suffix = os.path.splitext(upload.name)[1].lower() or ".csv"
    if suffix not in {".csv", ".xlsx"}:
        raise InputFileError(upload.name, None, None, _("chỉ nhận tệp .csv hoặc .xlsx"))
    with saved_upload(upload, suffix) as path:
        try:
            rows = read_target_rows(path)
        except InputFileError as error:
            raise InputFileError(upload.name, error.row, error.column, error.message) from None
    return targets_from_rows(rows=rows, filename=upload.name, units=units, criteria=criteria)


def targets_save(
    *,
    emulation_year: EmulationYear,
    grid: dict[tuple[int, str], Decimal | None],
    upload: UploadedFile | None = None,
    units: list[Unit],
    criteria: list[Criterion],
    reason: str = "",
    actor: Actor = None,
) -> int:
    """The targets grid's changed cells, and over them those of an uploaded file, set through
    `targets_set`. A file that cannot be read is refused on the upload's field:
    ScoringError(field="upload") naming the file, row and column. Returns the targets changed."""
    if upload is not None:
        try:
            grid = {**grid, **targets_from_upload(upload=upload, units=units, criteria=criteria)}
        except InputFileError as error:
            raise ScoringError(str(error), field="upload") from None
    return targets_set(
        emulation_year=emulation_year,
        targets=grid,
        reason=reason,
        actor=actor,
        note=f"tệp {upload.name}" if upload is not None else "",
    )


# --- the template ---


def targets_template(*, emulation_year: EmulationYear) -> bytes:
    """The xlsx grid of the year's members × criteria, prefilled with their own targets, that
    the upload reads back unchanged."""
    units = target_members(emulation_year=emulation_year)
    criteria = target_criteria(emulation_year=emulation_year)
    codes = {u.pk: u.code for u in units}
    values = {
        (codes[t.unit_id], t.criterion_code): float(t.target)
        for t in MemberTarget.objects.filter(emulation_year=emulation_year)
        if t.unit_id in codes
    }
    stream = io.BytesIO()
    write_targets_template(
        stream,
        title=_("Chỉ tiêu năm %(year)s — %(cluster)s (ô trống: áp dụng chỉ tiêu chung)")
        % {"year": emulation_year.year, "cluster": emulation_year.cluster.name},
        units=[(u.code, u.name, u.short_name) for u in units],
        criteria=[(c.code, c.name) for c in criteria],
        values=values,
    )
    return stream.getvalue()


# --- last year's targets ---


@dataclass(frozen=True)
class CopyCell:
    unit: Unit
    criterion: Criterion
    sources: tuple[tuple[Unit, Decimal], ...]  # last year's targets it could come from
    current: Decimal | None  # this year's target in the cell, if any

    @property
    def value(self) -> Decimal:
        return self.sources[0][1]


@dataclass
class CopyPlan:
    """What copying last year's targets would do, cell by cell."""

    previous: EmulationYear | None
    to_fill: list[CopyCell] = field(default_factory=list)  # empty cell, one source
    to_overwrite: list[CopyCell] = field(default_factory=list)  # another value, one source
    several: list[CopyCell] = field(default_factory=list)  # several sources: not copied
    unchanged: int = 0  # the cell already holds last year's value
    no_source: int = 0  # neither the unit nor its predecessors had a target of its own

    def targets(self, *, overwrite: bool) -> dict[tuple[int, str], Decimal]:
        cells = self.to_fill + (self.to_overwrite if overwrite else [])
        return {(c.unit.pk, c.criterion.code): c.value for c in cells}


def targets_copy_plan(*, emulation_year: EmulationYear) -> CopyPlan:
    """For each member and criterion of this year, last year's own target of the same unit or
    of the units that merged into it (UnitSuccession, through any number of mergers).

    A value is copied only where exactly one such target exists. Where several predecessors had
    one, none is copied: summing them is wrong for a rate (60 % + 60 % is not 120 %) and not
    safe for a count either (the merged unit's target is a decision, not arithmetic), so the
    cell is listed for the secretariat to fill."""
    previous = (
        EmulationYear.objects.filter(
            cluster_id=emulation_year.cluster_id, year__lt=emulation_year.year
        )
        .order_by("-year")
        .first()
    )
    plan = CopyPlan(previous=previous)
    if previous is None:
        return plan
    units = target_members(emulation_year=emulation_year)
    criteria = target_criteria(emulation_year=emulation_year)
    current = {
        (t.unit_id, t.criterion_code): t.target
        for t in MemberTarget.objects.filter(emulation_year=emulation_year)
    }
    last: dict[tuple[str, str], tuple[Unit, Decimal]] = {
        (t.unit.code, t.criterion_code): (t.unit, t.target)
        for t in MemberTarget.objects.filter(emulation_year=previous)
        .select_related("unit")
        .order_by("unit__name")
    }
    links = successions_all()
    for unit in units:
        family = [unit.code, *sorted(unit_predecessor_codes(unit_code=unit.code, links=links))]
        for criterion in criteria:
            sources = tuple(
                last[(code, criterion.code)] for code in family if (code, criterion.code) in last
            )
            cell = CopyCell(unit, criterion, sources, current.get((unit.pk, criterion.code)))
            if not sources:
                plan.no_source += 1
            elif len(sources) > 1:
                plan.several.append(cell)
            elif cell.current is None:
                plan.to_fill.append(cell)
            elif cell.current == cell.value:
                plan.unchanged += 1
            else:
                plan.to_overwrite.append(cell)
    return plan


def targets_copy_last_year(
    *, emulation_year: EmulationYear, overwrite: bool, reason: str = "", actor: Actor = None
) -> tuple[int, CopyPlan]:
    """Copy last year's targets into this year's empty cells (and, if `overwrite`, over the
    cells that hold another value), through `targets_set`: audited, and with a reason once the
    pledge is signed. The plan is made under the year's lock that every target write takes, so
    a cell filled in between is seen. Returns (targets changed, the plan applied)."""
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        plan = targets_copy_plan(emulation_year=year)
        changed = targets_set(
            emulation_year=year,
            targets=plan.targets(overwrite=overwrite),
            reason=reason,
            actor=actor,
            note=f"chép từ năm {plan.previous.year}" if plan.previous else "",
        )
    return changed, plan
