"""A year's page: the ranking, the members' reports, the heat map and the changes since last year."""

from __future__ import annotations

import math

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from clusters.permissions import (
    can_see_all_reports,
    can_see_results,
    get_year_for_user,
    reads_as_leadership,
    reads_only_as_leadership,
    refuse_unless_read,
    user_scope,
)
from emulation.pagecache import cached_page, page_key
from scoring.formatting import page_language as _language
from scoring.models import Criterion, Report, Score
from scoring.ranking.selectors import (
    run_warnings_named,
    scores_in_language,
    year_current_run,
    year_page_facts,
    year_standings,
)
from scoring.reporting.selectors import report_status_label


def year_detail(request, pk: int):
    """A year's page. Readers who cannot act on it (no form, no task) all see the same page for
    the same state of the year, so theirs is served whole from the cache; leadership, the most
    frequent readers, is recognised from one query of the year's facts, before anything else (and
    only they pay for that query)."""
    facts = (
        year_page_facts(pk)
        if request.method in ("GET", "HEAD") and reads_only_as_leadership(request.user)
        else None
    )
    if facts and reads_as_leadership(request.user, facts.cluster_id, facts.supervising_unit_id):
        return cached_page(
            request,
            _reader_page_key(request, facts, "all"),
            lambda extra: _year_page(request, pk, extra),
        )
    return _year_page(request, pk)


def _year_page(request, pk: int, extra: dict | None = None):
    """The page as the permission layer sees the user: `extra` is the context of a page rendered
    for the cache (see `year_detail`)."""
    year, can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    scope = user_scope(request.user)
    see_all_reports = can_see_all_reports(request.user, year)
    reports = SimpleLazyObject(
        lambda: {r.unit_id: r for r in Report.objects.filter(emulation_year=year)}
    )
    tasks = _reporter_tasks(year, scope, reports)

    def page(extra: dict):
        return _render_year_page(
            request, year, can_write, scope, see_all_reports, reports, tasks, extra
        )

    if extra is None and not can_write and not tasks:
        # Any other reader: the page is theirs to read only, the same for every such reader.
        key = _reader_page_key(request, year_page_facts(pk), "all" if see_all_reports else "member")
        return cached_page(request, key, page)
    return page(extra or {})


def _render_year_page(request, year, can_write, scope, see_all_reports, reports, tasks, extra):
    show_results = can_see_results(request.user, year)
    # (The run's warnings are read only if the ranking has to be rendered again.)
    run = year_current_run(emulation_year=year, defer_warnings=True) if show_results else None
    standings = SimpleLazyObject(lambda: year_standings(emulation_year=year) if run else [])
    # Nothing submitted: an opened year is scored at once and its members tie at 0 — no ranking,
    # heat map or warnings then, but "no data yet".
    has_data = any(r.status in Report.SCORED_STATUSES for r in reports.values())
    return render(
        request,
        "scoring/year_detail.html",
        {
            "year": year,
            "can_write": can_write,
            "show_results": show_results,
            "has_data": has_data,
            "run": run,
            "warnings": SimpleLazyObject(
                lambda: (
                    run_warnings_named(run=run, language=_language()) if run and has_data else []
                )
            ),
            "standings": standings,
            "members": SimpleLazyObject(lambda: _members(year, reports, scope, see_all_reports)),
            "offices": year.offices.select_related("unit").order_by("-role"),  # head, deputies
            "statuses": year.Status.choices,
            "tasks": tasks,
            "heatmap": SimpleLazyObject(
                lambda: _heatmap(run, standings) if run and has_data else None
            ),
            "changes": SimpleLazyObject(
                lambda: _changes_since_last_year(request, year, standings) if run else {}
            ),
            # A run's results never change: its rendered ranking is cached under its id (and the
            # audience, since what a member may compare with depends on it).
            "ranking_key": f"{run.pk}-{'all' if see_all_reports else 'member'}" if run else "",
            # A callable: the template calls it only if it renders the chart (json_script needs a
            # real dict, not a lazy object).
            "chart": lambda: {
                "name": _("Tổng điểm"),
                "labels": [s.unit.label for s in standings],
                "values": [round(s.total, 2) for s in standings],
            },
            **extra,
        },
    )


def _members(year, reports, scope, see_all_reports):
    today = timezone.localdate()
    return [
        {
            "unit": m.unit,
            "report": reports.get(m.unit_id),
            "status": report_status_label(reports.get(m.unit_id)),
            "can_open": see_all_reports or m.unit_id in scope.reporter_units,
            "late": bool(
                year.reporting_deadline
                and today > year.reporting_deadline
                and (m.unit_id not in reports or reports[m.unit_id].status in ("draft", "returned"))
                and not year.is_published
            ),
        }
        for m in year.memberships.select_related("unit").order_by("unit__name")
    ]


def _reader_page_key(request, facts, audience: str) -> str:
    """The cache key of a year's page for a reader who cannot act on it: it changes with
    everything the page shows — the year's state and versions, its current run, each report's
    status and submission time, the day (late reports), the audience, and the frame (language,
    path). Offices and names, which change rarely and outside these, are bounded by the cache's
    lifetime."""
    return page_key(request, "year", facts, timezone.localdate(), audience)


