"""The shape of the hot queries: no hidden joins from default orderings, a scheme version's parts
read once per process, one Redis client per connection pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import models

from emulation.cache import ReusingRedisCacheClient
from scoring.models import Scheme
from scoring.schemes.selectors import scheme_criteria, scheme_data_elements
from tests.scoring.factories import install_scheme


def _our_models():
    for label in ("clusters", "scoring"):
        yield from apps.get_app_config(label).get_models()


def test_no_default_ordering_follows_a_foreign_key_into_another_tables_ordering():
    """`ordering = ["emulation_year"]` sorts by the year's own ordering — its cluster's name —, so
    every query of the model, even one row by its key, joins the cluster: order by the key
    (`emulation_year_id`) instead."""
    offenders = []
    for model in _our_models():
        for entry in model._meta.ordering:
            name = entry.lstrip("-").split("__")[0]
            field = model._meta.get_field(name) if name != "pk" else None
            if (
                isinstance(field, models.ForeignKey)
                and name == field.name  # not its column, `…_id`
                and "__" not in entry
                and field.related_model._meta.ordering
            ):
                offenders.append(f"{model.__name__}: {entry}")
    assert offenders == []


@pytest.mark.django_db
def test_reading_a_reports_figures_joins_nothing():
    from scoring.models import MemberTarget, ReportComment, ReportValue

    for queryset in (
        ReportValue.objects.filter(report_id=1),
        ReportComment.objects.filter(report_id=1),
        MemberTarget.objects.filter(emulation_year_id=1, unit_id=1),
    ):
        assert "JOIN" not in str(queryset.query)


@pytest.mark.django_db
def test_a_scheme_versions_parts_are_read_once_and_another_version_again(
    world, django_assert_num_queries
):
    install_scheme(world.year)
    scheme = Scheme.objects.get(emulation_year=world.year)
    with django_assert_num_queries(2):
        elements, criteria = scheme_data_elements(scheme), scheme_criteria(scheme)
    assert [e.code for e in elements] and [c.code for c in criteria]
    with django_assert_num_queries(0):
        assert scheme_data_elements(scheme) == elements
        assert scheme_criteria(scheme) == criteria
    # The same id with another creation time — an id used again after a rollback — is read anew.
    scheme.created_at += dt.timedelta(seconds=1)
    with django_assert_num_queries(1):
        scheme_data_elements(scheme)


def test_the_redis_cache_client_is_built_once_per_pool():
    client = ReusingRedisCacheClient(["redis://127.0.0.1:1/0", "redis://127.0.0.1:2/0"])
    writer = client.get_client(write=True)
    assert client.get_client(write=True) is writer  # no connection is made to build it
    assert client.get_client("any key", write=True) is writer


@pytest.mark.django_db
def test_the_report_forms_figures_are_read_by_report_not_by_an_or_across_a_join(world):
    """This year's and last year's figures in one query: the reports are picked first (by their
    keys), then their figures by report. An OR across the join to the figures made PostgreSQL
    read every figure of every report (2.4 ms a call under the load test, 0.12 ms after)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoring.models import Report
    from scoring.reporting.selectors import report_figures

    report = Report.objects.create(emulation_year=world.year, unit=world.unit_a1)
    with CaptureQueriesContext(connection) as captured:
        report_figures(emulation_year=world.year, unit_id=world.unit_a1.pk, report=report)
    (sql,) = [q["sql"] for q in captured.captured_queries]
    outer, _, subquery = sql.partition("IN (SELECT")
    assert '"scoring_reportvalue"."report_id"' in outer and subquery
    assert "JOIN" not in outer and " OR " not in outer


@pytest.mark.django_db
def test_a_report_requests_year_and_unit_read_by_hand_equal_what_the_orm_reads(world):
    """`get_report_for_user` reads the year, its cluster and the member unit with one
    hand-written statement (emulation/sql.py): every field as the ORM gives it (dates, booleans,
    text, JSON) — and nothing for a unit that is not a member."""
    from clusters.models import Cluster, EmulationYear, Unit
    from clusters.permissions import _member_of_year

    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(reporting_deadline=dt.date(2025, 12, 15))
    year, unit = _member_of_year(world.year.pk, world.unit_a1.pk)
    orm_year = EmulationYear.objects.get(pk=world.year.pk)

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    assert fields(year) == fields(orm_year)
    assert fields(year.cluster) == fields(Cluster.objects.get(pk=world.year.cluster_id))
    assert fields(unit) == fields(Unit.objects.get(pk=world.unit_a1.pk))
    assert _member_of_year(world.year.pk, world.unit_b1.pk) is None
