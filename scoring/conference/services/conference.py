"""The year-end conference: award kinds and who is eligible, secret ballots (cast in the browser
or recorded from paper), the tally and the proposals that follow from eligibility, the cap and the
tie rule, the election of next year's head and deputies, and the rotating flag.

Secrecy (docs/security.md, "Ballot secrecy"): a vote writes a `BallotVoter` row (that the member
voted) and adds its choices to the ballot's sealed aggregate; the choices become rows
(`BallotChoice`) only at the close, all at once and shuffled. Everything shown is a count per
candidate, and only once the ballot is closed; a reopen discards every vote."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters.audit import Actor, audit_record
from clusters.models import Cluster, EmulationYear, FlagHandover, Unit
from scoring.awards.rule_sets import rule_set_on
from scoring.conference.services.ballot_seal import seal, unseal
from scoring.conference.services.eligibility import (
    Eligibility,
    EligibilityInputs,
    award_eligibility,
    eligibility_inputs,
)
from scoring.engine import awards as rules
from scoring.errors import ReasonRequired, ScoringError
from scoring.guards import year_assert_open
from scoring.inbox.services import notify_ballot_opened
from scoring.models import (
    AwardKind,
    AwardProposal,
    Ballot,
    BallotChoice,
    BallotVoter,
    Dossier,
    Standing,
)
from scoring.reporting.services.evidence import stored_upload
from scoring.setup.services.opening import members_carried_over, offices_create, year_open
from scoring.setup.services.pledges import scan_check


class BallotClosed(ScoringError):
    """A vote, a close or a paper ballot on a ballot that is not open."""


class AlreadyVoted(ScoringError):
    """A member's second vote on the same ballot."""


def award_kind_create(
    *, kind: AwardKind, emulation_year: EmulationYear, actor: Actor = None
) -> AwardKind:
    """A new award kind of the year's cluster (`kind`: unsaved, as the page's form built it),
    with its audit row."""
    with transaction.atomic():
        kind.cluster_id = emulation_year.cluster_id
        kind.save()
        audit_record(
            actor=actor,
            action="award_kind.create",
            obj=kind,
            emulation_year_id=emulation_year.pk,
            summary=f"Thêm hình thức khen thưởng: {kind.name}",
        )
    return kind


def cap_for(*, cap_count: int | None, cap_percent: Decimal | None, members: int) -> int | None:
    """How many may be proposed: a number, or a percentage of the members rounded down and at
    least one; None when the award kind sets no cap."""
    if cap_count is not None:
        return cap_count
    if cap_percent is not None:
        # Decimal arithmetic: 30% of 10 is exactly 3, not 2.9999….
        return max(1, math.floor(Decimal(cap_percent) * members / 100))
    return None


def award_cap(kind: AwardKind, members: int) -> int | None:
    return cap_for(cap_count=kind.cap_count, cap_percent=kind.cap_percent, members=members)


def year_standings_now(year: EmulationYear) -> list[Standing]:
    return list(
        Standing.objects.filter(run__emulation_year=year, run__is_current=True)
        .select_related("unit", "run")
        .order_by("rank", "unit__code")
    )


@dataclass
class YearFacts:
    """What every ballot of a year is judged against, read once: the members, the current
    ranking, each award kind's eligibility and each election's outcome."""

    year: EmulationYear
    members: dict[int, Unit]
    standings: list[Standing]
    eligibility_by_kind: dict[int, list[Eligibility]] = field(default_factory=dict)
    elected_by_purpose: dict[str, list[Unit] | None] = field(default_factory=dict)
    inputs: EligibilityInputs | None = None  # read on the first award kind judged

    def eligibility(self, kind: AwardKind) -> list[Eligibility]:
        """Each ranked member's verdict on the award kind (the award engine's: scoring/conference/
        services/eligibility.py); the histories are read once for every award kind."""
        if kind.pk not in self.eligibility_by_kind:
            if self.inputs is None:
                self.inputs = eligibility_inputs(self.year, self.standings)
            self.eligibility_by_kind[kind.pk] = award_eligibility(
                kind, self.year, self.standings, self.inputs
            )
        return self.eligibility_by_kind[kind.pk]


