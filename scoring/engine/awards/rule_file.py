"""Rule set files (format `award-rules/1`, YAML or JSON): read with the scheme file's limits, checked
whole before anything is used — an unknown condition kind or award kind, a parameter of the
wrong type, a cycle of `eligible_for` conditions: refused, naming the file and the rule."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from typing import Any

from scoring.engine.awards.types import (
    CONDITION_KINDS,
    DOCUMENT_KINDS,
    DOSSIER_SOURCES,
    HOLD_KINDS,
    LEVELS,
    AwardKind,
    Cap,
    Clocks,
    Condition,
    CouncilVote,
    DossierItem,
    RuleSet,
)
from scoring.engine.scheme_load import SchemeError, load_document

FORMAT = "award-rules/1"
# A dossier document's code: it names the file in the package sent to the national system.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A rule set's and an award kind's code: in addresses, the register and the package's folders.
MAX_CODE = 60
# Bounds a file built to exhaust the server meets (each far above any real rule's): award kinds
# a rule set, links of a chain of `eligible_for` conditions, years a history condition looks
# back, working days of a clock, a prize's multiple of the base salary (the register keeps
# 999.99 at most), a rank and a member count.
MAX_AWARDS = 200
MAX_CHAIN = 10
MAX_YEARS = 50
MAX_CLOCK_DAYS = 365
MAX_PRIZE = 999.99
_MAX_VALUE = {"rank": 100_000, "years": MAX_YEARS, "within": MAX_YEARS, "ending": MAX_YEARS}
_MAX_VALUE |= {"min_percent": 100, "min": 1_000_000_000}


class RuleSetError(ValueError):
    """A rule set that cannot be accepted; the message names the file and the rule."""


# The parameters each condition kind takes, with their types.
_PARAMS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "leads_cluster": {},
    "min_band": {"band": str},
    "knockouts_met": {},
    "max_rank": {"rank": int},
    "min_rating": {"rating": str},
    "rating_streak": {"rating": str, "years": int},
    "held_award": {"awards": list, "within": int},
    "award_streak": {"awards": list, "years": int, "ending": int},
    "member_share": {"measure": str, "of": str, "min_percent": (int, float)},
    "member_count": {"measure": str, "min": (int, float)},
    "any_of": {"conditions": list},
    "eligible_for": {"award": str},
}
_OPTIONAL = {"held_award": {"within"}, "award_streak": {"ending"}}
assert set(_PARAMS) == set(CONDITION_KINDS)


def parse_rule_set(
    data: bytes | str, *, filename: str, document_kinds: Collection[str] = DOCUMENT_KINDS
) -> RuleSet:
    """A rule set file read and checked whole. `document_kinds`: the kinds of document the app
    generates, which a generated item of a dossier's checklist must name (the documents room's
    list; the engine's copy by default)."""
    try:
        document = load_document(data, filename)
    except SchemeError as error:
        raise RuleSetError(str(error)) from None
    if not isinstance(document, dict):
        raise RuleSetError(f"{filename}: a rule set is a mapping")
    reader = _Reader(filename, tuple(document_kinds))
    rule_set = reader.rule_set(document)
    check_references(rule_set, filename=filename)
    return rule_set


