"""The database path of the engine: inputs read from reports, results written per run."""

from __future__ import annotations

import pytest

from clusters.models import AuditEntry, EmulationYear
from scoring.models import Report, Score, ScoringRun, Standing
from scoring.ranking.selectors import year_inputs
from scoring.ranking.services import recompute
from scoring.ranking.services.dirty import year_mark_dirty
from scoring.ranking.services.recompute import year_recompute
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_year(world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    world.year.refresh_from_db()
    return world.year


def standings(year) -> dict[str, tuple]:
    return {
        s.unit.code: (s.rank, round(s.total, 6), s.band, s.eligible)
        for s in Standing.objects.filter(
            run__emulation_year=year, run__is_current=True
        ).select_related("unit")
    }


def test_it_scores_the_submitted_figures_and_ranks_the_members(scored_year):
    assert standings(scored_year) == {"a1": (1, 60.0, "", True), "a2": (2, 30.0, "", True)}
    assert not scored_year.is_dirty
    line = Score.objects.get(run__is_current=True, unit__code="a2", criterion_code="1.1")
    assert (line.actual, line.target, line.ratio, line.points) == (10.0, 20.0, 0.5, 30.0)
    assert "10" in line.explanation and "20" in line.explanation


def test_draft_figures_are_not_scored(scored_year):
    Report.objects.filter(unit__code="a2").update(status=Report.Status.DRAFT)
    year_mark_dirty(emulation_year_id=scored_year.pk)
    year_recompute(emulation_year_id=scored_year.pk)
    assert standings(scored_year)["a2"][1] == 0.0


def test_a_verified_value_replaces_the_reported_one(scored_year):
    from scoring.models import ReportValue

    ReportValue.objects.filter(report__unit__code="a1", element_code="new_coops").update(
        verified_value=15
    )
    year_mark_dirty(emulation_year_id=scored_year.pk)
    year_recompute(emulation_year_id=scored_year.pk)
    assert standings(scored_year)["a1"][1] == 45.0


def current_lines() -> list[tuple]:
    return list(
        Score.objects.filter(run__is_current=True)
        .order_by("unit__code", "criterion_code")
        .values_list(
            "unit__code",
            "criterion_code",
            "actual",
            "target",
            "ratio",
            "met",
            "points",
            "explanation",
        )
    )


def test_running_twice_on_the_same_inputs_writes_nothing_new_and_forcing_writes_the_same(
    scored_year,
):
    before = ScoringRun.objects.count()
    year_mark_dirty(emulation_year_id=scored_year.pk)  # a change that changes nothing
    outcome = year_recompute(emulation_year_id=scored_year.pk)
    assert outcome.status == "unchanged" and ScoringRun.objects.count() == before
    first = current_lines()
    year_recompute(emulation_year_id=scored_year.pk, force=True)
    second = current_lines()
    assert first == second and ScoringRun.objects.count() == before + 1
    assert ScoringRun.objects.filter(emulation_year=scored_year, is_current=True).count() == 1


def test_changes_in_one_transaction_are_coalesced_into_one_run(
    scored_year, django_capture_on_commit_callbacks
):
    before = ScoringRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        put_figures(scored_year, {("a2", "new_coops"): 12})
        put_figures(scored_year, {("a2", "new_coops"): 14})
        put_figures(scored_year, {("a2", "new_coops"): 16})
    assert len(callbacks) == 3
    assert ScoringRun.objects.count() == before + 1
    assert standings(scored_year)["a2"][1] == pytest.approx(48.0)


def test_a_run_never_overwrites_the_results_of_a_newer_input(scored_year):
    old_inputs = year_inputs(emulation_year=EmulationYear.objects.get(pk=scored_year.pk))
    old_result = old_inputs.run()
    put_figures(scored_year, {("a2", "new_coops"): 20})
    year_recompute(emulation_year_id=scored_year.pk)
    newest = ScoringRun.objects.get(emulation_year=scored_year, is_current=True)
    # The slow run that read the old inputs finishes last: it must not replace the newer results.
    written = recompute._write_runs([(old_inputs, "old", old_result)], started=0.0)
    assert written == {}
    assert ScoringRun.objects.get(emulation_year=scored_year, is_current=True).pk == newest.pk
    assert standings(scored_year)["a2"][1] == 60.0


def test_a_run_that_fails_half_way_leaves_the_previous_results_in_place(scored_year, monkeypatch):
    current = ScoringRun.objects.get(emulation_year=scored_year, is_current=True)
    runs = ScoringRun.objects.count()
    put_figures(scored_year, {("a2", "new_coops"): 18})

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Standing.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        year_recompute(emulation_year_id=scored_year.pk)
    assert ScoringRun.objects.count() == runs
    assert ScoringRun.objects.get(emulation_year=scored_year, is_current=True).pk == current.pk
    assert Score.objects.filter(run=current).count() == 4
    assert EmulationYear.objects.get(pk=scored_year.pk).is_dirty


def test_a_figure_change_marks_the_next_year_of_a_successor_dirty_too(world):
    import datetime as dt

    from clusters.models import Membership, UnitSuccession

    next_year = EmulationYear.objects.create(cluster=world.cluster, year=2026)
    Membership.objects.create(emulation_year=next_year, unit=world.unit_a1)
    UnitSuccession.objects.create(
        predecessor=world.unit_a2, successor=world.unit_a1, effective_on=dt.date(2026, 7, 1)
    )
    install_scheme(world.year)
    version = EmulationYear.objects.get(pk=next_year.pk).input_version
    put_figures(world.year, {("a2", "coop_members"): 1000})
    assert EmulationYear.objects.get(pk=next_year.pk).input_version == version + 1


def test_prev_sums_the_predecessors_of_a_member_that_merged_that_year(world):
    import datetime as dt

    from clusters.models import Membership, UnitSuccession

    install_scheme(world.year)
    put_figures(
        world.year,
        {
            ("a1", "coop_members"): 1000,
            ("a2", "coop_members"): 500,
            ("a1", "new_coops"): 20,
            ("a2", "new_coops"): 20,
        },
    )
    merged = EmulationYear.objects.create(cluster=world.cluster, year=2026)
    Membership.objects.create(emulation_year=merged, unit=world.unit_a1)
    UnitSuccession.objects.create(
        predecessor=world.unit_a2, successor=world.unit_a1, effective_on=dt.date(2026, 7, 1)
    )
    install_scheme(merged)
    put_figures(merged, {("a1", "coop_members"): 1650, ("a1", "new_coops"): 20})
    year_recompute(emulation_year_id=merged.pk)
    line = Score.objects.get(run__emulation_year=merged, run__is_current=True, criterion_code="2.1")
    assert line.actual == pytest.approx(10.0)  # 1650 against 1000 + 500, not against 1000
    assert line.met is True


def test_a_scheme_amendment_needs_a_reason_and_is_audited(world):
    from scoring.errors import ReasonRequired
    from scoring.schemes.services import scheme_create_version
    from tests.scoring.factories import SMALL_SCHEME

    install_scheme(world.year)
    with pytest.raises(ReasonRequired):
        scheme_create_version(emulation_year=world.year, scheme=SMALL_SCHEME)
    second = scheme_create_version(
        emulation_year=world.year, scheme=SMALL_SCHEME, reason="Sửa mẫu số tiêu chí 3"
    )
    assert second.version == 2
    assert scheme_of(world.year) == second
    entry = AuditEntry.objects.filter(action="scheme.version").latest("id")
    assert entry.reason == "Sửa mẫu số tiêu chí 3" and entry.before["version"] == 1


def test_a_published_year_refuses_a_new_scheme_version(world):
    from scoring.errors import YearLocked
    from scoring.schemes.services import scheme_create_version
    from tests.scoring.factories import SMALL_SCHEME

    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    with pytest.raises(YearLocked):
        scheme_create_version(emulation_year=world.year, scheme=SMALL_SCHEME, reason="late change")


def test_copy_text_escapes_what_copy_would_misread():
    from scoring.ranking.services.recompute import _copy_num, _copy_text

    assert _copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert _copy_num(None) == "\\N" and _copy_num(0.1) == "0.1"


def test_an_explanation_with_tabs_and_newlines_survives_the_database_round_trip(world):
    from scoring import engine
    from tests.scoring.factories import SMALL_SCHEME

    odd = engine.Scheme(
        name=SMALL_SCHEME.name,
        scale=100,
        data_elements=SMALL_SCHEME.data_elements,
        criteria=(
            engine.Criterion(
                code="M\t1",
                group="G",
                name="n",
                definition="",
                measure="",
                target=None,
                points=10,
                rule="manual",
            ),
        ),
    )
    install_scheme(world.year, odd)
    from scoring.models import ManualPoints

    ManualPoints.objects.create(
        emulation_year=world.year,
        unit=world.unit_a1,
        criterion_code="M\t1",
        points=5,
        reason="dòng 1\ndòng 2\t\\ hết",
    )
    year_recompute(emulation_year_id=world.year.pk, force=True)
    line = Score.objects.get(run__is_current=True, unit=world.unit_a1)
    assert line.criterion_code == "M\t1" and "dòng 1\ndòng 2\t\\ hết" in line.explanation