def year_facts(year: EmulationYear) -> YearFacts:
    members = {m.unit_id: m.unit for m in year.memberships.select_related("unit")}
    return YearFacts(year, members, year_standings_now(year))


def _lock_year(year_id: int) -> EmulationYear:
    return EmulationYear.objects.select_for_update().get(pk=year_id)


def ballot_candidates(ballot: Ballot, facts: YearFacts | None = None) -> list[Unit]:
    """Whom a ballot paper may name: the members tied at the cap (a run-off), else the eligible
    members (an award) or every member (an election); never, for a deputy, the elected head."""
    facts = facts or year_facts(ballot.emulation_year)
    members = facts.members
    if ballot.candidate_ids:
        ids = [i for i in ballot.candidate_ids if i in members]
    elif ballot.purpose == Ballot.Purpose.AWARD:
        assert ballot.award_kind is not None  # an award ballot names its award kind
        ids = [
            e.standing.unit_id
            for e in facts.eligibility(ballot.award_kind)
            if e.eligible and e.standing.unit_id in members
        ]
    else:
        ids = sorted(members, key=lambda i: members[i].name)
    if ballot.purpose == Ballot.Purpose.DEPUTY:
        head = elected(facts.year, Ballot.Purpose.HEAD, facts)
        ids = [i for i in ids if not head or i not in {u.pk for u in head}]
    return [members[i] for i in ids]


