"""score(): figures of one emulation year in, standings, explained lines and warnings out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from scoring.engine.classification import NO_CLASSIFICATION, classify
from scoring.engine.explain import Explainer, warning_text
from scoring.engine.feasibility import is_percent, out_of_range, unreachable_rows
from scoring.engine.formula import Formula, Missing, compile_formula
from scoring.engine.history import prev_columns
from scoring.engine.numbers import fmt_number, with_unit
from scoring.engine.rules import EPS, RuleColumn, apply_rule, clamp, compare
from scoring.engine.types import (
    BandExplanation,
    Criterion,
    DataElement,
    EngineWarning,
    Line,
    ManualEntry,
    Result,
    Scheme,
    Standing,
    Succession,
)


class _Warn(Protocol):
    """score()'s `warn`: records a warning for a member (or None) and criterion (or None)."""

    def __call__(
        self, unit: str | None, criterion: str | None, code: str, /, **values: object
    ) -> None: ...


_NO_TARGETS: Mapping[tuple[str, str], float] = {}
_NO_MANUAL: Mapping[tuple[str, str], ManualEntry] = {}


class _Tally:
    """Per-member running totals, kept as parallel lists for speed."""

    def __init__(self, n: int, groups: Sequence[str]) -> None:
        self.regular = [0.0] * n
        self.bonus = [0.0] * n
        self.deduction = [0.0] * n
        self.met_count = [0] * n
        self.eligible = [True] * n
        self.groups = {g: [0.0] * n for g in groups}


def score(
    scheme: Scheme,
    *,
    year: int,
    members: Sequence[str],
    figures: Mapping[tuple[str, int, str], float],
    targets: Mapping[tuple[str, str], float] = _NO_TARGETS,
    manual: Mapping[tuple[str, str], ManualEntry] = _NO_MANUAL,
    successions: Sequence[Succession] = (),
    language: str = "vi",
) -> Result:
    members = list(members)
    if len(set(members)) != len(members):
        raise ValueError("members must be distinct unit codes")
    n = len(members)
    elements = {e.code: e for e in scheme.data_elements}
    warnings: list[EngineWarning] = []

    def warn(unit: str | None, criterion: str | None, code: str, /, **values: object) -> None:
        message = warning_text(language, code, **values)
        warnings.append(EngineWarning(unit, criterion, code, message))

    columns: dict[str, list[float | None]] = {}
    for code in elements:
        # Raw values; the formula converts them and treats non-finite ones as not reported.
        columns[code] = [figures.get((m, year, code)) for m in members]
    reported = [False] * n
    for column in columns.values():
        for i, value in enumerate(column):
            if value is not None:
                reported[i] = True
    for i, m in enumerate(members):
        if not reported[i]:
            warn(m, None, "no_report", year=year)
    for i, code, value, bound in out_of_range(scheme.data_elements, columns, n):
        warn(
            members[i],
            None,
            "figure_out_of_range",
            element=code,
            value=fmt_number(value, language),
            bound=bound,
        )

    measures = {c.code: _measure(c, elements) for c in scheme.criteria}
    prev_needed = sorted({p for f in measures.values() if f is not None for p in f.prev_names})
    prev_cols, partial = prev_columns(members, year, prev_needed, figures, successions)
    for (i, code), absent in sorted(partial.items()):
        warn(members[i], None, "prev_partial", year=year - 1, element=code, units=", ".join(absent))

    overrides: dict[str, dict[str, float]] = {}
    for (unit, code), value in targets.items():
        overrides.setdefault(code, {})[unit] = float(value)
    manual_by_code: dict[str, dict[str, ManualEntry]] = {}
    for (unit, code), entry in manual.items():
        manual_by_code.setdefault(code, {})[unit] = entry

    tally = _Tally(n, scheme.groups)
    lines: dict[tuple[str, str], Line] = {}
    for criterion in scheme.criteria:
        _score_criterion(
            criterion,
            measures[criterion.code],
            members=members,
            year=year,
            columns=columns,
            prev_cols=prev_cols,
            reported=reported,
            override=overrides.get(criterion.code, {}),
            manual=manual_by_code.get(criterion.code, {}),
            elements=elements,
            language=language,
            tally=tally,
            lines=lines,
            warn=warn,
        )

    standings = _rank(scheme, members, tally, lines)
    return Result(year, scheme.name, tuple(standings), lines, tuple(warnings), language)


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if number - number == 0.0 else None


