"""The year-end conference page: award kinds and who is eligible, ballots (vote, paper ballots,
close, reopen, tally), the election of next year's head and deputies, the rotating flag.

Every view goes through the permission layer first: outside one's scope is a 404 (also for a
POST, also for a ballot of another year); inside it, acting needs the role (403)."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import YearOffice
from clusters.permissions import (
    can_see_results,
    get_year_for_user,
    refuse_unless_read,
    secretariat_post,
    user_scope,
)
from scoring.conference.forms import (
    AwardKindForm,
    BallotOpenForm,
    ContestForm,
    ElectionForm,
    FlagForm,
    PaperVoteForm,
    ReopenForm,
    VoteForm,
)
from scoring.conference.selectors import (
    ballot_close_summary,
    conference_context,
    flag_units,
    following_year,
    next_year_members,
    paper_voter,
    year_ballot,
    year_head,
)
from scoring.conference.services import conference as svc
from scoring.errors import ScoringError
from scoring.models import Ballot
from scoring.ranking.selectors import year_member_units


def _ballot(year, ballot_id) -> Ballot:
    ballot = year_ballot(emulation_year=year, ballot_id=ballot_id)
    if ballot is None:
        raise Http404
    return ballot


def _back(year):
    return redirect("year-conference", pk=year.pk)


def _render(request, year, can_write, bound: dict | None = None):
    """The page; `bound` holds the forms of a refused POST (by their place on the page), shown
    with what was typed and their errors, with status 400."""
    bound = bound or {}
    context = conference_context(emulation_year=year)
    reporter_units = user_scope(request.user).reporter_units
    # Before publication a reporter sees its own unit's eligibility only — not who else is
    # eligible, nor their bands, ranks and knockout reasons (finding 5).
    show_results = can_see_results(request.user, year)
    if not show_results:
        for award in context["awards"]:
            award["eligibility"] = [
                e for e in award["eligibility"] if e.standing.unit_id in reporter_units
            ]
    _in_language(context["awards"], request.LANGUAGE_CODE, with_reasons=show_results)
    for entry in context["ballots"]:
        _ballot_forms(entry, context["members"], reporter_units, can_write, bound)
    if can_write:
        context.update(_secretariat_forms(year, context, bound))
    context.update(year=year, can_write=can_write, show_results=show_results)
    return render(
        request,
        "scoring/conference.html",
        context,
        status=400 if bound else 200,
    )


def _in_language(awards: list[dict], language: str, *, with_reasons: bool) -> None:
    """Each verdict's reasons as (met, text, citation) in the page's language, and the names of
    the rule set's award each kind proposes for. Without results to see (a reporter before
    publication), the status only: the reasons tell the unit's own rank and band, which its
    score sheet does not show it before publication either."""
    for award in awards:
        award["rows"] = [
            {
                "standing": e.standing,
                "status": e.status,
                "reasons": [(r.met, r.text(language), r.cite) for r in e.reasons]
                if with_reasons
                else [],
            }
            for e in award["eligibility"]
        ]
        target = award["proposes_for"]
        award["proposes_for_name"] = (
            (target.name_en if language == "en" else target.name) if target else ""
        )


def _ballot_forms(entry: dict, members, reporter_units, can_write: bool, bound: dict) -> None:
    """What one ballot's part of the page offers this user: the user's member units that may
    still vote (and have voted), the paper ballots it may see, the vote, paper and reopen forms."""
    ballot = entry["ballot"]
    voted = {v.unit_id for v in entry["voted"]}
    own = [u for u in members if u.pk in reporter_units]
    entry["my_units"] = [u for u in own if u.pk not in voted]
    entry["my_voted"] = [u for u in own if u.pk in voted]
    entry["papers"] = _papers(entry, members, reporter_units, can_write, bound)
    if ballot.status == Ballot.Status.CLOSED and can_write:
        entry["reopen_form"] = bound.get(("reopen", ballot.pk)) or ReopenForm()
    if ballot.status != Ballot.Status.OPEN:
        return
    if entry["my_units"]:
        mine = {u.pk for u in entry["my_units"]}
        # One's own unit is not offered unless self-votes are allowed (the service refuses it
        # anyway, e.g. for a reporter of several members). By name: the order of the eligible
        # would be the ranking.
        offered = sorted(
            (
                u
                for u in entry["candidates"]
                if ballot.allow_self_vote or len(mine) > 1 or u.pk not in mine
            ),
            key=lambda u: u.name,
        )
        entry["vote_form"] = bound.get(("vote", ballot.pk)) or VoteForm(
            candidates=offered, voters=entry["my_units"], seats=ballot.seats
        )
    not_voted = [u for u in members if u.pk not in voted]
    if can_write and not_voted:
        entry["paper_form"] = bound.get(("paper", ballot.pk)) or PaperVoteForm(
            candidates=entry["candidates"], voters=not_voted, seats=ballot.seats
        )


def _papers(entry: dict, members, reporter_units, can_write: bool, bound: dict) -> list[dict]:
    """The paper ballots recorded in one's own unit's name: shown with their scan (and, until the
    close, what was entered from them) to that unit's reporter and to the secretariat."""
    names = {u.pk: u.name for u in members}
    return [
        {
            "voter": v,
            "mine": v.unit_id in reporter_units,
            "entered": [names.get(c, "?") for c in svc.paper_choices_of(v)],
            "contest_form": bound.get(("contest", entry["ballot"].pk, v.unit_id)) or ContestForm(),
        }
        for v in entry["voted"]
        if v.on_paper and (can_write or v.unit_id in reporter_units)
    ]