def ballot_open(
    *,
    emulation_year: EmulationYear,
    purpose: str,
    award_kind: AwardKind | None = None,
    seats: int = 1,
    allow_self_vote: bool | None = None,
    candidate_ids: list[int] | None = None,
    actor: Actor = None,
) -> Ballot:
    if purpose not in Ballot.Purpose.values:
        raise ScoringError(_("Nội dung bỏ phiếu không hợp lệ."))
    if (purpose == Ballot.Purpose.AWARD) != (award_kind is not None):
        raise ScoringError(_("Bình xét khen thưởng cần chọn hình thức khen thưởng."))
    if award_kind is not None and award_kind.cluster_id != emulation_year.cluster_id:
        raise ScoringError(_("Hình thức khen thưởng không thuộc cụm này."))
    if purpose == Ballot.Purpose.HEAD:
        seats = 1
    if not 1 <= seats <= 10:
        raise ScoringError(_("Số người được chọn phải từ 1 đến 10."))
    with transaction.atomic():
        year = _lock_year(emulation_year.pk)
        if (
            purpose == Ballot.Purpose.AWARD
            and not Standing.objects.filter(run__emulation_year=year, run__is_current=True).exists()
        ):
            raise ScoringError(
                _("Chưa có kết quả chấm điểm: chưa xác định được đơn vị đủ điều kiện.")
            )
        if year.ballots.filter(
            status=Ballot.Status.OPEN, purpose=purpose, award_kind=award_kind
        ).exists():
            raise ScoringError(_("Đang có một cuộc bỏ phiếu cùng nội dung chưa kết thúc."))
        ballot = Ballot.objects.create(
            emulation_year=year,
            purpose=purpose,
            award_kind=award_kind,
            seats=seats,
            allow_self_vote=(
                award_kind.allow_self_vote
                if award_kind is not None and allow_self_vote is None
                else bool(allow_self_vote)
            ),
            candidate_ids=list(candidate_ids or []),
            opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if not ballot_candidates(ballot):
            raise ScoringError(_("Không có đơn vị nào đủ điều kiện để bỏ phiếu."))
        audit_record(
            actor=actor,
            action="ballot.open",
            obj=ballot,
            emulation_year_id=year.pk,
            summary=f"Mở bỏ phiếu: {_audit_title(ballot)}",
        )
        notify_ballot_opened(ballot_id=ballot.pk)
    return ballot


def ballot_title(ballot: Ballot) -> str:
    """The ballot's title in the active language (the audit trail writes it in Vietnamese)."""
    if ballot.purpose == Ballot.Purpose.AWARD:
        assert ballot.award_kind is not None  # an award ballot names its award kind
        title = f"{ballot.get_purpose_display()}: {ballot.award_kind.name}"
    else:
        title = _("%(purpose)s năm %(year)s") % {
            "purpose": ballot.get_purpose_display(),
            "year": ballot.emulation_year.year + 1,
        }
    return title + (_(" (bỏ phiếu lại)") if ballot.candidate_ids else "")


def _audit_title(ballot: Ballot) -> str:
    with translation.override("vi"):
        return ballot_title(ballot)


def _actor(actor: Actor) -> Actor:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_choices(locked: Ballot, voter: Unit, chosen: list[int]) -> None:
    year = locked.emulation_year
    if not year.memberships.filter(unit=voter).exists():
        raise ScoringError(_("Chỉ thành viên của cụm trong năm mới được bỏ phiếu."))
    if BallotVoter.objects.filter(ballot=locked, unit=voter).exists():
        raise AlreadyVoted(_("%(unit)s đã bỏ phiếu.") % {"unit": voter.name})
    allowed = {u.pk for u in ballot_candidates(locked)}
    if not chosen:
        raise ScoringError(_("Chưa chọn đơn vị nào."))
    if len(chosen) > locked.seats:
        raise ScoringError(
            ngettext(
                "Chỉ được chọn tối đa %(n)s đơn vị.",
                "Chỉ được chọn tối đa %(n)s đơn vị.",
                locked.seats,
            )
            % {"n": locked.seats}
        )
    if any(c not in allowed for c in chosen):
        raise ScoringError(_("Có đơn vị được chọn không thuộc danh sách ứng viên."))
    if voter.pk in chosen and not locked.allow_self_vote:
        raise ScoringError(_("Không được bỏ phiếu cho chính đơn vị mình."))


def _sealed_aggregate(ballot: Ballot) -> dict:
    """The open ballot's browser votes: how many papers, and the count per candidate id."""
    return unseal(ballot.sealed, {"papers": 0, "counts": {}})


def ballot_vote(
    *,
    ballot: Ballot,
    voter: Unit,
    candidate_ids: list[int],
    on_paper: bool = False,
    scan: UploadedFile | None = None,
    actor: Actor = None,
) -> None:
    """One vote of one member: its reporter in the browser, or the secretariat from a signed
    paper ballot, whose scan is required (the member sees it and may contest it before the
    close). A second vote of the same member is refused, also when two requests arrive at once
    (the ballot row is locked, and a unique constraint backs it).

    A browser vote writes no row of its own that holds a choice: its choices are added to the
    ballot's sealed aggregate, so the only row the vote's transaction writes besides the voter's
    is the ballot's own (whose xmin every vote moves). A paper vote's choices stay sealed on its
    voter row — the secretariat entered them from a signed paper anyway — until the close
    merges them into the shuffled choices."""
    chosen = list(dict.fromkeys(int(c) for c in candidate_ids))
    if on_paper:
        if scan is None:
            raise ScoringError(_("Phiếu giấy cần bản scan phiếu có chữ ký của đơn vị."))
        scan_check(scan)
    with (
        (
            stored_upload(
                scan,
                folder=f"ballots/{ballot.emulation_year.year}",
                name=f"phieu-{ballot.pk}-{voter.code}",
            )
            if on_paper and scan is not None  # a paper vote has its scan (checked above)
            else nullcontext("")
        ) as stored,
        transaction.atomic(),
    ):
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.status != Ballot.Status.OPEN:
            raise BallotClosed(_("Cuộc bỏ phiếu đã kết thúc."))
        _check_choices(locked, voter, chosen)
        try:
            with transaction.atomic():
                BallotVoter.objects.create(
                    ballot=locked,
                    unit=voter,
                    on_paper=on_paper,
                    recorded_by=_actor(actor),
                    scan=stored,
                    paper_choices=seal(chosen) if on_paper else "",
                )
        except IntegrityError:
            raise AlreadyVoted(_("%(unit)s đã bỏ phiếu.") % {"unit": voter.name}) from None
        if not on_paper:
            aggregate = _sealed_aggregate(locked)
            aggregate["papers"] += 1
            for c in chosen:
                aggregate["counts"][str(c)] = aggregate["counts"].get(str(c), 0) + 1
            locked.sealed = seal(aggregate)
            locked.save(update_fields=["sealed"])
        # The trail says who voted and how, never for whom.
        audit_record(
            actor=actor,
            action="ballot.paper_vote" if on_paper else "ballot.vote",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=(
                f"Nhập phiếu giấy của {voter.name}" if on_paper else f"{voter.name} đã bỏ phiếu"
            )
            + f": {_audit_title(locked)}",
        )


def paper_choices_of(voter: BallotVoter) -> list[int]:
    """What the secretariat entered from a member's paper ballot (until the close): shown to
    that member and the secretariat only, next to the scan."""
    return [int(c) for c in unseal(voter.paper_choices, [])]


def ballot_paper_contest(*, ballot: Ballot, unit: Unit, reason: str, actor: Actor = None) -> None:
    """The member (or the secretariat) contests a paper ballot recorded in the member's name
    before the close: the paper vote is withdrawn — its choices were never counted yet — the
    member may vote again, and the trail keeps who contested and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Khiếu nại phiếu giấy cần ghi rõ lý do."))
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.status != Ballot.Status.OPEN:
            raise BallotClosed(_("Cuộc bỏ phiếu đã kết thúc: không khiếu nại phiếu giấy được nữa."))
        voter = BallotVoter.objects.filter(ballot=locked, unit=unit, on_paper=True).first()
        if voter is None:
            raise ScoringError(
                _("Không có phiếu giấy nào được nhập cho %(unit)s.") % {"unit": unit.name}
            )
        scan = voter.scan.name
        voter.delete()
        audit_record(
            actor=actor,
            action="ballot.paper_contest",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Rút phiếu giấy của {unit.name} theo khiếu nại: {_audit_title(locked)}",
            reason=reason,
        )
        if scan:
            transaction.on_commit(lambda: default_storage.delete(scan))


@dataclass
class TallyLine:
    unit: Unit
    votes: int
    rank: int | None  # in this year's ranking
    share: float  # of the members who voted
    eligible: bool = True
    outcome: str = ""  # "proposed", "elected", "tied", "below", "not-eligible"


@dataclass
class Tally:
    ballot: Ballot
    members: int
    voters: int
    on_paper: int
    lines: list[TallyLine]
    cap: int | None
    chosen: list[TallyLine]
    tied: list[TallyLine]  # tied at the cap, not decided: a run-off among them
    note: str = ""


def ballot_tally(
    ballot: Ballot,
    facts: YearFacts | None = None,
    *,
    voters: list[bool] | None = None,
    counts: dict[int, int] | None = None,
) -> Tally:
    """Counts per candidate and the outcome. Awards: eligible candidates with more than the
    kind's share of the votes, best first, within the cap; at the cap, equal votes are decided by
    the ranking (or left to a run-off when the vote decides ties, or when the ranks are equal
    too). Elections: the most votes win the seats, ties decided by the ranking."""
    facts = facts or year_facts(ballot.emulation_year)
    members = len(facts.members)
    if voters is None:
        voters = list(ballot.voters.values_list("on_paper", flat=True))
    if counts is None:
        # An open ballot has no choice row: its votes are sealed until the close.
        counts = {}
        for candidate_id in ballot.choices.values_list("candidate_id", flat=True):
            counts[candidate_id] = counts.get(candidate_id, 0) + 1
    standings = {s.unit_id: s for s in facts.standings}
    candidates = ballot_candidates(ballot, facts)
    units = {u.pk: u for u in candidates}
    missing = [i for i in counts if i not in units]
    if missing:  # voted for, but no longer a candidate (the ranking changed since)
        units.update(Unit.objects.in_bulk(missing))
    n_voters = len(voters)
    lines = [
        TallyLine(
            unit=units[i],
            votes=counts.get(i, 0),
            rank=standings[i].rank if i in standings else None,
            share=counts.get(i, 0) / n_voters if n_voters else 0.0,
            eligible=i not in missing,
        )
        for i in units
    ]
    lines.sort(key=lambda t: (-t.votes, t.rank or 10_000, t.unit.name))
    if ballot.purpose == Ballot.Purpose.AWARD:
        kind = ballot.award_kind
        assert kind is not None  # an award ballot names its award kind
        cap = award_cap(kind, members)
        if ballot.candidate_ids and cap is not None:
            # A run-off fills the places left by the first ballot.
            cap = max(0, cap - _proposed_before(ballot))
        threshold = kind.min_vote_percent
        qualified = [
            t for t in lines if t.eligible and t.votes > 0 and t.votes * 100 > threshold * n_voters
        ]
        by_ranking = kind.tie_rule == AwardKind.TieRule.RANKING
    else:
        cap = ballot.seats
        qualified = [t for t in lines if t.eligible and t.votes > 0]
        by_ranking = True
    chosen, tied = _within_cap(qualified, cap, by_ranking)
    outcome = "proposed" if ballot.purpose == Ballot.Purpose.AWARD else "elected"
    for t in lines:
        if not t.eligible:
            t.outcome = "not-eligible"
        elif t in chosen:
            t.outcome = outcome
        elif t in tied:
            t.outcome = "tied"
        else:
            t.outcome = "below"
    return Tally(
        ballot=ballot,
        members=members,
        voters=n_voters,
        on_paper=sum(voters),
        lines=lines,
        cap=cap,
        chosen=chosen,
        tied=tied,
    )


def _within_cap(qualified, cap, by_ranking):
    """The candidates within the cap, and those tied at its edge that the tie rule cannot
    separate (left to a run-off)."""
    if cap is None or len(qualified) <= cap:
        return list(qualified), []
    if cap == 0:
        return [], []

    def key(t):
        return (-t.votes, t.rank or 10_000) if by_ranking else (-t.votes,)

    edge = key(qualified[cap - 1])
    above = [t for t in qualified if key(t) < edge]
    same = [t for t in qualified if key(t) == edge]
    if len(above) + len(same) <= cap:
        return above + same, []
    return above, same


def _proposed_before(ballot: Ballot) -> int:
    return (
        AwardProposal.objects.filter(
            emulation_year_id=ballot.emulation_year_id, award_kind_id=ballot.award_kind_id
        )
        .exclude(ballot=ballot)
        .count()
    )


def ballot_quorum(ballot: Ballot, members: int) -> int:
    """How many members must have voted before the ballot may close: at least 2 (one vote's
    tally would be that voter's choice), and the award kind's share of the members, rounded
    up."""
    needed = 2
    if ballot.award_kind is not None:
        needed = max(needed, math.ceil(ballot.award_kind.quorum_percent * members / 100))
    return needed


def _unsealed_choices(ballot: Ballot, voters: list[BallotVoter]) -> list[int]:
    """Every candidate id chosen on the ballot: the browser votes' aggregate and the paper
    votes, checked against the voters (a lost or extra vote is an error, not a tally)."""
    aggregate = _sealed_aggregate(ballot)
    unsealed_papers = sum(1 for v in voters if not v.paper_choices)
    if aggregate["papers"] != unsealed_papers:
        raise ScoringError(
            f"Số phiếu niêm phong ({aggregate['papers']}) khác số đơn vị đã bỏ phiếu trực tuyến "
            f"({unsealed_papers}): không kiểm phiếu."
        )
    chosen = [int(c) for c, n in aggregate["counts"].items() for _ in range(n)]
    for voter in voters:
        chosen.extend(paper_choices_of(voter))
    return chosen


def ballot_close(*, ballot: Ballot, actor: Actor = None) -> Tally:
    """Close once, with at least 2 votes and the quorum. The choices are unsealed and written
    all at once, in random order, in this one transaction (one xmin, rows in an order that owes
    nothing to the votes, random keys, no timestamp); the sealed aggregate and the paper
    ballots' entered choices are cleared. An award ballot's proposals follow from the tally.

    The trail records the close with how many voted and who was chosen, never a count per
    candidate: the trail is append-only, so a count written there would outlive a reopen and
    two closes' counts would subtract to a vote (finding 1). The tally lives with the ballot,
    and a reopen deletes it."""
    with transaction.atomic():
        locked = (
            Ballot.objects.select_for_update(of=("self",))
            .select_related("award_kind", "emulation_year")
            .get(pk=ballot.pk)
        )
        if locked.status != Ballot.Status.OPEN:
            raise BallotClosed(_("Cuộc bỏ phiếu đã được kết thúc trước đó."))
        facts = year_facts(locked.emulation_year)
        voters = list(BallotVoter.objects.filter(ballot=locked))
        needed = ballot_quorum(locked, len(facts.members))
        if len(voters) < needed:
            raise ScoringError(
                _(
                    "Chưa đủ số đơn vị bỏ phiếu để kết thúc: %(voted)s/%(members)s đã bỏ phiếu, "
                    "cần ít nhất %(needed)s."
                )
                % {"voted": len(voters), "members": len(facts.members), "needed": needed}
            )
        chosen = _unsealed_choices(locked, voters)
        secrets.SystemRandom().shuffle(chosen)
        BallotChoice.objects.bulk_create(
            [BallotChoice(ballot=locked, candidate_id=c) for c in chosen]
        )
        BallotVoter.objects.filter(ballot=locked).exclude(paper_choices="").update(paper_choices="")
        locked.status = Ballot.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = _actor(actor)
        locked.sealed = ""
        locked.save(update_fields=["status", "closed_at", "closed_by", "sealed"])
        tally = ballot_tally(locked, facts)
        if locked.purpose == Ballot.Purpose.AWARD:
            assert locked.award_kind_id is not None  # an award ballot names its award kind
            AwardProposal.objects.filter(ballot=locked).delete()
            AwardProposal.objects.bulk_create(
                [
                    AwardProposal(
                        emulation_year_id=locked.emulation_year_id,
                        award_kind_id=locked.award_kind_id,
                        unit=t.unit,
                        ballot=locked,
                        votes=t.votes,
                        rank=t.rank,
                    )
                    for t in tally.chosen
                ]
            )
        audit_record(
            actor=actor,
            action="ballot.close",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Kết thúc bỏ phiếu: {_audit_title(locked)}",
            after={
                "số đơn vị bỏ phiếu": tally.voters,
                "phiếu giấy": tally.on_paper,
                "được chọn": [t.unit.name for t in tally.chosen],
            },
        )
    ballot.refresh_from_db()
    return tally


def ballot_reopen(*, ballot: Ballot, reason: str, actor: Actor = None) -> Ballot:
    """Reopen a closed ballot for a full re-vote, only with a recorded reason: every vote is
    discarded (the choices, who voted, the paper ballots and their scans) and its proposals are
    withdrawn, so no earlier tally is shown anywhere or can be set against the next one."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Mở lại cuộc bỏ phiếu cần ghi rõ lý do."))
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.status != Ballot.Status.CLOSED:
            raise ScoringError(_("Cuộc bỏ phiếu đang mở."))
        # A proposal that became an award dossier is on its way up: the vote behind it stays.
        filed = list(
            Dossier.objects.filter(proposal__ballot=locked)
            .select_related("unit")
            .order_by("unit__name")
        )
        if filed:
            raise ScoringError(
                _(
                    "Đề nghị của cuộc bỏ phiếu này đã thành hồ sơ đề nghị khen thưởng (%(units)s): "
                    "không mở lại được để bỏ phiếu lại."
                )
                % {"units": ", ".join(d.unit.name for d in filed)}
            )
        AwardProposal.objects.filter(ballot=locked).delete()
        voters = list(BallotVoter.objects.filter(ballot=locked))
        scans = [v.scan.name for v in voters if v.scan]
        BallotChoice.objects.filter(ballot=locked).delete()
        BallotVoter.objects.filter(ballot=locked).delete()
        stamp = timezone.localtime().strftime("%d/%m/%Y %H:%M")
        locked.status = Ballot.Status.OPEN
        locked.closed_at = None
        locked.closed_by = None
        locked.sealed = ""
        locked.reopen_reason = (locked.reopen_reason + "\n" if locked.reopen_reason else "") + (
            f"{stamp}: {reason}"
        )
        locked.save(update_fields=["status", "closed_at", "closed_by", "sealed", "reopen_reason"])
        audit_record(
            actor=actor,
            action="ballot.reopen",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Mở lại bỏ phiếu (bỏ phiếu lại từ đầu): {_audit_title(locked)}",
            after={"số phiếu bị huỷ": len(voters)},
            reason=reason,
        )
        notify_ballot_opened(ballot_id=locked.pk)
        if scans:

            def delete_scans() -> None:
                for name in scans:
                    default_storage.delete(name)

            transaction.on_commit(delete_scans)
    ballot.refresh_from_db()
    return ballot


