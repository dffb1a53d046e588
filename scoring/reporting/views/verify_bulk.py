"""Verifying many submitted reports at once."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from clusters.permissions import get_year_for_user
from scoring.errors import ScoringError
from scoring.reporting.selectors import reports_verifiable
from scoring.reporting.services.bulk import BulkVerifyResult, reports_verify_bulk
from scoring.setup.forms_copy import bulk_selection


def year_verify_bulk(request, pk: int):
    """GET: the submitted reports without an open comment, to verify at once; POST: verify the
    ones ticked, skipping (and naming) any that changed since the page was shown."""
    year, can_write = get_year_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    if request.method == "POST":
        try:
            expected = bulk_selection(request.POST)
            result = reports_verify_bulk(emulation_year=year, expected=expected, actor=request.user)
        except (ValidationError, ScoringError) as error:
            messages.error(
                request, error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
            return redirect("year-verify-bulk", pk=year.pk)
        _say_verified(request, result)
        return redirect("year-detail", pk=year.pk)
    return render(
        request,
        "scoring/year_verify_bulk.html",
        {"year": year, "reports": reports_verifiable(emulation_year=year)},
    )


def _say_verified(request, result: BulkVerifyResult) -> None:
    """Which reports were verified, and which were skipped and why."""
    if result.verified:
        messages.success(
            request,
            ngettext(
                "Đã thẩm định %(n)s báo cáo: %(units)s.",
                "Đã thẩm định %(n)s báo cáo: %(units)s.",
                len(result.verified),
            )
            % {"n": len(result.verified), "units": ", ".join(result.verified)},
        )
    if result.skipped:
        messages.warning(
            request,
            ngettext(
                "Không thẩm định %(n)s báo cáo: %(units)s.",
                "Không thẩm định %(n)s báo cáo: %(units)s.",
                len(result.skipped),
            )
            % {
                "n": len(result.skipped),
                "units": "; ".join(f"{unit} ({why})" for unit, why in result.skipped),
            },
        )
