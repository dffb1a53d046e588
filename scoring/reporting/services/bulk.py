"""The secretariat's bulk work on a year: verify every submitted report that has no open
comment (the list to choose from, and the late members to remind, are read in
scoring/reporting/selectors.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from clusters.audit import Actor
from clusters.models import EmulationYear
from scoring.errors import ScoringError, YearLocked
from scoring.models import Report, ReportComment
from scoring.reporting.services.reports import report_verify


@dataclass
class BulkVerifyResult:
    verified: list[str] = field(default_factory=list)  # units
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (unit, why)


def reports_verify_bulk(
    *, emulation_year: EmulationYear, expected: dict[int, int], actor: Actor = None
) -> BulkVerifyResult:
    """Verify the reports named as {report id: version read when the list was shown}, each
    through `report_verify` (its audit row, its recompute), in one transaction. A report that
    changed since — saved, returned, commented, already verified — is skipped and said why;
    the others are verified."""
    result = BulkVerifyResult()
    with transaction.atomic():
        # The year first, then the reports in id order: the order report_verify takes them in.
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        if year.is_published:
            raise YearLocked(
                _(
                    "Kết quả năm này đã công bố: báo cáo không thể thay đổi. "
                    "Hãy mở lại năm (kèm lý do) trước."
                )
            )
        open_comment = ReportComment.objects.filter(report=OuterRef("pk"), resolved=False)
        reports = {
            r.pk: r
            for r in Report.objects.select_for_update(of=("self",))
            .filter(emulation_year=year, pk__in=list(expected))
            .annotate(has_open_comment=Exists(open_comment))
            .select_related("unit")
            .order_by("pk")
        }
        for pk in sorted(expected):
            report = reports.get(pk)
            if report is None:
                result.skipped.append((f"#{pk}", _("không phải báo cáo của năm này")))
                continue
            label = report.unit.name
            if report.version != expected[pk]:
                result.skipped.append((label, _("đã thay đổi sau khi danh sách được mở")))
            elif report.status != Report.Status.SUBMITTED:
                result.skipped.append(
                    (
                        label,
                        _("đang ở trạng thái “%(status)s”")
                        % {"status": report.get_status_display()},
                    )
                )
            elif report.has_open_comment:
                result.skipped.append((label, _("còn nhận xét chưa xử lý")))
            else:
                try:
                    report_verify(report=report, expected_version=report.version, actor=actor)
                except ScoringError as error:  # (not expected under the locks held; said if so)
                    result.skipped.append((label, str(error)))
                else:
                    result.verified.append(label)
    return result
