"""What the eligibility engine reads and returns: rule sets as data (award kinds, their conditions,
caps and council thresholds, with the dates they are in force), a unit's history (its years in
the clusters, the awards decided for it, the holds on it, its predecessors) and the verdicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# The levels an award is conferred at, lowest first.
LEVELS = ("cluster", "vca", "ministry", "province", "government", "state")

# What a condition may ask of a unit's history (docs/awards.md describes each with an example).
CONDITION_KINDS = (
    "leads_cluster",  # led its cluster (or block) in the year
    "min_band",  # the cluster's classification at least `band`
    "knockouts_met",  # every knock-out criterion of the cluster's scheme met
    "max_rank",  # ranked `rank` or better in its cluster
    "min_rating",  # its task rating at least `rating` (the rule set's ratings, best first)
    "rating_streak",  # `rating` or better in each of the `years` years ending with the year
    "held_award",  # one of `awards` decided for one of the `within` years ending with the year
    "award_streak",  # one of `awards` in each of `years` consecutive years ending `ending` back
    "member_share",  # its `measure` is at least `min_percent` % of its `of` (member-level counts)
    "member_count",  # its `measure` is at least `min`
    "any_of",  # at least one of `conditions`
    "eligible_for",  # meets every condition of award kind `award` in the same year
)

HOLD_KINDS = ("discipline", "inspection", "complaint")

# Where a year's "leads its cluster" comes from: the unit the conference proposed under the
# cluster's award kind for the leading unit; the first of the ranking, where the year has no such
# proposal (history imported without a conference); or, for that very award kind at its own
# conference, the vote about to be held.
LEADS_BY_VOTE, LEADS_BY_RANK, LEADS_BY_THIS_VOTE = "vote", "rank", "this_vote"
LEADS_BY = (LEADS_BY_VOTE, LEADS_BY_RANK, LEADS_BY_THIS_VOTE)


@dataclass(frozen=True)
class Condition:
    kind: str
    params: dict[str, Any]
    cite: str = ""
    # any_of: the alternatives.
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Cap:
    """At most `share_percent` % of the `of` (leaders considered, or proposals), rounded
    `rounding`; `min_one`: at least one even when the share rounds to zero — a deliberate choice
    that the verdicts show, never the default."""

    share_percent: float
    of: str = "leaders"
    rounding: str = "down"
    min_one: bool = False
    cite: str = ""


@dataclass(frozen=True)
class CouncilVote:
    """The awarding level's council votes by secret ballot; a proposal passes with at least
    `threshold_percent` % of the `base`: all of the council's members, or those voting."""

    threshold_percent: float
    base: str = "all_members"
    cite: str = ""


# Where a document of the dossier comes from: uploaded by the proposing level, or generated from
# the app's data (the conference's minutes and results; an upload of the signed copy also counts).
DOSSIER_SOURCES = ("upload", "generated")
# The kinds of document the documents room generates (scoring/documents/kinds.py: DocumentKind),
# which a generated item names with `document:`. The engine keeps its own copy (it imports
# nothing of Django); the shipped rule sets are read against the room's own list, and a test
# holds the two equal.
DOCUMENT_KINDS = ("pledge", "results", "score_sheet", "minutes", "proposal")


@dataclass(frozen=True)
class DossierItem:
    """A document the dossier for an award kind must (or may) hold: tờ trình, báo cáo thành tích,
    biên bản with the vote results, an agency's confirmation."""

    code: str
    name: str
    name_en: str
    source: str = "upload"
    required: bool = True
    cite: str = ""
    # The documents room's kind a `generated` item is made as ("minutes", "proposal"); empty for
    # an uploaded one.
    document: str = ""

    def label(self, language: str) -> str:
        return self.name_en if language == "en" else self.name


