"""Figures entered in bulk by the secretariat (a file of unit,year,element,value rows)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear, Membership
from scoring.errors import ImportRefused, YearLocked
from scoring.models import Report, ReportValue
from scoring.ranking.services.dirty import figures_mark_dirty
from scoring.schemes.selectors import scheme_in_force, with_scheme_in_force


def figures_import(
    *,
    cluster_id: int,
    figures: dict[tuple[str, int, str], float],
    filename: str,
    actor: Actor = None,
) -> dict[int, int]:
    """Write figures into the members' reports of the cluster's years, all or nothing.

    Every row must name a member of the cluster in that year and a data element of the year's
    scheme. Reports it touches become submitted (the secretariat entered them from the members'
    papers); each report's change is one audit row with the figures before and after. Returns
    {emulation year id: values written}.
    """
    by_report = _figures_by_report(cluster_id=cluster_id, figures=figures, filename=filename)
    written: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        # The years first, in order, then the reports: the order report_save takes them in, so
        # that an import and a reporter's save of the same report wait for each other instead
        # of deadlocking. Under the lock, a publication in between is seen.
        _lock_open_years(sorted({year_id for year_id, _unit in by_report}), filename=filename)
        for (year_id, unit_id), values in sorted(by_report.items()):
            _write_report_figures(year_id, unit_id, values, filename=filename, actor=actor)
            written[year_id] += len(values)
        units_by_year: dict[int, set[int]] = defaultdict(set)
        for year_id, unit_id in by_report:
            units_by_year[year_id].add(unit_id)
        for year_id, unit_ids in units_by_year.items():
            figures_mark_dirty(emulation_year_id=year_id, unit_ids=unit_ids)
    return dict(written)


def _figures_by_report(
    *, cluster_id: int, figures: dict[tuple[str, int, str], float], filename: str
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """The file's figures by (year id, unit id), each checked against the cluster's years, their
    members and their schemes' elements: ImportRefused naming the problems (the first 20), or
    YearLocked for a published year — before anything is written."""
    years = {
        y.year: y for y in with_scheme_in_force(EmulationYear.objects.filter(cluster_id=cluster_id))
    }
    members: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for year_value, code, member_id in Membership.objects.filter(
        emulation_year__cluster_id=cluster_id
    ).values_list("emulation_year__year", "unit__code", "unit_id"):
        members[year_value][code] = member_id
    elements: dict[int, set[str]] = {}
    problems: list[str] = []
    by_report: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for (unit_code, year_value, element), figure in sorted(figures.items()):
        year = years.get(year_value)
        if year is None:
            problems.append(
                _("%(file)s: năm %(year)s chưa có năm thi đua của cụm này")
                % {"file": filename, "year": year_value}
            )
            continue
        if year.is_published:
            raise YearLocked(_published(filename, year_value))
        unit_id = members[year_value].get(unit_code)
        if unit_id is None:
            problems.append(
                _("%(file)s: đơn vị “%(unit)s” không phải thành viên năm %(year)s")
                % {"file": filename, "unit": unit_code, "year": year_value}
            )
            continue
        scheme = scheme_in_force(year)
        if scheme is not None:
            if year.pk not in elements:
                elements[year.pk] = set(scheme.data_elements.values_list("code", flat=True))
            if element not in elements[year.pk]:
                problems.append(
                    _("%(file)s: chỉ số “%(element)s” không có trong thang điểm năm %(year)s")
                    % {"file": filename, "element": element, "year": year_value}
                )
                continue
        by_report[(year.pk, unit_id)][element] = Decimal(str(figure))
    if problems:
        raise ImportRefused("; ".join(sorted(set(problems))[:20]))
    return by_report


def _published(filename: str, year_value: int) -> str:
    return _("%(file)s: năm %(year)s đã công bố kết quả, không thể nhập số liệu.") % {
        "file": filename,
        "year": year_value,
    }


def _lock_open_years(year_ids: list[int], *, filename: str) -> None:
    """Lock the years in order; YearLocked if one was published since the figures were checked."""
    for locked_year in (
        EmulationYear.objects.select_for_update().filter(pk__in=year_ids).order_by("year", "pk")
    ):
        if locked_year.is_published:
            raise YearLocked(_published(filename, locked_year.year))


def _write_report_figures(
    year_id: int, unit_id: int, values: dict[str, Decimal], *, filename: str, actor: Actor
) -> None:
    """One member's figures into its report (created if need be), which becomes submitted unless
    it already is (or is verified); one audit row with the figures before and after."""
    report, _created = Report.objects.select_for_update().get_or_create(
        emulation_year_id=year_id, unit_id=unit_id
    )
    existing = {v.element_code: v for v in report.values.all()}
    before = {code: str(v.value) if v.value is not None else None for code, v in existing.items()}
    new_rows = []
    for code, value in values.items():
        row = existing.get(code)
        if row is None:
            new_rows.append(ReportValue(report=report, element_code=code, value=value))
        elif row.value != value:
            row.value = value
            row.save(update_fields=["value"])
    ReportValue.objects.bulk_create(new_rows)
    if report.status in (Report.Status.DRAFT, Report.Status.RETURNED):
        report.status = Report.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    Report.objects.filter(pk=report.pk).update(
        version=F("version") + 1,
        status=report.status,
        submitted_at=report.submitted_at,
        submitted_by=report.submitted_by,
    )
    audit_record(
        actor=actor,
        action="figures.import",
        obj=report,
        emulation_year_id=year_id,
        summary=f"Nhập {len(values)} số liệu từ tệp {filename}",
        before=before,
        after={code: str(v) for code, v in values.items()},
    )