class _Reader:
    def __init__(self, filename: str, document_kinds: tuple[str, ...]) -> None:
        self.filename = filename
        self.document_kinds = document_kinds

    def fail(self, where: str, message: str) -> RuleSetError:
        return RuleSetError(f"{self.filename}: {where}: {message}")

    def rule_set(self, doc: dict[str, Any]) -> RuleSet:
        if doc.get("format") != FORMAT:
            raise self.fail("format", f"must be {FORMAT!r}, not {doc.get('format')!r}")
        unknown = set(doc) - {
            "format", "code", "name", "effective_from", "effective_to", "cite", "ratings",
            "holds", "predecessors", "clocks", "awards", "band_ratings",
        }  # fmt: skip
        if unknown:
            raise self.fail("top level", f"unknown keys {sorted(unknown)}")
        code = self.code(doc, "top level")
        starts = self.date(doc.get("effective_from"), "effective_from")
        if starts is None:
            raise self.fail("effective_from", "a date (YYYY-MM-DD) is required")
        ends = self.date(doc.get("effective_to"), "effective_to")
        if ends is not None and ends < starts:
            raise self.fail("effective_to", "before effective_from")
        predecessors = doc.get("predecessors", "none")
        if predecessors not in ("none", "any", "all"):
            raise self.fail("predecessors", "one of none, any, all")
        holds = tuple(doc.get("holds", HOLD_KINDS))
        if bad := [h for h in holds if h not in HOLD_KINDS]:
            raise self.fail("holds", f"unknown {bad}; known: {list(HOLD_KINDS)}")
        awards = doc.get("awards")
        if not isinstance(awards, list) or not awards:
            raise self.fail("awards", "a non-empty list of award kinds")
        if len(awards) > MAX_AWARDS:
            raise self.fail("awards", f"at most {MAX_AWARDS} award kinds")
        kinds: dict[str, AwardKind] = {}
        for i, entry in enumerate(awards, 1):
            kind = self.award(entry, f"awards[{i}]")
            if kind.code in kinds:
                raise self.fail(f"awards[{i}]", f"award kind {kind.code!r} twice")
            kinds[kind.code] = kind
        return RuleSet(
            code=code,
            name=self.text(doc, "name", "top level"),
            effective_from=starts,
            effective_to=ends,
            awards=kinds,
            ratings=self.ratings(doc.get("ratings", [])),
            holds=holds,
            predecessors=predecessors,
            band_ratings=self.band_ratings(doc.get("band_ratings", {})),
            clocks=self.clocks(doc.get("clocks", {})),
            cite=str(doc.get("cite", "")),
        )

    def text(self, doc: dict[str, Any], key: str, where: str) -> str:
        value = doc.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{key!r} must be a non-empty text")
        return value.strip()

    def code(self, doc: dict[str, Any], where: str) -> str:
        code = self.text(doc, "code", where)
        if not _SLUG.fullmatch(code) or len(code) > MAX_CODE:
            raise self.fail(
                where,
                f"code {code!r}: up to {MAX_CODE} lower-case letters, digits and hyphens "
                "(it is part of addresses and file names)",
            )
        return code

    def date(self, value: Any, where: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(where, f"not a date (YYYY-MM-DD): {value!r}") from None

    def ratings(self, entries: Any) -> tuple[tuple[str, str, str], ...]:
        if not isinstance(entries, list):
            raise self.fail("ratings", "a list of {code, name, name_en}, best first")
        out = []
        for i, entry in enumerate(entries, 1):
            if not isinstance(entry, dict):
                raise self.fail(f"ratings[{i}]", "a mapping")
            code = self.text(entry, "code", f"ratings[{i}]")
            out.append((code, self.text(entry, "name", code), str(entry.get("name_en", code))))
        return tuple(out)

    def band_ratings(self, doc: Any) -> dict[str, str]:
        if not isinstance(doc, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in doc.items()
        ):
            raise self.fail("band_ratings", "a mapping of band names to rating codes")
        return dict(doc)

    def clocks(self, doc: Any) -> Clocks:
        if not isinstance(doc, dict):
            raise self.fail("clocks", "a mapping")
        values = {}
        for key in ("return_days", "appraise_days", "forward_days"):
            if key in doc:
                value = doc[key]
                if not isinstance(value, int) or isinstance(value, bool):
                    raise self.fail(f"clocks.{key}", "a positive whole number of working days")
                if not 0 < value <= MAX_CLOCK_DAYS:
                    raise self.fail(f"clocks.{key}", f"between 1 and {MAX_CLOCK_DAYS} working days")
                values[key] = doc[key]
        return Clocks(**values, cite=str(doc.get("cite", "")))

    def award(self, entry: Any, where: str) -> AwardKind:
        if not isinstance(entry, dict):
            raise self.fail(where, "an award kind is a mapping")
        code = self.code(entry, where)
        where = f"award {code}"
        level = entry.get("level")
        if level not in LEVELS:
            raise self.fail(where, f"level must be one of {list(LEVELS)}, not {level!r}")
        prize = entry.get("prize_multiple")
        if prize is not None and (
            isinstance(prize, bool)
            or not isinstance(prize, int | float)
            or not 0 <= prize <= MAX_PRIZE  # NaN fails both comparisons
        ):
            raise self.fail(where, f"prize_multiple must be a number from 0 to {MAX_PRIZE}")
        conditions = entry.get("conditions", [])
        if not isinstance(conditions, list):
            raise self.fail(where, "conditions must be a list")
        return AwardKind(
            code=code,
            name=self.text(entry, "name", where),
            name_en=str(entry.get("name_en") or entry["name"]),
            level=level,
            collective=bool(entry.get("collective", True)),
            merit=bool(entry.get("merit", True)),
            prize_multiple=float(prize) if prize is not None else None,
            conditions=tuple(
                self.condition(c, f"{where}, condition {i}") for i, c in enumerate(conditions, 1)
            ),
            cap=self.cap(entry.get("cap"), where),
            council=self.council(entry.get("council"), where),
            cite=str(entry.get("cite", "")),
            dossier=self.dossier(entry.get("dossier", []), where),
        )

    def dossier(self, entries: Any, where: str) -> tuple[DossierItem, ...]:
        """The dossier's checklist: a list of {code, name, name_en, source, document, required,
        cite}; a generated item names the kind of document it is made as."""
        where = f"{where}, dossier"
        if not isinstance(entries, list):
            raise self.fail(where, "a list of documents {code, name, source, required}")
        items: list[DossierItem] = []
        for i, entry in enumerate(entries, 1):
            if not isinstance(entry, dict):
                raise self.fail(f"{where}[{i}]", "a document is a mapping")
            known = {"code", "name", "name_en", "source", "document", "required", "cite"}
            if unknown := set(entry) - known:
                raise self.fail(f"{where}[{i}]", f"unknown keys {sorted(unknown)}")
            code = self.text(entry, "code", f"{where}[{i}]")
            if not _SLUG.fullmatch(code) or len(code) > 40:
                raise self.fail(
                    f"{where}[{i}]",
                    f"code {code!r}: up to 40 lower-case letters, digits and hyphens",
                )
            if any(item.code == code for item in items):
                raise self.fail(f"{where}[{i}]", f"document {code!r} twice")
            source = entry.get("source", "upload")
            if source not in DOSSIER_SOURCES:
                raise self.fail(
                    f"{where}[{i}]",
                    f"source must be one of {list(DOSSIER_SOURCES)}, not {source!r}",
                )
            document = self.document(entry, source, f"{where}[{i}]", code)
            required = entry.get("required", True)
            if not isinstance(required, bool):
                raise self.fail(f"{where}[{i}]", "required is true or false")
            name = self.text(entry, "name", f"{where}[{i}]")
            items.append(
                DossierItem(
                    code=code,
                    name=name,
                    name_en=str(entry.get("name_en") or name),
                    source=source,
                    required=required,
                    cite=str(entry.get("cite", "")),
                    document=document,
                )
            )
        return tuple(items)

    def document(self, entry: dict[str, Any], source: str, where: str, code: str) -> str:
        """The kind a generated item is made as: required for it, refused for an upload."""
        document = entry.get("document")
        if source != "generated":
            if document is not None:
                raise self.fail(
                    where,
                    f"document {code!r}: 'document' is for a generated document "
                    "(source: generated)",
                )
            return ""
        if document is None:
            raise self.fail(
                where,
                f"document {code!r} is generated: 'document' must name the kind it is made as, "
                f"one of {list(self.document_kinds)}",
            )
        if document not in self.document_kinds:
            raise self.fail(
                where,
                f"document {code!r}: {document!r} is not a kind of document the app generates; "
                f"known: {list(self.document_kinds)}",
            )
        return str(document)

    def condition(self, entry: Any, where: str) -> Condition:
        if not isinstance(entry, dict) or "kind" not in entry:
            raise self.fail(where, "a condition is a mapping with a 'kind'")
        kind = entry["kind"]
        if kind not in _PARAMS:
            raise self.fail(where, f"unknown condition kind {kind!r}; known: {list(_PARAMS)}")
        params = {k: v for k, v in entry.items() if k not in ("kind", "cite")}
        expected = _PARAMS[kind]
        if unknown := set(params) - set(expected):
            raise self.fail(where, f"{kind}: unknown keys {sorted(unknown)}")
        for key, typ in expected.items():
            if key not in params:
                if key in _OPTIONAL.get(kind, ()):
                    continue
                raise self.fail(where, f"{kind}: {key!r} is required")
            value = params[key]
            if isinstance(value, bool) or not isinstance(value, typ):
                raise self.fail(where, f"{kind}: {key!r} has the wrong type ({value!r})")
            if isinstance(value, int | float):
                high = _MAX_VALUE.get(key, 1_000_000_000)
                # (NaN and the infinities fail the comparisons too.)
                ok = 0 <= value <= high if key == "ending" else 0 < value <= high
                if not ok:
                    low = "from 0" if key == "ending" else "above 0"
                    raise self.fail(where, f"{kind}: {key!r} must be {low}, up to {high:,}")
        if kind in ("held_award", "award_streak") and not all(
            isinstance(a, str) for a in params["awards"]
        ):
            raise self.fail(where, f"{kind}: 'awards' is a list of award kind codes")
        nested: tuple[Condition, ...] = ()
        if kind == "any_of":
            nested = tuple(
                self.condition(c, f"{where}, alternative {i}")
                for i, c in enumerate(params.pop("conditions"), 1)
            )
            if len(nested) < 2:
                raise self.fail(where, "any_of needs at least two alternatives")
        return Condition(kind, params, cite=str(entry.get("cite", "")), conditions=nested)

    def cap(self, doc: Any, where: str) -> Cap | None:
        if doc is None:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("share_percent"), int | float):
            raise self.fail(f"{where}, cap", "a mapping with share_percent")
        share = float(doc["share_percent"])
        if not 0 < share <= 100:
            raise self.fail(f"{where}, cap", "share_percent between 0 and 100")
        if doc.get("of", "leaders") not in ("leaders", "proposals"):
            raise self.fail(f"{where}, cap", "of: leaders or proposals")
        if doc.get("rounding", "down") not in ("down", "nearest", "up"):
            raise self.fail(f"{where}, cap", "rounding: down, nearest or up")
        return Cap(
            share_percent=share,
            of=doc.get("of", "leaders"),
            rounding=doc.get("rounding", "down"),
            min_one=bool(doc.get("min_one", False)),
            cite=str(doc.get("cite", "")),
        )

    def council(self, doc: Any, where: str) -> CouncilVote | None:
        if doc is None:
            return None
        threshold = doc.get("threshold_percent") if isinstance(doc, dict) else None
        if not isinstance(threshold, int | float) or not 0 < threshold <= 100:
            raise self.fail(f"{where}, council", "threshold_percent between 0 and 100")
        base = doc.get("base", "all_members")
        if base not in ("all_members", "voting"):
            raise self.fail(f"{where}, council", "base: all_members or voting")
        return CouncilVote(float(threshold), base, cite=str(doc.get("cite", "")))


