"""Scheme versions: import a scheme file into a year, store it as a new version, export it."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import overload

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear
from scoring import engine
from scoring.engine.formula import compile_formula, not_a_count
from scoring.engine.formula_tokens import FormulaError
from scoring.engine.scheme_file import CRITERION_KEYS
from scoring.errors import ReasonRequired, ScoringError, YearLocked
from scoring.models import Band, Criterion, CriterionGroup, DataElement, Scheme
from scoring.ranking.services.dirty import year_mark_dirty
from scoring.schemes.selectors import scheme_in_force, scheme_to_engine, set_scheme_in_force


@overload
def _dec(value: float) -> Decimal: ...
@overload
def _dec(value: float | None) -> Decimal | None: ...


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


MAX_NUMBER = 10**14


def _check_fits(scheme: engine.Scheme) -> None:
    """Numbers and texts must fit their columns (NUMBER is 18 digits with 4 decimals)."""

    def number(value: float | None, where: str) -> None:
        if value is not None and abs(value) >= MAX_NUMBER:
            raise ScoringError(
                _("%(where)s: số quá lớn để lưu (%(value)s).") % {"where": where, "value": value}
            )

    def text(value: str | None, limit: int, where: str) -> None:
        if value is not None and len(value) > limit:
            raise ScoringError(
                _("%(where)s: dài quá %(limit)s ký tự.") % {"where": where, "limit": limit}
            )

    number(scheme.scale, "scale")
    text(scheme.name, 300, "name")
    for e in scheme.data_elements:
        text(e.code, 60, f"data_elements {e.code}")
        text(e.name, 300, f"data_elements {e.code}: name")
        number(e.min, f"data_elements {e.code}: min")
        number(e.max, f"data_elements {e.code}: max")
    for c in scheme.criteria:
        where = f"criteria {c.code}"
        text(c.code, 40, where)
        text(c.group, 300, f"{where}: group")
        text(c.name, 500, f"{where}: name")
        text(c.measure, 2000, f"{where}: measure")
        text(c.unit, 40, f"{where}: unit")
        number(c.target, f"{where}: target")
        number(c.points, f"{where}: points")
    for b in scheme.classification:
        text(b.band, 100, f"classification {b.band[:20]}")
        number(b.min_total, f"classification {b.band}: min_total")


def scheme_create_version(
    *,
    emulation_year: EmulationYear,
    scheme: engine.Scheme,
    source: str = "",
    reason: str = "",
    actor: Actor = None,
) -> Scheme:
    """Store `scheme` as the year's next version and put it in force.

    The first version needs no reason; every later one is an amendment and does. A published
    year's scheme is immutable: reopen the year first.
    """
    _check_fits(scheme)
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        if year.is_published:
            raise YearLocked(
                _("Năm %(year)s của %(cluster)s đã công bố kết quả: thang điểm không thể thay đổi.")
                % {"year": year.year, "cluster": year.cluster}
            )
        previous = year.schemes.order_by("-version").first()
        if previous is not None and not reason.strip():
            raise ReasonRequired(
                _("Thay đổi thang điểm đã có cần ghi rõ lý do (sửa đổi giao ước).")
            )
        # At most one version a year is in force (a constraint): the previous one leaves first.
        year.schemes.filter(in_force=True).update(in_force=False)
        row = Scheme.objects.create(
            emulation_year=year,
            in_force=True,
            version=(previous.version + 1) if previous else 1,
            name=scheme.name,
            format=scheme.format,
            scale=_dec(scheme.scale),
            tie_break=list(scheme.tie_break),
            source=source,
            reason=reason.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _store_parts(row, scheme)
        before = {"scheme": previous.pk, "version": previous.version} if previous else None
        set_scheme_in_force(emulation_year, row)
        audit_record(
            actor=actor,
            action="scheme.version",
            obj=row,
            emulation_year_id=year.pk,
            summary=f"Thang điểm “{row.name}” phiên bản {row.version} áp dụng cho năm {year.year}",
            before=before,
            after={"scheme": row.pk, "version": row.version, "criteria": len(scheme.criteria)},
            reason=reason.strip(),
        )
        year_mark_dirty(emulation_year_id=year.pk)
    return row


def _store_parts(row: Scheme, scheme: engine.Scheme) -> None:
    """A new version's data elements, criterion groups, criteria and bands, in their order."""
    DataElement.objects.bulk_create(
        [
            DataElement(
                scheme=row,
                position=i,
                code=e.code,
                name=e.name,
                definition=e.definition,
                type=e.type,
                min_value=_dec(e.min),
                max_value=_dec(e.max),
                max_element=e.max_element or "",
            )
            for i, e in enumerate(scheme.data_elements)
        ]
    )
    groups = {}
    for i, name in enumerate(scheme.groups):
        groups[name] = CriterionGroup.objects.create(scheme=row, position=i, name=name)
    Criterion.objects.bulk_create(
        [
            Criterion(
                scheme=row,
                group=groups[c.group],
                position=i,
                code=c.code,
                name=c.name,
                definition=c.definition,
                measure=c.measure,
                target=_dec(c.target),
                unit=c.unit or "",
                direction=c.direction,
                points=_dec(c.points),
                kind=c.kind,
                rule=c.rule,
                params=dict(c.params),
                knockout=c.knockout,
            )
            for i, c in enumerate(scheme.criteria)
        ]
    )
    Band.objects.bulk_create(
        [
            Band(
                scheme=row,
                position=i,
                name=b.band,
                min_total=_dec(b.min_total),
                min_each=_dec(b.min_each),
            )
            for i, b in enumerate(scheme.classification)
        ]
    )