def _secretariat_forms(year, context: dict, bound: dict) -> dict:
    """The secretariat's forms: a new award kind, a new ballot, next year's offices, the flag."""
    next_members = next_year_members(emulation_year=year, following=context["following"])
    head = year_head(emulation_year=year)
    next_head = next(
        (o.unit for o in context["following_offices"] if o.role == YearOffice.Role.HEAD), None
    )
    units = list({u.pk: u for u in context["members"] + next_members}.values())
    flag_initial = {
        "from_unit": head.pk if head else None,
        "to_unit": next_head.pk if next_head else None,
        "handed_on": timezone.localdate(),
    }
    return {
        "award_form": bound.get("award") or AwardKindForm(cluster=year.cluster),
        "open_form": bound.get("open") or BallotOpenForm(cluster=year.cluster),
        "election_form": bound.get("election") or ElectionForm(members=next_members),
        "flag_form": bound.get("flag") or FlagForm(units=units, initial=flag_initial),
    }


def year_conference(request, pk: int):
    """GET: the conference page for every reader of the year. POST (secretariat): a new award
    kind of the cluster."""
    year, can_write = get_year_for_user(request, pk)
    if request.method == "POST":
        return _award_kind_create(request, year, can_write)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return _render(request, year, can_write)


def _award_kind_create(request, year, can_write: bool):
    if not can_write:
        raise PermissionDenied
    form = AwardKindForm(request.POST, cluster=year.cluster)
    if not form.is_valid():
        return _render(request, year, can_write, {"award": form})
    svc.award_kind_create(kind=form.save(commit=False), emulation_year=year, actor=request.user)
    messages.success(request, _("Đã thêm hình thức khen thưởng."))
    return _back(year)