def _references(conditions: Iterable[Condition]) -> Iterable[tuple[str, str]]:
    """(kind, award code) of every award a condition names, alternatives included."""
    for c in conditions:
        if c.kind == "eligible_for":
            yield c.kind, c.params["award"]
        elif c.kind in ("held_award", "award_streak"):
            for code in c.params["awards"]:
                yield c.kind, code
        yield from _references(c.conditions)


def check_references(rule_set: RuleSet, *, filename: str) -> None:
    """Every award a condition names exists; `eligible_for` never leads back to itself."""
    graph: dict[str, set[str]] = {}
    for code, kind in rule_set.awards.items():
        graph[code] = set()
        for ref_kind, ref in _references(kind.conditions):
            if ref not in rule_set.awards:
                raise RuleSetError(
                    f"{filename}: award {code}: {ref_kind} names an unknown award kind {ref!r}"
                )
            if ref_kind == "eligible_for":
                graph[code].add(ref)
    for band, rating in rule_set.band_ratings.items():
        if rule_set.rating_position(rating) is None:
            raise RuleSetError(f"{filename}: band_ratings: unknown rating {rating!r} for {band!r}")
    for kind in rule_set.awards.values():
        for c in kind.conditions:
            for sub in (c, *c.conditions):
                if sub.kind in ("min_rating", "rating_streak") and (
                    rule_set.rating_position(sub.params["rating"]) is None
                ):
                    raise RuleSetError(
                        f"{filename}: award {kind.code}: unknown rating {sub.params['rating']!r}"
                    )
    _check_chains(graph, filename)


