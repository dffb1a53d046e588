"""The year's pledge: publishing it and recording the members' signatures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.models import Unit
from clusters.permissions import (
    get_year_for_user,
)
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.errors import ScoringError
from scoring.schemes.views import _amendments


def year_pledge(request, pk: int):
    """The pledge: its text, who signed for each member and when; the secretariat publishes it
    and records the signatures."""
    from scoring.models import Pledge
    from scoring.setup.forms import PledgeForm, SignatureForm
    from scoring.setup.services.pledges import pledge_publish, pledge_sign

    year, can_write = get_year_for_user(request, pk)
    pledge = Pledge.objects.filter(emulation_year=year).first()
    signatures = {s.unit_id: s for s in pledge.signatures.all()} if pledge else {}
    members = list(Unit.objects.filter(memberships__emulation_year=year).order_by("name"))
    unsigned = (
        Unit.objects.filter(memberships__emulation_year=year)
        .exclude(pk__in=list(signatures))
        .order_by("name")
    )
    pledge_form = PledgeForm(
        initial={
            "title": pledge.title
            if pledge
            else _("Giao ước thi đua năm %(year)s") % {"year": year.year},
            "text": pledge.text if pledge else "",
        }
    )
    signature_form = SignatureForm(units=unsigned)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        action = request.POST.get("action")
        refused = upload_refusal(request)
        if refused is not None:
            action = "sign"  # the button pressed came after the file, and never arrived
        try:
            if action == "publish":
                pledge_form = PledgeForm(request.POST)
                if pledge_form.is_valid():
                    pledge_publish(
                        emulation_year=year, actor=request.user, **pledge_form.cleaned_data
                    )
                    messages.success(request, _("Đã công bố giao ước."))
                    return redirect("year-pledge", pk=year.pk)
            elif action == "sign" and pledge is not None:
                signature_form = SignatureForm(request.POST, request.FILES, units=unsigned)
                if refused is not None:
                    refuse_on_field(signature_form, "scan", refused)
                if signature_form.is_valid():
                    data = signature_form.cleaned_data
                    pledge_sign(pledge=pledge, actor=request.user, **data)
                    messages.success(
                        request, _("Đã ghi nhận chữ ký của %(unit)s.") % {"unit": data["unit"]}
                    )
                    return redirect("year-pledge", pk=year.pk)
            else:
                raise PermissionDenied
        except ScoringError as error:
            (signature_form if action == "sign" else pledge_form).add_error(None, str(error))
    return render(
        request,
        "scoring/year_pledge.html",
        {
            "year": year,
            "pledge": pledge,
            "members": [(u, signatures.get(u.pk)) for u in members],
            "can_write": can_write,
            "pledge_form": pledge_form,
            "signature_form": signature_form,
            "all_signed": bool(pledge and pledge.locked_at),
            "amendments": _amendments(year),
        },
    )