def _reporter_tasks(year, scope, reports):
    """For a reporter: its own member units' tasks this year (pledge, report, comments,
    objections), in a fixed number of queries."""
    from scoring.models import Objection, PledgeSignature, ReportComment

    if not scope.reporter_units:
        return []
    own = [
        m.unit for m in year.memberships.select_related("unit") if m.unit_id in scope.reporter_units
    ]
    if not own:
        return []
    signed = set(
        PledgeSignature.objects.filter(pledge__emulation_year=year, unit__in=own).values_list(
            "unit_id", flat=True
        )
    )
    open_comments = {}
    for unit_id in ReportComment.objects.filter(
        report__emulation_year=year, report__unit__in=own, resolved=False
    ).values_list("report__unit_id", flat=True):
        open_comments[unit_id] = open_comments.get(unit_id, 0) + 1
    objections = {}
    for unit_id, status in Objection.objects.filter(emulation_year=year, unit__in=own).values_list(
        "unit_id", "status"
    ):
        objections.setdefault(unit_id, []).append(status)
    return [
        {
            "unit": unit,
            "signed": unit.pk in signed,
            "report": reports.get(unit.pk),
            "open_comments": open_comments.get(unit.pk, 0),
            "objections_open": objections.get(unit.pk, []).count("open"),
            "objections_answered": len(objections.get(unit.pk, []))
            - objections.get(unit.pk, []).count("open"),
        }
        for unit in own
    ]


def _heatmap(run, standings):
    """Member × criterion attainment (ratio to target) for the ranking page, in three queries;
    each cell carries its number and the explanation, and links to the member's score sheet. A
    cell the secretariat adjusted is coloured by the points it set, and marked."""
    from scoring.models import ManualPoints

    rows_of_criteria = list(
        Criterion.objects.filter(scheme_id=run.scheme_id)
        .order_by("position")
        .values_list("code", "name", "rule")
    )
    criteria = [(code, name) for code, name, _rule in rows_of_criteria]
    by_hand = {code for code, _name, rule in rows_of_criteria if rule == Criterion.Rule.MANUAL}
    cells = {(s.unit_id, s.criterion_code): s for s in Score.objects.filter(run=run)}
    scores_in_language(cells.values(), run=run, language=_language())
    # Adjustments of computed criteria (a manual criterion's points are always set by hand).
    adjusted = {
        (unit_id, code)
        for unit_id, code in ManualPoints.objects.filter(
            emulation_year_id=run.emulation_year_id
        ).values_list("unit_id", "criterion_code")
        if code not in by_hand
    }
    rows = []
    for standing in standings:
        sheet = reverse("year-unit-sheet", args=[run.emulation_year_id, standing.unit_id])
        row = []
        for code, _name in criteria:
            score = cells.get((standing.unit_id, code))
            row.append(
                (code, score, *_heat_cell(score, adjusted=(standing.unit_id, code) in adjusted))
            )
        rows.append((standing, sheet, row))
    return {"criteria": criteria, "rows": rows, "any_adjusted": bool(adjusted)}


def _heat_cell(score, *, adjusted: bool = False) -> tuple[str, str]:
    """A heat-map cell's colour and text. Grey only without a figure; a criterion without a
    ratio (a target of 0, e.g. days late) is green when met, red when not. The per cent is
    rounded down, so that a cell reads 100% only if the target was reached. A cell whose points
    the secretariat set is green when they met the criterion ("✓", whatever the ratio) and
    carries a "*"."""
    mark = "*" if adjusted else ""
    if score is None or (score.actual is None and not adjusted):
        return "none", "—"
    ratio = score.ratio
    if adjusted and score.met:
        return "met", "✓" + mark
    if ratio is None:
        return ("met", "✓" + mark) if score.met else ("low", "✗" + mark)
    text = f"{math.floor(ratio * 100 + 1e-9)}%{mark}"
    if score.met:
        return "met", text
    return ("high" if ratio >= 0.8 else "mid" if ratio >= 0.5 else "low"), text


def _changes_since_last_year(request, year, standings):
    """Change of rank and total against the cluster's previous year, for the units that competed
    then too; units that absorbed others that year are marked (their totals are not comparable)."""
    from clusters.models import EmulationYear, UnitSuccession
    from scoring.models import Standing

    previous = EmulationYear.objects.filter(cluster_id=year.cluster_id, year=year.year - 1).first()
    if previous is None or not can_see_results(request.user, previous):
        return {}
    before = {
        s.unit_id: s
        for s in Standing.objects.filter(run__emulation_year=previous, run__is_current=True)
    }
    merged = set(
        UnitSuccession.objects.filter(effective_on__year=year.year).values_list(
            "successor_id", flat=True
        )
    )
    changes = {}
    for s in standings:
        old = before.get(s.unit_id)
        if old is None:
            continue
        changes[s.unit_id] = {
            "rank": old.rank - s.rank,  # positive: moved up
            "total": s.total - old.total,
            "merged": s.unit_id in merged,
        }
    return changes
