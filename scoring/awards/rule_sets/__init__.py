"""The rule sets in force: those the app ships (award-rules/1 files, one per legal basis, with the
dates each is in force — NĐ 98/2023/NĐ-CP until 30/6/2025, NĐ 152/2025/NĐ-CP from 1/7/2025) and
those the system administrator uploaded (scoring.models.AwardRuleSetFile): the newest upload of a
code replaces the shipped file of that code; a new code adds a rule set (a new decree).

Every process keeps the parsed rule sets under a generation (a digest of the uploads, kept in the
cache for GENERATION_SECONDS and read from the database when the cache has none): an upload makes
every process sharing the cache (Redis in production) read them again on its next call, without a
query a call; a process with a cache of its own (the embedded default's local memory) within
GENERATION_SECONDS."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache

from scoring.documents.kinds import KINDS
from scoring.engine.awards import AwardKind, RuleSet, RuleSetError, parse_rule_set, rule_set_for

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)
GENERATION_KEY = "award-rule-sets:generation"
# How long a generation read from the database is trusted: the bound on a stale one (a process
# that read the rows just before an upload, a cache of one's own, an update the cache lost).
GENERATION_SECONDS = 60


@dataclass(frozen=True)
class Source:
    """Where a rule set in force comes from: a file shipped with the app, or an upload."""

    file_name: str
    upload_id: int | None = None
    version: int | None = None


@functools.cache
def shipped_rule_sets() -> tuple[RuleSet, ...]:
    return tuple(rule_set for rule_set, _source in _shipped())


@functools.cache
def _shipped() -> tuple[tuple[RuleSet, Source], ...]:
    return tuple(
        (parse(path.read_bytes(), filename=path.name), Source(path.name))
        for path in sorted(HERE.glob("*.yaml"))
    )


def parse(data: bytes | str, *, filename: str) -> RuleSet:
    """A rule set file as the app reads it: a generated document of a checklist names one of the
    documents room's kinds."""
    return parse_rule_set(data, filename=filename, document_kinds=tuple(KINDS))


def shipped_content(code: str) -> bytes | None:
    for rule_set, source in _shipped():
        if rule_set.code == code:
            return (HERE / source.file_name).read_bytes()
    return None


def _uploads_generation() -> str:
    from scoring.models import AwardRuleSetFile

    rows = AwardRuleSetFile.objects.order_by("pk").values_list("pk", "sha256")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def rule_sets_generation() -> str:
    """What changes whenever an upload changes the rule sets in force (a page cached under a key
    that holds it is made again)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = _uploads_generation()
        # `add`, not `set`: an upload's own generation, set meanwhile, is not overwritten by
        # this older read.
        cache.add(GENERATION_KEY, generation, GENERATION_SECONDS)
    return generation


def uploads_changed() -> None:
    """Called after an upload commits: every process reads the rule sets again."""
    cache.set(GENERATION_KEY, _uploads_generation(), GENERATION_SECONDS)


_by_generation: dict[str, tuple[tuple[RuleSet, Source], ...]] = {}


def rule_sets_with_sources() -> tuple[tuple[RuleSet, Source], ...]:
    """The rule sets in force with where each comes from, oldest first."""
    generation = rule_sets_generation()
    found = _by_generation.get(generation)
    if found is None:
        found = _combine()
        _by_generation.clear()
        _by_generation[generation] = found
    return found


def _combine() -> tuple[tuple[RuleSet, Source], ...]:
    """The shipped rule sets, each replaced by the newest upload of its code that the reader
    still accepts (a version stored under an older reader and refused by this one — the reader's
    bounds may tighten — is passed over, logged, for the one before it), and the new codes."""
    from scoring.models import AwardRuleSetFile

    combined = {rule_set.code: (rule_set, source) for rule_set, source in _shipped()}
    replaced: set[str] = set()
    for upload in AwardRuleSetFile.objects.order_by("code", "-version"):
        if upload.code in replaced:
            continue
        try:
            rule_set = parse(upload.content, filename=upload.file_name)
        except RuleSetError as error:
            logger.error(
                "award rule set %s v%s passed over: %s", upload.code, upload.version, error
            )
            continue
        combined[upload.code] = (rule_set, Source(upload.file_name, upload.pk, upload.version))
        replaced.add(upload.code)
    return tuple(sorted(combined.values(), key=lambda pair: pair[0].effective_from))


def rule_sets() -> tuple[RuleSet, ...]:
    return tuple(rule_set for rule_set, _source in rule_sets_with_sources())


def award_kind_named(
    code: str, *, on: dt.date, sets: tuple[RuleSet, ...] | None = None
) -> AwardKind | None:
    """The award kind `code` as the rule set in force on `on` defines it — or, for a date no
    rule set covers (decisions before 2024), as the earliest rule set that knows it. `sets`:
    the rule sets in force, read once by a caller that names many."""
    sets = sets if sets is not None else rule_sets()
    in_force = [s for s in sets if s.in_force_on(on)]
    for rule_set in [*in_force, *sets]:
        if code in rule_set.awards:
            return rule_set.awards[code]
    return None


def rule_set_on(day: dt.date) -> RuleSet:
    """The rule set in force on `day` (the law of the day a dossier is received)."""
    return rule_set_for(rule_sets(), day)