def _measure(criterion: Criterion, elements: Mapping[str, object]) -> Formula | None:
    if not criterion.measure.strip():
        if criterion.rule != "manual":
            raise ValueError(f"criterion {criterion.code!r} has no measure")
        return None
    return compile_formula(criterion.measure, names=elements.keys())


def _score_criterion(
    criterion: Criterion,
    formula: Formula | None,
    *,
    members: list[str],
    year: int,
    columns: Mapping[str, list[float | None]],
    prev_cols: Mapping[str, list[float | None]],
    reported: list[bool],
    override: Mapping[str, float],
    manual: Mapping[str, ManualEntry],
    elements: Mapping[str, DataElement],
    language: str,
    tally: _Tally,
    lines: dict[tuple[str, str], Line],
    warn: _Warn,
) -> None:
    """One criterion for every member at once: compare each value with its target, apply the
    rule, then write each member's line (manual points and knockouts included) into `lines`
    and its points into `tally`."""
    n = len(members)
    explainer = Explainer(criterion, language)
    values: list[float | Missing] = (
        formula.evaluate_detailed(columns, n, prev_cols) if formula is not None else [None] * n  # type: ignore[list-item]
    )
    default = None if criterion.target is None else float(criterion.target)
    if criterion.rule == "per_item":
        # Counts occurrences: neither the criterion's target nor a member's is read.
        default, override = None, {}
    target = [override.get(m, default) for m in members] if override else [default] * n
    if is_percent(criterion, formula, elements):
        _warn_targets_above_100(criterion, default, override, language, warn)
    compared = _compare_rows(
        criterion, values, target, has_target=bool(override) or default is not None
    )
    actual, ratio, eff, met, rows = compared
    scored = (
        apply_rule(criterion, rows, actual, target, ratio, eff, explainer, n)
        if criterion.rule != "manual"
        else None
    )
    scorable = set(rows)
    any_met = False
    for i, m in enumerate(members):
        if criterion.rule == "manual":
            shown, met_i, text = _manual_line(criterion, explainer, m, manual.get(m), warn)
        elif scored is not None and scored.direct and i in scorable:
            # per_item: the amount counted is what the line shows, taken away on a deduction.
            shown, met_i, text = scored.earned[i], scored.met[i], scored.lines[i]
        elif i in scorable and i not in scored.failures:  # type: ignore[union-attr]
            earned = scored.earned[i]  # type: ignore[union-attr]
            shown = criterion.points - earned if criterion.kind == "deduction" else earned
            met_i = met[i]
            text = explainer.scored(values[i], target[i], ratio[i], met_i, shown, scored.notes[i])  # type: ignore[arg-type, union-attr]
        else:
            shown, met_i = 0.0, False
            text = _missing_line(
                criterion, explainer, i, m, values[i], target[i], scored, reported, year, warn
            )
        shown, met_i, text = _adjusted(
            criterion, explainer, m, manual.get(m), shown, met_i, text, warn
        )
        text = _record(criterion, explainer, tally, i, shown, met_i, text)
        signed = (-shown if shown else 0.0) if criterion.kind == "deduction" else shown
        lines[(m, criterion.code)] = Line(
            m, criterion.code, actual[i], target[i], ratio[i], met_i, signed, text
        )
        any_met = any_met or met_i
    if n and not any_met and criterion.rule != "manual" and (default is not None or override):
        warn(None, criterion.code, "never_met", criterion=criterion.code)
    if formula is not None and rows:
        _warn_unreachable(
            criterion,
            formula,
            members,
            elements,
            columns,
            prev_cols,
            values,
            target,
            compared,
            language,
            warn,
        )


_Compared = tuple[list[float | None], list[float | None], list[float | None], list[bool], list[int]]


