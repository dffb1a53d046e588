"""Reads of the year-end conference: what its page and the minutes show, the ballots and paper
ballots a view acts on, the close's confirmation, the units the election and the flag may name,
and the overview's cap across clusters. The rules they apply (eligibility, candidates, tallies)
are the services' (scoring/conference/services/conference.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from clusters.models import EmulationYear, FlagHandover, Unit, YearOffice
from scoring.conference.services.conference import (
    Tally,
    YearFacts,
    award_cap,
    ballot_candidates,
    ballot_quorum,
    ballot_tally,
    ballot_title,
    elected,
    next_level_cap,
    year_facts,
)
from scoring.models import AwardKind, AwardProposal, Ballot, BallotChoice, BallotVoter
from scoring.ranking.selectors import (
    current_runs,
    first_places,
    pledge_signatures,
    run_sheets,
    year_current_run,
    year_member_units,
    year_offices,
)
from scoring.setup.services.opening import members_carried_over


def conference_context(*, emulation_year: EmulationYear) -> dict:
    """What the page and the minutes show, for any reader of the year: a fixed number of
    queries for the members, ranking, voters and counts, plus a few per award kind and ballot."""
    facts = year_facts(emulation_year)
    members = sorted(facts.members.values(), key=lambda u: u.name)
    awards = _awards(emulation_year, facts, len(members))
    rows = list(
        emulation_year.ballots.select_related("award_kind", "emulation_year").order_by("pk")
    )
    voted = _voters_by_ballot(rows)
    # Closed ballots first: their tallies also give the elections' outcomes, which an open
    # deputy ballot's candidates depend on.
    tallies = _closed_tallies(rows, facts, voted)
    following = _following_with_offices(emulation_year)
    return {
        "members": members,
        "awards": awards,
        "ballots": _ballot_entries(rows, facts, voted, tallies),
        "elected_head": elected(emulation_year, Ballot.Purpose.HEAD, facts),
        "elected_deputies": elected(emulation_year, Ballot.Purpose.DEPUTY, facts),
        "following": following,
        # The head first, then the deputies.
        "following_offices": sorted(
            following.offices.all(), key=lambda o: o.role != YearOffice.Role.HEAD
        )
        if following
        else [],
        "handover": FlagHandover.objects.filter(emulation_year=emulation_year)
        .select_related("from_unit", "to_unit")
        .first(),
        "proposals": list(
            AwardProposal.objects.filter(emulation_year=emulation_year)
            .select_related("unit", "award_kind")
            .order_by("award_kind__name", "rank")
        ),
    }


def _awards(emulation_year: EmulationYear, facts: YearFacts, members: int) -> list[dict]:
    """The cluster's award kinds, each with its cap, every member's verdict (the award engine's)
    and the rule set it was judged under."""
    kinds = AwardKind.objects.filter(cluster_id=emulation_year.cluster_id).order_by("name")
    awards: list[dict[str, Any]] = []
    for kind in kinds:
        eligibility = facts.eligibility(kind)
        # The rule set judged with (read with the first award kind) and the award it names.
        rule_set = facts.inputs.rule_set if facts.inputs else None
        awards.append(
            {
                "kind": kind,
                "cap": award_cap(kind, members),
                "eligibility": eligibility,
                "rule_set": rule_set,
                "day": facts.inputs.day if facts.inputs else None,
                "proposes_for": rule_set.awards.get(kind.award_code)
                if rule_set and kind.award_code
                else None,
            }
        )
    return awards


def _voters_by_ballot(ballots: list[Ballot]) -> dict[int, list[BallotVoter]]:
    """Who voted in each ballot (never for whom), by unit name, in one query."""
    voted: dict[int, list[BallotVoter]] = {}
    for voter in (
        BallotVoter.objects.filter(ballot__in=ballots).select_related("unit").order_by("unit__name")
    ):
        voted.setdefault(voter.ballot_id, []).append(voter)
    return voted


def _closed_tallies(
    ballots: list[Ballot], facts: YearFacts, voted: dict[int, list[BallotVoter]]
) -> dict[int, Tally]:
    """The tallies of the closed ballots (the latest last), from one query of their counts; the
    outcome of each election is kept in `facts`, where a deputy ballot's candidates read it."""
    closed = [b for b in ballots if b.status == Ballot.Status.CLOSED]
    counts: dict[int, dict[int, int]] = {}
    for ballot_id, candidate_id, n in (
        BallotChoice.objects.filter(ballot__in=closed)
        .values_list("ballot_id", "candidate_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(ballot_id, {})[candidate_id] = n
    tallies = {}
    for ballot in sorted(closed, key=lambda b: (b.closed_at, b.pk)):
        tally = ballot_tally(
            ballot,
            facts,
            voters=[v.on_paper for v in voted.get(ballot.pk, [])],
            counts=counts.get(ballot.pk, {}),
        )
        tallies[ballot.pk] = tally
        if ballot.purpose != Ballot.Purpose.AWARD:
            facts.elected_by_purpose[ballot.purpose] = (
                [t.unit for t in tally.chosen] if tally.chosen and not tally.tied else None
            )
    for purpose in (Ballot.Purpose.HEAD, Ballot.Purpose.DEPUTY):
        facts.elected_by_purpose.setdefault(purpose, None)
    return tallies


def _ballot_entries(
    ballots: list[Ballot], facts: YearFacts, voted: dict[int, list], tallies: dict[int, Tally]
) -> list[dict]:
    return [
        {
            "ballot": ballot,
            "title": ballot_title(ballot),
            "voted": voted.get(ballot.pk, []),
            "candidates": [] if ballot.pk in tallies else ballot_candidates(ballot, facts),
            # The count per candidate only once the ballot is closed: a running tally would
            # tell who voted for whom, one vote at a time.
            "tally": tallies.get(ballot.pk),
        }
        for ballot in ballots
    ]


def _following_with_offices(emulation_year: EmulationYear) -> EmulationYear | None:
    return (
        EmulationYear.objects.filter(
            cluster_id=emulation_year.cluster_id, year=emulation_year.year + 1
        )
        .prefetch_related("offices__unit")
        .first()
    )


def conference_pack_context(*, emulation_year: EmulationYear, language: str) -> dict:
    """What the conference pack prints: the ranking, every member's score sheet, the pledge's
    signatories, the offices and the conference's votes with their minutes (the pack page, and
    the generated minutes of an award dossier)."""
    run = year_current_run(emulation_year=emulation_year)
    standings, sheets = run_sheets(run=run, language=language)
    conference = conference_context(emulation_year=emulation_year)
    return {
        "year": emulation_year,
        "run": run,
        "standings": standings,
        "sheets": sheets,
        "signatures": pledge_signatures(emulation_year=emulation_year),
        "offices": year_offices(emulation_year=emulation_year),
        **conference,  # its award proposals among them
        "conference_date": conference_date(
            handover=conference["handover"], ballots=conference["ballots"]
        ),
    }


def conference_date(*, handover: FlagHandover | None, ballots: list[dict]) -> dt.date | None:
    """The day of the conference: the flag's handover, else the day its last ballot closed."""
    if handover:
        return handover.handed_on
    closed = [b["ballot"].closed_at for b in ballots if b["ballot"].closed_at]
    return timezone.localtime(max(closed)).date() if closed else None


def following_year(*, emulation_year: EmulationYear) -> EmulationYear | None:
    """The cluster's next year, if it is open already."""
    return EmulationYear.objects.filter(
        cluster_id=emulation_year.cluster_id, year=emulation_year.year + 1
    ).first()


def next_year_members(
    *, emulation_year: EmulationYear, following: EmulationYear | None
) -> list[Unit]:
    """Whom the election may name: the members of next year (`following`) if it is open, else
    this year's members carried over with their mergers."""
    if following:
        return [m.unit for m in following.memberships.select_related("unit")]
    return members_carried_over(cluster=emulation_year.cluster, year=emulation_year.year + 1)


def flag_units(*, emulation_year: EmulationYear) -> list[Unit]:
    """Whom a flag handover may name: the year's members and next year's head and deputies."""
    members = [m.unit for m in emulation_year.memberships.select_related("unit")]
    following = following_year(emulation_year=emulation_year)
    if following:
        members += [o.unit for o in following.offices.select_related("unit")]
    return list({u.pk: u for u in members}.values())


def year_head(*, emulation_year: EmulationYear) -> Unit | None:
    """The year's head (cụm trưởng), if one is recorded."""
    return next(
        (
            o.unit
            for o in emulation_year.offices.select_related("unit")
            if o.role == YearOffice.Role.HEAD
        ),
        None,
    )


def year_ballot(*, emulation_year: EmulationYear, ballot_id: int) -> Ballot | None:
    """A ballot of this year (None for another year's)."""
    return (
        emulation_year.ballots.select_related("award_kind", "emulation_year")
        .filter(pk=ballot_id)
        .first()
    )


def paper_voter(*, ballot: Ballot, unit_id: int) -> BallotVoter | None:
    """The paper ballot recorded in a member's name, if there is one."""
    return (
        BallotVoter.objects.filter(ballot=ballot, unit_id=unit_id, on_paper=True)
        .select_related("unit")
        .first()
    )


def ballot_close_summary(*, ballot: Ballot, emulation_year: EmulationYear) -> dict:
    """What the close's confirmation shows: how many voted of how many members, how many must
    have, and who has not voted yet."""
    voted = set(ballot.voters.values_list("unit_id", flat=True))
    members = year_member_units(emulation_year=emulation_year)
    return {
        "title": ballot_title(ballot),
        "voted_count": len(voted),
        "member_count": len(members),
        "needed": ballot_quorum(ballot, len(members)),
        "not_voted": [u.name for u in members if u.pk not in voted],
    }


# --- the overview's cap across clusters ------------------------------------------------------------


def leading_proposals_stamp() -> dict:
    """How many leading-unit proposals there are, and the newest: what the cap-across-clusters
    section depends on besides the years' state. Counted over every year (proposals are written
    only when a ballot closes or reopens), so the stamp needs no list of years."""
    return AwardProposal.objects.filter(award_kind__leads_cluster=True).aggregate(
        n=Count("pk"), last=Max("pk")
    )


def next_level(
    *, years: list[EmulationYear], with_data: set[int], today: dt.date, language: str
) -> list[dict]:
    """The cap across clusters: per supervising unit, its cluster leaders this year (the unit the
    members proposed as leading unit, or — until they vote — the first of the ranking of a year
    with submitted reports: a year without any proposes no one) and how many of them may be
    proposed for the Government's flag under the rule set in force `today` (`next_level_cap`:
    its share, its rounding, no silent "at least 1"), with the rule's reason in `language` and
    whether it rounds to zero. Three queries."""
    ids = [y.pk for y in years]
    voted = {
        p.emulation_year_id: p
        for p in AwardProposal.objects.filter(
            emulation_year__in=ids, award_kind__leads_cluster=True
        )
        .select_related("unit")
        .order_by("-rank")
    }
    first = first_places(runs=current_runs(year_ids=ids))
    groups: dict[int, dict] = {}
    for y in years:
        group = groups.setdefault(
            y.cluster.supervising_unit_id,
            {"supervising": y.cluster.supervising_unit, "leaders": []},
        )
        if y.pk in voted:
            group["leaders"].append({"year": y, "unit": voted[y.pk].unit, "by_vote": True})
        elif y.pk in first and y.pk in with_data:
            group["leaders"].append({"year": y, "unit": first[y.pk].unit, "by_vote": False})
    out = []
    for group in groups.values():
        if not group["leaders"]:
            continue
        found = next_level_cap(len(group["leaders"]), today=today)
        if found is not None:
            kind, cap = found
            group.update(
                award=kind.name_en if language == "en" else kind.name,
                cap=cap,
                reason=cap.reason.text(language),
                cite=cap.reason.cite,
            )
        out.append(group)
    return out