@dataclass(frozen=True)
class AwardKind:
    code: str
    name: str
    name_en: str
    level: str
    collective: bool = True
    merit: bool = True  # themed and sudden awards do not count toward merit awards
    prize_multiple: float | None = None  # of the base salary
    conditions: tuple[Condition, ...] = ()
    cap: Cap | None = None
    council: CouncilVote | None = None
    cite: str = ""
    # The dossier's checklist, in the order the documents are filed.
    dossier: tuple[DossierItem, ...] = ()


@dataclass(frozen=True)
class Clocks:
    """Working days the awarding level has: to return an ineligible dossier, to appraise and
    submit it, to forward the decision."""

    return_days: int = 5
    appraise_days: int = 20
    forward_days: int = 10
    cite: str = ""


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    awards: dict[str, AwardKind]
    ratings: tuple[
        tuple[str, str, str], ...
    ] = ()  # (code, Vietnamese name, English name), best first
    holds: tuple[str, ...] = HOLD_KINDS
    # Whether the awards and years of the units a unit succeeded count as its own: "none",
    # "any" (one predecessor's is enough) or "all" (every predecessor's).
    predecessors: str = "none"
    # The task rating a cluster's classification stands for, where no rating is recorded
    # ("Xuất sắc" → htxsnv): the product's reading, editable in the file.
    band_ratings: dict[str, str] = field(default_factory=dict)
    clocks: Clocks = field(default_factory=Clocks)
    cite: str = ""

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def rating_position(self, code: str | None) -> int | None:
        codes = [r[0] for r in self.ratings]
        return codes.index(code) if code in codes else None

    def rating_of(self, record: YearRecord) -> str | None:
        if record.rating is not None:
            return record.rating
        return self.band_ratings.get(record.band) if record.band else None

    def rating_name(self, code: str, language: str) -> str:
        for r_code, vi, en in self.ratings:
            if r_code == code:
                return en if language == "en" else vi
        return code


@dataclass(frozen=True)
class YearRecord:
    """A unit's year in its cluster, as the scoring and the year's assessment left it."""

    year: int
    cluster: str = ""
    rank: int | None = None
    band: str | None = None
    bands: tuple[str, ...] = ()  # the scheme's bands, best first
    knockouts_met: bool | None = None
    leads_cluster: bool = False
    # How `leads_cluster` was read (LEADS_BY): the conference's vote, the ranking where the year
    # has no vote, or the vote being judged for (the leading unit is what that vote chooses).
    leads_by: str = ""
    rating: str | None = None  # the task rating, a code of the rule set's ratings
    counts: dict[str, float] = field(default_factory=dict)  # member-level counts where reported


@dataclass(frozen=True)
class AwardRecord:
    """An award decided for a unit (the decision register)."""

    award: str
    year: int  # the year of the achievement
    decision: str = ""  # number, e.g. 123/QĐ-LMHTXVN
    decided_on: dt.date | None = None
    merit: bool = True
    revoked: bool = False


@dataclass(frozen=True)
class Hold:
    kind: str  # discipline, inspection, complaint
    since: dt.date
    until: dt.date | None = None
    note: str = ""

    def active_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class UnitHistory:
    unit: str
    name: str = ""
    years: dict[int, YearRecord] = field(default_factory=dict)
    awards: tuple[AwardRecord, ...] = ()
    holds: tuple[Hold, ...] = ()
    predecessors: tuple[UnitHistory, ...] = ()  # the units it succeeded (mergers)


@dataclass(frozen=True)
class Reason:
    met: bool
    vi: str
    en: str
    cite: str = ""

    def text(self, language: str = "vi") -> str:
        return self.en if language == "en" else self.vi


ELIGIBLE, NOT_ELIGIBLE, HELD = "eligible", "not_eligible", "held"


@dataclass(frozen=True)
class Verdict:
    unit: str
    award: str
    year: int
    rule_set: str
    status: str  # eligible, not_eligible, held
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        return self.status == ELIGIBLE


@dataclass(frozen=True)
class CapResult:
    allowed: int
    considered: int
    reason: Reason
    zero_by_rounding: bool = False