def _check_chains(graph: dict[str, set[str]], filename: str) -> None:
    """No `eligible_for` leads back to itself, and no chain of them is longer than MAX_CHAIN
    links (the engine follows a chain when it judges). Without recursion: a file may hold
    MAX_AWARDS award kinds."""
    depth: dict[str, int] = {}  # the longest chain from a code, once known
    for start in sorted(graph):
        if start in depth:
            continue
        path = [start]
        on_path = {start}
        pending = [iter(sorted(graph[start]))]
        while pending:
            ref = next(pending[-1], None)
            if ref is None:
                code = path.pop()
                on_path.discard(code)
                pending.pop()
                depth[code] = 1 + max((depth[r] for r in graph[code]), default=-1)
                if depth[code] > MAX_CHAIN:
                    raise RuleSetError(
                        f"{filename}: award {code}: a chain of more than {MAX_CHAIN} "
                        "eligible_for conditions"
                    )
                continue
            if ref in on_path:
                cycle = " → ".join([*path[path.index(ref) :], ref])
                raise RuleSetError(f"{filename}: award {ref}: a cycle of conditions ({cycle})")
            if ref not in depth:
                path.append(ref)
                on_path.add(ref)
                pending.append(iter(sorted(graph[ref])))


def rule_set_for(rule_sets: Iterable[RuleSet], received_on: dt.date) -> RuleSet:
    """The rule set in force on the day a dossier is received (the law of that day applies)."""
    found = [r for r in rule_sets if r.in_force_on(received_on)]
    if not found:
        raise RuleSetError(f"no rule set in force on {received_on.isoformat()}")
    if len(found) > 1:
        names = ", ".join(r.code for r in found)
        raise RuleSetError(f"several rule sets in force on {received_on.isoformat()}: {names}")
    return found[0]
