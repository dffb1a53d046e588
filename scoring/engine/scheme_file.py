"""Reading and writing scheme files (format `emulation-scheme/1`, YAML or JSON).

The file is a public contract: secretariats write it by hand and exchange it by e-mail, so it is
read defensively (size, depth and count limits; no YAML anchors, aliases or tags; duplicate keys
refused) and every problem is a `SchemeError` that names the file and the place. Unknown keys
are accepted with a warning so that a newer file still loads in an older version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import yaml

from scoring.engine.formula import RESERVED, compile_formula, not_a_count
from scoring.engine.formula_tokens import FormulaError
from scoring.engine.rules import RULE_VARIABLES
from scoring.engine.scheme_load import SchemeError, load_document
from scoring.engine.types import (
    DIRECTIONS,
    ELEMENT_TYPES,
    KINDS,
    RULES,
    SCHEME_FORMAT,
    Band,
    Criterion,
    DataElement,
    Scheme,
)

MAX_ITEMS = 2000
# per_item's `each` and `per` at most what a stored number holds (18 digits, 4 of them
# decimals: scoring/models/schemes.py): beyond it a product of floats would not be written.
MAX_STEP = 1e14

_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Codes are stored in columns of these lengths (scoring/models/schemes.py).
ELEMENT_CODE_MAX = 60
CRITERION_CODE_MAX = 40
# A criterion code is part of web addresses (the criterion's edit page), file names, CSV and
# spreadsheet cells: ASCII letters, digits, ".", "_" and "-", starting with a letter or digit — no
# "/" (a 500 on the scheme page), no "=" (a formula in a spreadsheet), no space. See
# docs/scheme-format.md.
CRITERION_CODE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{CRITERION_CODE_MAX - 1}}}\Z")
TOP_KEYS = ("format", "name", "scale", "data_elements", "criteria", "classification", "tie_break")
ELEMENT_KEYS = ("code", "name", "definition", "type", "min", "max", "max_element")
CRITERION_KEYS = (
    "code",
    "group",
    "name",
    "definition",
    "measure",
    "target",
    "direction",
    "points",
    "kind",
    "rule",
    "knockout",
    "unit",
)
PARAM_KEYS = ("cap", "floor", "else_points", "bands", "points_formula", "each", "per")
BAND_KEYS = ("band", "min_total", "min_each")
# Which parameters each rule reads; others are accepted with a warning.
RULE_PARAMS = {
    "threshold": {"else_points"},
    "proportional": {"cap", "floor"},
    "bands": {"bands"},
    "relative": set(),
    "formula": {"points_formula"},
    "manual": set(),
    "per_item": {"each", "per"},
}


# --- validation ----------------------------------------------------------------------------


class _Reader:
    """Validates one document, collecting warnings; errors carry the file and key path."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.warnings: list[str] = []

    def fail(self, path: str, message: str) -> SchemeError:
        return SchemeError(
            f"{self.filename}: {path}: {message}" if path else f"{self.filename}: {message}"
        )

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping of keys, not {_kind(value)}")
        return value

    def unknown(self, data: Mapping[str, Any], known: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in known:
                where = f"{path}: " if path else ""
                self.warnings.append(f"{self.filename}: {where}unknown key '{key}' ignored")

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        default: str | None = "",
        nonempty: bool = False,
    ) -> Any:
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, f"{key}: is required")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(path, f"{key}: must be text, not {_kind(value)}")
        value = str(value)
        if nonempty and not value.strip():
            raise self.fail(path, f"{key}: must not be empty")
        return value

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        default: float | None = None,
        low: float | None = None,
        high: float | None = None,
        above: float | None = None,
    ) -> float | None:
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, f"{key}: is required")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"{key}: must be a number, not {_kind(value)}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail(path, f"{key}: must be a finite number")
        if low is not None and number < low:
            raise self.fail(path, f"{key}: must be at least {low:g}, not {number:g}")
        if high is not None and number > high:
            raise self.fail(path, f"{key}: must be at most {high:g}, not {number:g}")
        if above is not None and number <= above:
            raise self.fail(path, f"{key}: must be greater than {above:g}, not {number:g}")
        return number

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        choices: tuple[str, ...],
        default: str | None = None,
    ) -> str:
        value = data.get(key)
        if value is None:
            if default is None:
                raise self.fail(path, f"{key}: is required (one of {', '.join(choices)})")
            return default
        if value not in choices:
            raise self.fail(path, f"{key}: must be one of {', '.join(choices)}, not {value!r}")
        return str(value)

    def listing(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, not {_kind(value)}")
        if len(value) > MAX_ITEMS:
            raise self.fail(key, f"more than {MAX_ITEMS:,} items")
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def parse_scheme(data: bytes | str, *, filename: str = "<scheme>") -> tuple[Scheme, list[str]]:
    """Parse and validate a scheme file; returns the scheme and warnings (unknown keys…)."""
    document = load_document(data, filename)
    reader = _Reader(filename)
    top = reader.mapping(document, "")
    reader.unknown(top, TOP_KEYS, "")
    fmt = top.get("format")
    if fmt != SCHEME_FORMAT:
        raise reader.fail("format", f"must be '{SCHEME_FORMAT}', not {fmt!r}")
    name = reader.text(top, "name", "", nonempty=True)
    scale = reader.number(top, "scale", "", required=True, above=0.0)
    elements = _elements(reader, top)
    criteria = _criteria(reader, top, elements)
    bands = _bands(reader, top)
    scheme = Scheme(
        name=name,
        scale=scale,  # type: ignore[arg-type]
        data_elements=elements,
        criteria=criteria,
        classification=bands,
        tie_break=(),
        format=SCHEME_FORMAT,
    )
    tie_break = _tie_break(reader, top, scheme)
    return Scheme(
        name=name,
        scale=scale,  # type: ignore[arg-type]
        data_elements=elements,
        criteria=criteria,
        classification=bands,
        tie_break=tie_break,
    ), reader.warnings


def _elements(reader: _Reader, top: Mapping[str, Any]) -> tuple[DataElement, ...]:
    items = reader.listing(top, "data_elements")
    codes: list[str] = []
    raw: list[tuple[str, Mapping[str, Any]]] = []
    for index, item in enumerate(items):
        path = f"data_elements[{index}]"
        data = reader.mapping(item, path)
        code = reader.text(data, "code", path, nonempty=True)
        path = f"{path} (code '{code}')"
        if not _CODE.match(code) or code in RESERVED:
            raise reader.fail(
                path,
                "code: must be letters, digits and _ (not starting with a digit) and not a "
                "reserved word, so that formulas can name it",
            )
        if len(code) > ELEMENT_CODE_MAX:
            raise reader.fail(path, f"code: longer than {ELEMENT_CODE_MAX} characters")
        if code in codes:
            raise reader.fail(path, f"code: '{code}' is used twice")
        codes.append(code)
        raw.append((path, data))
    out = []
    for (path, data), code in zip(raw, codes, strict=True):
        reader.unknown(data, ELEMENT_KEYS, path)
        low = reader.number(data, "min", path)
        high = reader.number(data, "max", path)
        if low is not None and high is not None and low > high:
            raise reader.fail(path, f"min {low:g} is above max {high:g}")
        max_element = reader.text(data, "max_element", path, required=False, default=None)
        if max_element is not None and (max_element not in codes or max_element == code):
            raise reader.fail(path, f"max_element: unknown data element '{max_element}'")
        out.append(
            DataElement(
                code=code,
                name=reader.text(data, "name", path, nonempty=True),
                definition=reader.text(data, "definition", path, required=False),
                type=reader.choice(data, "type", path, ELEMENT_TYPES),
                min=low,
                max=high,
                max_element=max_element,
            )
        )
    return tuple(out)


def _criteria(
    reader: _Reader, top: Mapping[str, Any], elements: tuple[DataElement, ...]
) -> tuple[Criterion, ...]:
    items = reader.listing(top, "criteria")
    if not items:
        raise reader.fail("criteria", "must list at least one criterion")
    names = [e.code for e in elements]
    types = {e.code: e.type for e in elements}
    seen: set[str] = set()
    out = []
    for index, item in enumerate(items):
        path = f"criteria[{index}]"
        data = reader.mapping(item, path)
        code = reader.text(data, "code", path, nonempty=True)
        path = f"{path} (code '{code}')"
        if not CRITERION_CODE.match(code):
            raise reader.fail(
                path,
                f"code: '{code}' must be 1 to {CRITERION_CODE_MAX} of letters, digits, '.', '_' "
                "and '-' (ASCII, starting with a letter or digit), so that it can be part of a web "
                "address and a spreadsheet cell",
            )
        if code in seen:
            raise reader.fail(path, f"code: '{code}' is used twice")
        seen.add(code)
        reader.unknown(data, CRITERION_KEYS + PARAM_KEYS, path)
        rule = reader.choice(data, "rule", path, RULES, default="proportional")
        points = reader.number(data, "points", path, required=True, low=0.0)
        measure = reader.text(data, "measure", path, required=rule != "manual")
        if rule != "manual" and not measure.strip():
            raise reader.fail(
                path, "measure: must not be empty (only a manual rule has no measure)"
            )
        if measure.strip():
            try:
                formula = compile_formula(measure, names=names)
            except FormulaError as exc:
                raise reader.fail(path, f"measure: {exc}") from None
            if rule == "per_item":
                reason = not_a_count(formula, types)
                if reason is not None:
                    raise reader.fail(
                        path, f"measure: rule per_item counts occurrences, but {reason}"
                    )
        if rule == "per_item":
            # Points per occurrence compare nothing with a target; a file that gives one (or a
            # direction) was likely written for another rule: say so rather than ignore it.
            if data.get("target") is not None:
                reader.warnings.append(
                    f"{reader.filename}: {path}: target is ignored by rule per_item"
                )
            if data.get("direction") not in (None, "higher"):
                reader.warnings.append(
                    f"{reader.filename}: {path}: direction is ignored by rule per_item"
                )
        out.append(
            Criterion(
                code=code,
                group=reader.text(data, "group", path, nonempty=True),
                name=reader.text(data, "name", path, nonempty=True),
                definition=reader.text(data, "definition", path, required=False),
                measure=measure,
                target=reader.number(data, "target", path),
                direction=reader.choice(data, "direction", path, DIRECTIONS, default="higher"),
                points=points,  # type: ignore[arg-type]
                kind=reader.choice(data, "kind", path, KINDS, default="regular"),
                rule=rule,
                params=_params(reader, data, path, rule, points),  # type: ignore[arg-type]
                knockout=_flag(reader, data, "knockout", path),
                unit=reader.text(data, "unit", path, required=False, default=None),
            )
        )
    return tuple(out)


def _flag(reader: _Reader, data: Mapping[str, Any], key: str, path: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise reader.fail(path, f"{key}: must be true or false, not {value!r}")
    return value


def _params(
    reader: _Reader, data: Mapping[str, Any], path: str, rule: str, points: float
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key in PARAM_KEYS:
        if key in data and data[key] is not None and key not in RULE_PARAMS[rule]:
            reader.warnings.append(f"{reader.filename}: {path}: {key} is ignored by rule {rule}")
    if "cap" in data and data["cap"] is not None:
        params["cap"] = reader.number(data, "cap", path, above=0.0)
        if rule == "proportional" and params["cap"] > 1.0:
            reader.warnings.append(
                f"{reader.filename}: {path}: cap above 1 has no effect, points never exceed "
                "the criterion's points"
            )
    if "floor" in data and data["floor"] is not None:
        params["floor"] = reader.number(data, "floor", path, low=0.0)
    if "else_points" in data and data["else_points"] is not None:
        params["else_points"] = reader.number(data, "else_points", path, low=0.0, high=points)
    if data.get("bands") is not None or rule == "bands":
        params["bands"] = _rule_bands(reader, data, path, points, required=rule == "bands")
    if data.get("each") is not None or rule == "per_item":
        if data.get("each") is None:
            raise reader.fail(path, "each: is required by rule per_item")
        params["each"] = reader.number(data, "each", path, above=0.0, high=MAX_STEP)
    if data.get("per") is not None:
        params["per"] = reader.number(data, "per", path, above=0.0, high=MAX_STEP)
    if data.get("points_formula") is not None or rule == "formula":
        text = reader.text(data, "points_formula", path, required=rule == "formula")
        try:
            compile_formula(text, names=(), allow=RULE_VARIABLES)
        except FormulaError as exc:
            raise reader.fail(path, f"points_formula: {exc}") from None
        params["points_formula"] = text
    return params


def _rule_bands(
    reader: _Reader, data: Mapping[str, Any], path: str, points: float, *, required: bool
) -> tuple[dict[str, float], ...]:
    value = data.get("bands")
    if value is None and required:
        raise reader.fail(path, "bands: is required by rule bands")
    if not isinstance(value, list) or not value:
        raise reader.fail(path, "bands: must be a non-empty list of {min_ratio, points}")
    if len(value) > MAX_ITEMS:
        raise reader.fail(path, f"bands: more than {MAX_ITEMS:,} items")
    out = []
    for index, item in enumerate(value):
        where = f"{path}: bands[{index}]"
        band = reader.mapping(item, where)
        reader.unknown(band, ("min_ratio", "points"), where)
        out.append(
            {
                "min_ratio": reader.number(band, "min_ratio", where, required=True),
                "points": reader.number(band, "points", where, required=True, low=0.0, high=points),
            }
        )
    # Highest threshold first: the first band reached is the one that counts.
    out.sort(key=lambda b: -b["min_ratio"])  # type: ignore[operator]
    return tuple(out)  # type: ignore[arg-type]


def _bands(reader: _Reader, top: Mapping[str, Any]) -> tuple[Band, ...]:
    out = []
    seen = set()
    for index, item in enumerate(reader.listing(top, "classification", required=False)):
        path = f"classification[{index}]"
        data = reader.mapping(item, path)
        reader.unknown(data, BAND_KEYS, path)
        name = reader.text(data, "band", path, nonempty=True)
        if name in seen:
            raise reader.fail(path, f"band: '{name}' is used twice")
        seen.add(name)
        out.append(
            Band(
                band=name,
                min_total=reader.number(data, "min_total", path, default=0.0),  # type: ignore[arg-type]
                min_each=reader.number(data, "min_each", path, low=0.0, high=1.0),
            )
        )
    return tuple(out)


def _tie_break(reader: _Reader, top: Mapping[str, Any], scheme: Scheme) -> tuple[str, ...]:
    groups = set(scheme.groups)
    codes = {c.code for c in scheme.criteria}
    out = []
    for index, key in enumerate(reader.listing(top, "tie_break", required=False)):
        path = f"tie_break[{index}]"
        if not isinstance(key, str):
            raise reader.fail(path, f"must be text, not {_kind(key)}")
        if key == "met_count":
            pass
        elif key.startswith("group:"):
            if key[6:] not in groups:
                raise reader.fail(path, f"unknown group '{key[6:]}'")
        elif key.startswith("criterion:"):
            if key[10:] not in codes:
                raise reader.fail(path, f"unknown criterion '{key[10:]}'")
        else:
            raise reader.fail(
                path, f"must be met_count, group:<group> or criterion:<code>, not {key!r}"
            )
        out.append(key)
    return tuple(out)


# --- writing -------------------------------------------------------------------------------


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    """The scheme as the file structure, keys in documented order (parse_scheme reads it back)."""
    elements = []
    for e in scheme.data_elements:
        item: dict[str, Any] = {
            "code": e.code,
            "name": e.name,
            "definition": e.definition,
            "type": e.type,
        }
        if e.min is not None:
            item["min"] = _num(e.min)
        if e.max is not None:
            item["max"] = _num(e.max)
        if e.max_element is not None:
            item["max_element"] = e.max_element
        elements.append(item)
    criteria = []
    for c in scheme.criteria:
        item = {
            "code": c.code,
            "group": c.group,
            "name": c.name,
            "definition": c.definition,
            "measure": c.measure,
            "target": _num(c.target),
            "direction": c.direction,
            "points": _num(c.points),
            "kind": c.kind,
            "rule": c.rule,
        }
        if c.knockout:
            item["knockout"] = True
        if c.unit is not None:
            item["unit"] = c.unit
        for key in PARAM_KEYS:
            if key not in c.params:
                continue
            value = c.params[key]
            if key == "bands":
                item[key] = [
                    {"min_ratio": _num(b["min_ratio"]), "points": _num(b["points"])}
                    if isinstance(b, Mapping)
                    else {"min_ratio": _num(b[0]), "points": _num(b[1])}
                    for b in value
                ]
            elif key == "points_formula":
                item[key] = value
            else:
                item[key] = _num(value)
        criteria.append(item)
    out: dict[str, Any] = {
        "format": scheme.format,
        "name": scheme.name,
        "scale": _num(scheme.scale),
        "data_elements": elements,
        "criteria": criteria,
    }
    if scheme.classification:
        out["classification"] = []
        for band in scheme.classification:
            entry: dict[str, Any] = {"band": band.band, "min_total": _num(band.min_total)}
            if band.min_each is not None:
                entry["min_each"] = _num(band.min_each)
            out["classification"].append(entry)
    if scheme.tie_break:
        out["tie_break"] = list(scheme.tie_break)
    return out


def dump_scheme(scheme: Scheme) -> str:
    return yaml.safe_dump(scheme_to_dict(scheme), allow_unicode=True, sort_keys=False, width=100)