def _compare_rows(
    criterion: Criterion,
    values: list[float | Missing],
    target: list[float | None],
    *,
    has_target: bool,
) -> _Compared:
    """Which rows the rule can score (`rows`), with each one's actual value, ratio to its target,
    effective ratio and met flag."""
    n = len(values)
    rule = criterion.rule
    needs_target = rule in ("threshold", "proportional", "bands") or (
        rule == "relative" and has_target
    )
    actual: list[float | None] = [None] * n
    ratio: list[float | None] = [None] * n
    eff: list[float | None] = [None] * n
    met = [False] * n
    rows: list[int] = []
    for i in range(n):
        v = values[i]
        if v is None or v.__class__ is Missing:
            continue
        actual[i] = v  # type: ignore[assignment]
        t = target[i]
        if t is None:
            if not needs_target:
                rows.append(i)
            continue
        ratio[i], eff[i], met[i] = compare(v, t, criterion.direction)  # type: ignore[arg-type]
        rows.append(i)
    return actual, ratio, eff, met, rows


def _warn_targets_above_100(
    criterion: Criterion,
    default: float | None,
    override: Mapping[str, float],
    language: str,
    warn: _Warn,
) -> None:
    code = criterion.code
    if default is not None and default > 100.0:
        warn(None, code, "target_above_100", target=_pct(default, language), criterion=code)
    for m, given in override.items():
        if given > 100.0:
            warn(m, code, "target_above_100", target=_pct(given, language), criterion=code)


def _adjusted(
    criterion: Criterion,
    explainer: Explainer,
    member: str,
    entry: ManualEntry | None,
    shown: float,
    met: bool,
    text: str,
    warn: _Warn,
) -> tuple[float, bool, str]:
    """Points the secretariat set by hand on a computed criterion replace the computed ones."""
    if entry is None or criterion.rule == "manual":
        return shown, met, text
    set_to = _clamped_entry(criterion, explainer, member, entry, warn)
    text += explainer.adjusted(shown, set_to, entry.reason)
    # The secretariat's points decide "met" as on a manual criterion, so that the met count,
    # knockouts and every page agree with the points shown.
    return set_to, _met_by_points(criterion, set_to), text


def _record(
    criterion: Criterion,
    explainer: Explainer,
    tally: _Tally,
    i: int,
    shown: float,
    met: bool,
    text: str,
) -> str:
    """A member's points in the tally (signed for its group, a deduction counting down); a
    knockout not met makes the member ineligible and says so in the explanation it returns."""
    if criterion.knockout and not met:
        tally.eligible[i] = False
        text += explainer.knockout()
    kind = criterion.kind
    column = (
        tally.regular
        if kind == "regular"
        else (tally.bonus if kind == "bonus" else tally.deduction)
    )
    column[i] += shown
    tally.groups[criterion.group][i] += (-shown if shown else 0.0) if kind == "deduction" else shown
    if met:
        tally.met_count[i] += 1
    return text


def _warn_unreachable(
    criterion: Criterion,
    formula: Formula,
    members: list[str],
    elements: Mapping[str, DataElement],
    columns: Mapping[str, list[float | None]],
    prev_cols: Mapping[str, list[float | None]],
    values: list[float | Missing],
    target: list[float | None],
    compared: _Compared,
    language: str,
    warn: _Warn,
) -> None:
    _actual, _ratio, _eff, met, rows = compared
    unmet = [i for i in rows if not met[i] and target[i] is not None]
    for i, best, bounds in unreachable_rows(
        criterion, formula, elements, columns, prev_cols, values, target, unmet, language
    ):
        warn(
            members[i],
            criterion.code,
            "unreachable_target",
            target=with_unit(target[i], criterion.unit, language),  # type: ignore[arg-type]
            bounds=bounds,
            best=with_unit(best, criterion.unit, language),
        )


def _pct(value: float, language: str) -> str:
    return with_unit(value, "%", language)


def _missing_line(
    criterion: Criterion,
    explainer: Explainer,
    i: int,
    m: str,
    v: float | Missing | None,
    t: float | None,
    scored: RuleColumn | None,
    reported: Sequence[bool],
    year: int,
    warn: _Warn,
) -> str:
    """Explanation (and warning) for a row that the rule could not score."""
    code = criterion.code
    if scored is not None and i in scored.failures:
        why = scored.failures[i]
        warn(m, code, _warning_code(why), element=why.describe(), year=year, criterion=code)
        return explainer.formula_missing(why.describe())
    if isinstance(v, Missing):
        if reported[i]:
            year_of = year - 1 if v.prev else year
            warn(m, code, _warning_code(v), element=v.element, year=year_of, criterion=code)
        return explainer.missing(v.code, v.describe())
    # Measure present but no target for this member.
    warn(m, code, "missing_target", criterion=code)
    return explainer.missing("missing_target", None)