def scheme_import(
    *,
    emulation_year: EmulationYear,
    data: bytes | str,
    filename: str,
    reason: str = "",
    actor: Actor = None,
) -> tuple[Scheme, list[str]]:
    """Parse a scheme file (YAML or JSON) and store it as the year's next version. Raises
    engine.SchemeError naming the file and the place for a bad file; nothing is written then."""
    parsed, warnings = engine.parse_scheme(data, filename=filename)
    source = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    row = scheme_create_version(
        emulation_year=emulation_year, scheme=parsed, source=source, reason=reason, actor=actor
    )
    return row, warnings


# A scheme file is small; a larger upload is refused before it is read.
SCHEME_UPLOAD_MAX_BYTES = 1024 * 1024


def scheme_import_upload(
    *, emulation_year: EmulationYear, upload: UploadedFile, reason: str = "", actor: Actor = None
) -> tuple[Scheme, list[str]]:
    """An uploaded scheme file as the year's next version (`scheme_import`). A refusal of the
    file's content (engine.SchemeError, naming the file and the place) is a ScoringError on the
    form's file field; the others (too large, a missing reason, a published year) are the form's."""
    assert upload.name is not None and upload.size is not None  # a posted file has both
    if upload.size > SCHEME_UPLOAD_MAX_BYTES:
        raise ScoringError(
            _("%(file)s: tệp thang điểm quá lớn (tối đa 1 MB).") % {"file": upload.name}
        )
    try:
        return scheme_import(
            emulation_year=emulation_year,
            data=upload.read(),
            filename=upload.name,
            reason=reason,
            actor=actor,
        )
    except engine.SchemeError as error:
        raise ScoringError(str(error), field="file") from None


def scheme_export(*, scheme: Scheme) -> str:
    return engine.dump_scheme(scheme_to_engine(scheme))


# What a form may change in a criterion: every key of the file format but its identity.
CRITERION_FIELDS = tuple(k for k in CRITERION_KEYS if k not in ("code", "group"))


def scheme_amend_criterion(
    *,
    emulation_year: EmulationYear,
    code: str,
    changes: dict,
    reason: str,
    expected_scheme_id: int | None = None,
    actor: Actor = None,
) -> Scheme:
    """A new scheme version in which criterion `code` is changed; checked as a scheme file would
    be (formula names and syntax, rule parameters), and recorded with its reason."""
    with transaction.atomic():
        # Read the version in force under the year's lock: two edits built on the same version
        # must not silently undo each other.
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        in_force = scheme_in_force(year)
        if in_force is None:
            raise ScoringError(_("Năm này chưa có thang điểm."))
        if expected_scheme_id is not None and in_force.pk != expected_scheme_id:
            raise ScoringError(
                _(
                    "Thang điểm vừa được sửa thành phiên bản %(version)s trong lúc bạn sửa: "
                    "hãy mở lại tiêu chí để xem thay đổi rồi sửa tiếp."
                )
                % {"version": in_force.version}
            )
        return _amend(year, in_force, code, changes, reason, actor)


def _amend(
    emulation_year: EmulationYear,
    in_force: Scheme,
    code: str,
    changes: dict,
    reason: str,
    actor: Actor,
) -> Scheme:
    current = scheme_to_engine(in_force)
    if code not in {c.code for c in current.criteria}:
        raise ScoringError(_("Không có tiêu chí “%(code)s”.") % {"code": code})
    unknown = set(changes) - set(CRITERION_FIELDS)
    if unknown:
        raise ScoringError(_("Không sửa được: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    criteria = tuple(
        dataclasses.replace(c, **changes) if c.code == code else c for c in current.criteria
    )
    amended = dataclasses.replace(current, criteria=criteria)
    text = engine.dump_scheme(amended)
    try:
        engine.parse_scheme(text, filename=_("tiêu chí %(code)s") % {"code": code})
    except engine.SchemeError as error:
        changed = next(c for c in criteria if c.code == code)
        field = "measure" if _measure_refused(changed, amended) else None
        raise ScoringError(str(error), field=field) from None
    return scheme_create_version(
        emulation_year=emulation_year, scheme=amended, source=text, reason=reason, actor=actor
    )


def _measure_refused(criterion: engine.Criterion, scheme: engine.Scheme) -> bool:
    """Whether the scheme file's check refuses this criterion's measure — empty where the rule
    needs one, a formula that does not compile over the scheme's data elements, or one that is
    not a count under rule per_item — so that the refusal is shown on the measure's field."""
    if not criterion.measure.strip():
        return criterion.rule != Criterion.Rule.MANUAL
    try:
        formula = compile_formula(criterion.measure, names=[e.code for e in scheme.data_elements])
    except FormulaError:
        return True
    if criterion.rule == Criterion.Rule.PER_ITEM:
        types = {e.code: e.type for e in scheme.data_elements}
        return not_a_count(formula, types) is not None
    return False
