"""The year's pledge: publishing it and recording the members' signatures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import get_year_for_user
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.errors import ScoringError
from scoring.setup.forms import PledgeForm, SignatureForm
from scoring.setup.selectors import PledgePage, pledge_amendments, pledge_page
from scoring.setup.services.pledges import pledge_publish, pledge_sign


def year_pledge(request, pk: int):
    """The pledge: its text, who signed for each member and when; the secretariat publishes it
    and records the signatures."""
    year, can_write = get_year_for_user(request, pk)
    page = pledge_page(emulation_year=year)
    pledge_form = PledgeForm.for_pledge(page.pledge, year)
    signature_form = SignatureForm(units=page.unsigned)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        action = request.POST.get("action")
        refused = upload_refusal(request)
        if refused is not None:
            action = "sign"  # the button pressed came after the file, and never arrived
        if action == "publish":
            pledge_form = PledgeForm(request.POST)
            done = _publish(request, year, pledge_form)
        elif action == "sign" and page.pledge is not None:
            signature_form = SignatureForm(request.POST, request.FILES, units=page.unsigned)
            done = _sign(request, page, signature_form, refused)
        else:
            raise PermissionDenied
        if done:
            return redirect("year-pledge", pk=year.pk)
    return _render(request, year, can_write, page, pledge_form, signature_form)


def _publish(request, year, form: PledgeForm) -> bool:
    """Publish the pledge, or change its text until every member has signed."""
    if not form.is_valid():
        return False
    try:
        pledge_publish(emulation_year=year, actor=request.user, **form.cleaned_data)
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, _("Đã công bố giao ước."))
    return True


def _sign(request, page: PledgePage, form: SignatureForm, refused) -> bool:
    """Record a member's signature (with its scan); `refused`: the scan was too large."""
    if refused is not None:
        refuse_on_field(form, "scan", refused)
    if not form.is_valid():
        return False
    assert page.pledge is not None  # the form is offered once the pledge is published
    try:
        pledge_sign(pledge=page.pledge, actor=request.user, **form.cleaned_data)
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    messages.success(
        request, _("Đã ghi nhận chữ ký của %(unit)s.") % {"unit": form.cleaned_data["unit"]}
    )
    return True


def _render(request, year, can_write: bool, page: PledgePage, pledge_form, signature_form):
    return render(
        request,
        "scoring/year_pledge.html",
        {
            "year": year,
            "pledge": page.pledge,
            "members": [(u, page.signatures.get(u.pk)) for u in page.members],
            "can_write": can_write,
            "pledge_form": pledge_form,
            "signature_form": signature_form,
            "all_signed": bool(page.pledge and page.pledge.locked_at),
            "amendments": pledge_amendments(emulation_year=year),
        },
    )