@secretariat_post
def ballot_open_view(request, year):
    candidate_ids = [int(c) for c in request.POST.getlist("candidate_ids") if c.isdigit()]
    form = BallotOpenForm(request.POST, cluster=year.cluster)
    if not form.is_valid():
        return _render(request, year, True, {"open": form})
    data = form.cleaned_data
    try:
        svc.ballot_open(
            emulation_year=year,
            purpose=data["purpose"],
            award_kind=data["award_kind"],
            seats=data["seats"],
            allow_self_vote=data["allow_self_vote"] if not data["award_kind"] else None,
            candidate_ids=candidate_ids,
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return _render(request, year, True, {"open": form})
    messages.success(request, _("Đã mở bỏ phiếu."))
    return _back(year)


def ballot_vote_view(request, pk: int, ballot_id: int):
    """A reporter votes for its member unit; the secretariat records a paper ballot with the scan
    of the signed paper."""
    year, can_write = get_year_for_user(request, pk)
    ballot = _ballot(year, ballot_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    on_paper = request.POST.get("on_paper") == "1"
    voters = _voters(request.user, year, can_write, on_paper=on_paper)
    form = (PaperVoteForm if on_paper else VoteForm)(
        request.POST,
        request.FILES,
        candidates=svc.ballot_candidates(ballot),
        voters=voters,
        seats=ballot.seats,
    )
    key = ("paper" if on_paper else "vote", ballot.pk)
    # The page of an invalid vote is the voter's own page: a reporter's never carries the
    # secretariat's forms (finding 13).
    if not form.is_valid():
        return _render(request, year, can_write, {key: form})
    try:
        svc.ballot_vote(
            ballot=ballot,
            voter=form.voter_unit(),
            candidate_ids=form.cleaned_data["choices"],
            on_paper=on_paper,
            scan=form.cleaned_data.get("scan"),
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return _render(request, year, can_write, {key: form})
    messages.success(
        request, _("Đã ghi nhận phiếu giấy.") if on_paper else _("Đã ghi nhận phiếu bầu.")
    )
    return _back(year)


def _voters(user, year, can_write: bool, *, on_paper: bool) -> list:
    """Whom the user may cast a paper for: on paper (the secretariat), any member; in the
    browser, the members it reports for. Nobody: 403."""
    if on_paper and not can_write:
        raise PermissionDenied
    members = year_member_units(emulation_year=year)
    reporter_units = user_scope(user).reporter_units
    voters = members if on_paper else [u for u in members if u.pk in reporter_units]
    if not voters:
        raise PermissionDenied
    return voters


def _paper_voter(request, pk: int, ballot_id: int, unit_id: int):
    """A paper ballot of a member: for the secretariat and that member's own reporter only;
    anyone else — another member's reporter, leadership — a 404."""
    year, can_write = get_year_for_user(request, pk)
    ballot = _ballot(year, ballot_id)
    if not (can_write or unit_id in user_scope(request.user).reporter_units):
        raise Http404
    voter = paper_voter(ballot=ballot, unit_id=unit_id)
    if voter is None:
        raise Http404
    return year, can_write, ballot, voter


def ballot_paper_scan(request, pk: int, ballot_id: int, unit_id: int):
    """The scan of a member's signed paper ballot, as a download."""
    year, _can_write, ballot, voter = _paper_voter(request, pk, ballot_id, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    if not voter.scan:
        raise Http404
    response = FileResponse(
        voter.scan.open("rb"),
        as_attachment=True,
        filename=f"phieu-giay-{ballot.pk}-{voter.unit.code}{_extension(voter.scan.name)}",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def ballot_paper_contest_view(request, pk: int, ballot_id: int, unit_id: int):
    """The member's reporter contests a paper ballot entered in its name (or the secretariat
    withdraws one): the paper vote is withdrawn before the close."""
    year, can_write, ballot, voter = _paper_voter(request, pk, ballot_id, unit_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ContestForm(request.POST)
    if form.is_valid():
        try:
            svc.ballot_paper_contest(
                ballot=ballot,
                unit=voter.unit,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ScoringError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(
                request,
                _("Đã rút phiếu giấy của %(unit)s; đơn vị có thể bỏ phiếu lại.")
                % {"unit": voter.unit.name},
            )
            return _back(year)
    return _render(request, year, can_write, {("contest", ballot.pk, voter.unit_id): form})


@secretariat_post
def ballot_close_view(request, year, ballot_id: int):
    """The first POST shows who has voted and who has not and what closing means; the ballot
    closes only when that confirmation is posted."""
    ballot = _ballot(year, ballot_id)
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "scoring/ballot_close_confirm.html",
            {
                "year": year,
                "ballot": ballot,
                **ballot_close_summary(ballot=ballot, emulation_year=year),
            },
        )
    try:
        svc.ballot_close(ballot=ballot, actor=request.user)
    except ScoringError as error:  # e.g. fewer than 2 votes, or short of the quorum
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã kết thúc bỏ phiếu."))
    return _back(year)


@secretariat_post
def ballot_reopen_view(request, year, ballot_id: int):
    ballot = _ballot(year, ballot_id)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            svc.ballot_reopen(ballot=ballot, reason=form.cleaned_data["reason"], actor=request.user)
        except ScoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã mở lại cuộc bỏ phiếu."))
            return _back(year)
    return _render(request, year, True, {("reopen", ballot.pk): form})


@secretariat_post
def year_election(request, year):
    """Next year's head and deputies: from the election ballots (no field posted), or recorded
    directly."""
    if request.POST.get("by_vote") == "1":
        return _election_by_vote(request, year)
    return _election_recorded(request, year)


def _election_by_vote(request, year):
    try:
        following = svc.election_apply(
            emulation_year=year, head=None, deputies=None, elected_on=None, actor=request.user
        )
    except ScoringError as error:
        messages.error(request, str(error))
        return _back(year)
    return _elected(request, year, following)


def _election_recorded(request, year):
    members = next_year_members(emulation_year=year, following=following_year(emulation_year=year))
    form = ElectionForm(request.POST, members=members)
    if not form.is_valid():
        return _render(request, year, True, {"election": form})
    try:
        following = svc.election_apply(
            emulation_year=year,
            head=form.head_unit(),
            deputies=form.deputy_units(),
            elected_on=form.cleaned_data["elected_on"],
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return _render(request, year, True, {"election": form})
    return _elected(request, year, following)


def _elected(request, year, following):
    messages.success(
        request,
        _("Đã ghi nhận cụm trưởng, cụm phó năm %(y)s.") % {"y": following.year},
    )
    return _back(year)


@secretariat_post
def year_flag(request, year):
    form = FlagForm(request.POST, units=flag_units(emulation_year=year))
    if form.is_valid():
        from_unit, to_unit = form.from_to_units()
        try:
            svc.flag_handover_record(
                emulation_year=year,
                from_unit=from_unit,
                to_unit=to_unit,
                handed_on=form.cleaned_data["handed_on"],
                occasion=form.cleaned_data["occasion"],
                actor=request.user,
            )
        except ScoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã ghi nhận việc bàn giao cờ luân lưu."))
            return _back(year)
    return _render(request, year, True, {"flag": form})
