"""A year's page: the ranking, the members' reports, the heat map and the changes since last year."""

from __future__ import annotations

import functools
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
from scoring.models import Report
from scoring.ranking.selectors import (
    reporter_tasks,
    run_heat_cells,
    run_warnings_named,
    standing_changes,
    year_before,
    year_current_run,
    year_member_units,
    year_offices,
    year_page_facts,
    year_reports,
    year_standings,
)
from scoring.reporting.selectors import report_status_label
from scoring.schemes.selectors import scheme_in_force


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
    see_all_reports = can_see_all_reports(request.user, year)
    reports = SimpleLazyObject(lambda: year_reports(emulation_year=year))
    tasks = reporter_tasks(
        emulation_year=year,
        reporter_units=user_scope(request.user).reporter_units,
        reports=reports,  # type: ignore[arg-type]  # read only if the user reports for a member
    )

    def page(extra: dict):
        return _render_year_page(request, year, can_write, see_all_reports, reports, tasks, extra)

    if extra is None and not can_write and not tasks:
        # Any other reader: the page is theirs to read only, the same for every such reader.
        key = _reader_page_key(request, year_page_facts(pk), "all" if see_all_reports else "member")
        return cached_page(request, key, page)
    return page(extra or {})


def _render_year_page(request, year, can_write, see_all_reports, reports, tasks, extra):
    show_results = can_see_results(request.user, year)
    # (The run's warnings are read only if the ranking has to be rendered again.)
    run = year_current_run(emulation_year=year, defer_warnings=True) if show_results else None
    # Nothing submitted: an opened year is scored at once and its members tie at 0 — no ranking,
    # heat map or warnings then, but "no data yet".
    has_data = any(r.status in Report.SCORED_STATUSES for r in reports.values())
    reporter_units = user_scope(request.user).reporter_units
    return render(
        request,
        "scoring/year_detail.html",
        {
            "year": year,
            "scheme": functools.partial(scheme_in_force, year),  # read if the page shows it
            "can_write": can_write,
            "show_results": show_results,
            "has_data": has_data,
            "run": run,
            **_results(request.user, year, run, has_data, see_all_reports),
            "members": SimpleLazyObject(
                lambda: _members(year, reports, reporter_units, see_all_reports)
            ),
            "offices": year_offices(emulation_year=year),  # head, deputies
            "statuses": year.Status.choices,
            "tasks": tasks,
            **extra,
        },
    )


def _results(user, year, run, has_data: bool, see_all_reports: bool) -> dict:
    """The ranking's part of the page, each piece read only if the template renders it."""
    standings = SimpleLazyObject(lambda: year_standings(emulation_year=year) if run else [])
    return {
        "standings": standings,
        "warnings": SimpleLazyObject(
            lambda: run_warnings_named(run=run, language=_language()) if run and has_data else []
        ),
        "heatmap": SimpleLazyObject(lambda: _heatmap(run, standings) if run and has_data else None),
        "changes": SimpleLazyObject(
            lambda: _changes_since_last_year(user, year, standings) if run else {}
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
    }


def _members(year, reports, reporter_units, see_all_reports):
    """Each member with its report's state, whether the user may open it, and whether it is
    late (past the deadline, not submitted, the year not yet published)."""
    today = timezone.localdate()
    past_deadline = bool(
        year.reporting_deadline and today > year.reporting_deadline and not year.is_published
    )
    unsent = (Report.Status.DRAFT, Report.Status.RETURNED)
    return [
        {
            "unit": unit,
            "report": reports.get(unit.pk),
            "status": report_status_label(reports.get(unit.pk)),
            "can_open": see_all_reports or unit.pk in reporter_units,
            "late": past_deadline and (unit.pk not in reports or reports[unit.pk].status in unsent),
        }
        for unit in year_member_units(emulation_year=year)
    ]


def _reader_page_key(request, facts, audience: str) -> str:
    """The cache key of a year's page for a reader who cannot act on it: it changes with
    everything the page shows — the year's state and versions, its current run, each report's
    status and submission time, the day (late reports), the audience, and the frame (language,
    path). Offices and names, which change rarely and outside these, are bounded by the cache's
    lifetime."""
    return page_key(request, "year", facts, timezone.localdate(), audience)


def _heatmap(run, standings):
    """Member × criterion attainment (ratio to target) for the ranking page; each cell carries
    its number and the explanation, and links to the member's score sheet. A cell the
    secretariat adjusted is coloured by the points it set, and marked."""
    heat = run_heat_cells(run=run, language=_language())
    rows = []
    for standing in standings:
        sheet = reverse("year-unit-sheet", args=[run.emulation_year_id, standing.unit_id])
        row = []
        for code, _name in heat.criteria:
            score = heat.cells.get((standing.unit_id, code))
            adjusted = (standing.unit_id, code) in heat.adjusted
            row.append((code, score, *_heat_cell(score, adjusted=adjusted)))
        rows.append((standing, sheet, row))
    return {"criteria": heat.criteria, "rows": rows, "any_adjusted": bool(heat.adjusted)}


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


def _changes_since_last_year(user, year, standings):
    """Change of rank and total against the cluster's previous year, if the user may see its
    results (see `standing_changes`)."""
    previous = year_before(emulation_year=year)
    if previous is None or not can_see_results(user, previous):
        return {}
    return standing_changes(emulation_year=year, previous=previous, standings=standings)
