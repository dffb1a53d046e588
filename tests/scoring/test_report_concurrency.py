"""The optimistic lock under real concurrency, on PostgreSQL: ten saves of the same report
opened at the same version — exactly one wins, every other is told, nothing is mixed up. And a
control that shows the race the lock prevents."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from scoring.models import Report, ReportValue
from scoring.reporting.services.reports import ReportConflict, report_save
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db(transaction=True)

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency needs PostgreSQL (second CI pass)"
)


def run_together(workers):
    """Start every worker at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def target(i, work):
        try:
            barrier.wait()
            results[i] = work()
        except Exception as error:  # the test inspects what each got
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@requires_postgresql
def test_ten_saves_of_one_report_at_once_one_wins_the_others_are_told(world):
    install_scheme(world.year)
    report = Report.objects.create(emulation_year=world.year, unit=world.unit_a1)

    def save(value):
        return lambda: report_save(
            report=Report.objects.get(pk=report.pk),
            expected_version=1,
            values={"new_coops": Decimal(value)},
        )

    results = run_together([save(10 + i) for i in range(10)])
    winners = [r for r in results if isinstance(r, Report)]
    told = [r for r in results if isinstance(r, ReportConflict)]
    assert len(winners) == 1 and len(told) == 9, results
    stored = ReportValue.objects.get(report=report, element_code="new_coops").value
    assert Report.objects.get(pk=report.pk).version == 2
    assert stored == winners[0].values.get(element_code="new_coops").value


@requires_postgresql
def test_different_reports_saved_at_once_all_succeed_without_mixing(world):
    install_scheme(world.year)
    reports = [
        Report.objects.create(emulation_year=world.year, unit=u)
        for u in (world.unit_a1, world.unit_a2)
    ]

    def save(report, value):
        return lambda: report_save(
            report=report, expected_version=1, values={"new_coops": Decimal(value)}
        )

    results = run_together([save(reports[0], 11), save(reports[1], 22)])
    assert all(isinstance(r, Report) for r in results), results
    assert ReportValue.objects.get(report=reports[0]).value == 11
    assert ReportValue.objects.get(report=reports[1]).value == 22


@requires_postgresql
def test_control_without_the_lock_two_saves_both_succeed_and_one_is_silently_lost(world):
    """What report_save prevents: read, then write, with no version check."""
    install_scheme(world.year)
    report = Report.objects.create(emulation_year=world.year, unit=world.unit_a1)
    ReportValue.objects.create(report=report, element_code="new_coops", value=1)
    read_done = threading.Barrier(2)

    def naive(value):
        def work():
            row = ReportValue.objects.get(report=report, element_code="new_coops")  # both read v1
            read_done.wait()
            row.value = Decimal(value)
            row.save()
            return value

        return work

    results = run_together([naive(10), naive(20)])
    assert sorted(results) == [10, 20]  # both were told "saved"
    stored = ReportValue.objects.get(report=report, element_code="new_coops").value
    assert stored in (10, 20)  # …but one of the two figures is gone, and nobody was told