def _warning_code(missing: Missing) -> str:
    return missing.code if missing.code in ("missing_figure", "division_by_zero") else "overflow"


def _clamped_entry(
    criterion: Criterion, explainer: Explainer, unit: str, entry: ManualEntry, warn: _Warn
) -> float:
    value = float(entry.points)
    kept = clamp(value, criterion.points)
    if abs(kept - value) > EPS:
        warn(
            unit,
            criterion.code,
            "manual_out_of_range",
            entered=explainer.num(value),
            criterion=criterion.code,
            max=explainer.max,
            points=explainer.num(kept),
        )
    return kept


def _manual_line(
    criterion: Criterion,
    explainer: Explainer,
    unit: str,
    entry: ManualEntry | None,
    warn: _Warn,
) -> tuple[float, bool, str]:
    if entry is None:
        warn(unit, criterion.code, "manual_missing", criterion=criterion.code)
        # A deduction nobody entered takes nothing away; a regular item earns nothing.
        return 0.0, criterion.kind == "deduction", explainer.manual_missing()
    shown = _clamped_entry(criterion, explainer, unit, entry, warn)
    text = explainer.manual(shown, entry.reason)
    if abs(shown - float(entry.points)) > EPS:
        text += explainer.clamped(float(entry.points), shown)
    return shown, _met_by_points(criterion, shown), text


def _met_by_points(criterion: Criterion, shown: float) -> bool:
    """Points entered by hand meet a criterion when they are its full points (a deduction:
    nothing taken away)."""
    return shown <= EPS if criterion.kind == "deduction" else shown >= criterion.points - EPS


def _rank(
    scheme: Scheme, members: list[str], tally: _Tally, lines: Mapping[tuple[str, str], Line]
) -> list[Standing]:
    n = len(members)
    totals = [tally.regular[i] + tally.bonus[i] - tally.deduction[i] for i in range(n)]
    keys = []
    for i, m in enumerate(members):
        key: list[float] = [-round(totals[i], 6)]
        for tie in scheme.tie_break:
            if tie == "met_count":
                key.append(-tally.met_count[i])
            elif tie.startswith("group:"):
                key.append(-round(tally.groups.get(tie[6:], [0.0] * n)[i], 6))
            elif tie.startswith("criterion:"):
                line = lines.get((m, tie[10:]))
                key.append(-round(line.points, 6) if line is not None else 0.0)
        keys.append(tuple(key))
    order = sorted(range(n), key=lambda i: (keys[i], members[i]))
    ranks = [0] * n
    for position, i in enumerate(order):
        if position and keys[i] == keys[order[position - 1]]:
            ranks[i] = ranks[order[position - 1]]
        else:
            ranks[i] = position + 1  # competition ranking: 1, 1, 3
    standings = []
    for i in order:
        explanation = _explain_band(scheme, members[i], totals[i], tally.eligible[i], lines)
        standings.append(
            Standing(
                unit=members[i],
                total=totals[i],
                regular=tally.regular[i],
                bonus=tally.bonus[i],
                deduction=tally.deduction[i],
                met_count=tally.met_count[i],
                rank=ranks[i],
                band=explanation.band,
                eligible=tally.eligible[i],
                group_points={g: col[i] for g, col in tally.groups.items()},
                band_explanation=explanation,
            )
        )
    return standings


def _explain_band(
    scheme: Scheme,
    unit: str,
    total: float,
    eligible: bool,
    lines: Mapping[tuple[str, str], Line],
) -> BandExplanation:
    """The member's band and why, from its lines: the share of its points each regular criterion
    earned (bonus and deduction criteria do not count for min_each) and its knockouts."""
    bands = scheme.classification
    if not bands:
        return NO_CLASSIFICATION
    knockout = None
    if not eligible:
        for c in scheme.criteria:
            if c.knockout and not lines[(unit, c.code)].met:
                knockout = (c.code, c.name)
                break
    shares: list[tuple[str, str, float]] = []
    if knockout is None and any(b.min_each is not None for b in bands):
        for c in scheme.criteria:
            if c.kind == "regular" and c.points > 0.0:
                shares.append((c.code, c.name, lines[(unit, c.code)].points / c.points))
    return classify(bands, total=total, shares=shares, knockout=knockout)