def elected(year: EmulationYear, purpose: str, facts: YearFacts | None = None) -> list[Unit] | None:
    """The units elected by the latest closed ballot of this purpose, or None if there is none
    (or it is tied)."""
    if facts is not None and purpose in facts.elected_by_purpose:
        return facts.elected_by_purpose[purpose]
    ballot = (
        year.ballots.filter(purpose=purpose, status=Ballot.Status.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )
    result = None
    if ballot is not None:
        tally = ballot_tally(ballot, facts)
        if tally.chosen and not tally.tied:
            result = [t.unit for t in tally.chosen]
    if facts is not None:
        facts.elected_by_purpose[purpose] = result
    return result


def election_apply(
    *,
    emulation_year: EmulationYear,
    head: Unit | None = None,
    deputies: list[Unit] | None = None,
    elected_on: dt.date | None = None,
    actor: Actor = None,
) -> EmulationYear:
    """Next year's head and deputies: from the closed election ballots, or recorded directly
    (a cluster that rotates by turn). Next year's emulation year is opened with them (members
    carried over with mergers applied, the scheme copied), or, if it is open already, its offices
    are replaced."""
    by_vote = head is None
    if by_vote:
        heads = elected(emulation_year, Ballot.Purpose.HEAD)
        if not heads:
            raise ScoringError(
                _(
                    "Chưa có kết quả bầu cụm trưởng "
                    "(cuộc bỏ phiếu chưa kết thúc hoặc còn bằng phiếu)."
                )
            )
        head = heads[0]
        if deputies is None:
            deputies = elected(emulation_year, Ballot.Purpose.DEPUTY) or []
    assert head is not None  # given, or elected just above
    deputies = list(deputies or [])
    if head in deputies:
        raise ScoringError(_("Một đơn vị không thể vừa là cụm trưởng vừa là cụm phó."))
    elected_on = elected_on or timezone.localdate()
    cluster: Cluster = emulation_year.cluster
    with transaction.atomic():
        _lock_year(emulation_year.pk)
        following = EmulationYear.objects.filter(
            cluster=cluster, year=emulation_year.year + 1
        ).first()
        if following is None:
            members = members_carried_over(cluster=cluster, year=emulation_year.year + 1)
            following = year_open(
                cluster=cluster,
                year=emulation_year.year + 1,
                members=members,
                head=head,
                deputies=deputies,
                reporting_deadline=None,
                copy_scheme=True,
                actor=actor,
            )
        else:
            member_ids = set(following.memberships.values_list("unit_id", flat=True))
            if head.pk not in member_ids or any(d.pk not in member_ids for d in deputies):
                raise ScoringError(_("Cụm trưởng và cụm phó phải là thành viên của năm thi đua."))
            year_assert_open(emulation_year_id=following.pk, lock=True)
            before = [f"{o.get_role_display()}: {o.unit.name}" for o in following.offices.all()]
            following.offices.all().delete()
            offices_create(emulation_year=following, head=head, deputies=deputies)
            audit_record(
                actor=actor,
                action="year.offices",
                obj=following,
                emulation_year_id=following.pk,
                summary=f"Cụm trưởng, cụm phó năm {following.year}",
                before=before,
                after=[f"Cụm trưởng: {head.name}"] + [f"Cụm phó: {d.name}" for d in deputies],
            )
        following.offices.update(elected_on=elected_on)
        audit_record(
            actor=actor,
            action="conference.election",
            obj=emulation_year,
            emulation_year_id=emulation_year.pk,
            summary=(
                f"{'Bầu' if by_vote else 'Ghi nhận'} cụm trưởng {head.name}"
                + (f", cụm phó {', '.join(d.name for d in deputies)}" if deputies else "")
                + f" năm {following.year}"
            ),
        )
    following.refresh_from_db()
    return following


def flag_handover_record(
    *,
    emulation_year: EmulationYear,
    from_unit: Unit,
    to_unit: Unit,
    handed_on: dt.date,
    occasion: str = "",
    actor: Actor = None,
) -> FlagHandover:
    if from_unit == to_unit:
        raise ScoringError(_("Đơn vị nhận cờ phải khác đơn vị bàn giao."))
    with transaction.atomic():
        _lock_year(emulation_year.pk)
        if FlagHandover.objects.filter(emulation_year=emulation_year).exists():
            raise ScoringError(_("Việc bàn giao cờ luân lưu của năm này đã được ghi nhận."))
        handover = FlagHandover.objects.create(
            cluster_id=emulation_year.cluster_id,
            emulation_year=emulation_year,
            from_unit=from_unit,
            to_unit=to_unit,
            handed_on=handed_on,
            occasion=occasion.strip()
            or f"Hội nghị tổng kết công tác thi đua năm {emulation_year.year}",
        )
        audit_record(
            actor=actor,
            action="conference.flag",
            obj=handover,
            emulation_year_id=emulation_year.pk,
            summary=f"Bàn giao cờ luân lưu: {from_unit.name} → {to_unit.name}",
        )
    return handover


def government_flag(rule_set: rules.RuleSet) -> rules.AwardKind | None:
    """The rule set's award at the Government's level capped by a share of the cluster leaders:
    the Government's emulation flag (Công văn 5007/BNV-TĐKT: at most 20 % of the leaders)."""
    return next(
        (
            kind
            for kind in rule_set.awards.values()
            if kind.level == "government" and kind.cap is not None and kind.cap.of == "leaders"
        ),
        None,
    )


def next_level_cap(
    leaders: int, *, today: dt.date
) -> tuple[rules.AwardKind, rules.CapResult] | None:
    """Proposals to the next level across clusters: the Government flag's cap in the rule set in
    force `today` over `leaders` cluster leaders, rounded as the rule says — with no silent "at
    least 1" (3 leaders: none; the result says it rounds to zero). None where the rule set has
    no such cap."""
    try:
        kind = government_flag(rule_set_on(today))
    except rules.RuleSetError:  # a day before the shipped rule sets
        return None
    if kind is None or kind.cap is None:
        return None
    return kind, rules.cap_for(kind.cap, leaders)
