"""A year's award dossiers, on the proposing side: the conference's proposals without a dossier
yet, the dossiers made (each a link to its page), and — for the cluster's secretariat — a form
that makes a dossier for a proposal, or for a member unit and an award kind of the rule set."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.permissions import get_year_for_user
from scoring.dossiers.forms import DossierCreateForm
from scoring.dossiers.selectors import award_choices, year_dossiers
from scoring.dossiers.services.dossiers import dossier_bodies, dossier_create
from scoring.dossiers.views.access import refuse_unless_allowed
from scoring.errors import ScoringError
from scoring.formatting import page_language


def year_dossiers_view(request, pk: int):
    year, can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_allowed(request, can_write):
        return refused
    today = timezone.localdate()
    page = year_dossiers(user=request.user, emulation_year=year, bodies=dossier_bodies(year))
    awards = award_choices(today, page_language())
    form = DossierCreateForm(
        request.POST if request.method == "POST" else None,
        proposals=page.proposals,
        members=page.members,
        awards=awards,
        bodies=page.bodies,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            proposals = {p.pk: p for p in page.proposals}
            members = {u.pk: u for u in page.members}
            bodies = {b.pk: b for b in page.bodies}
            try:
                dossier = dossier_create(
                    emulation_year=year,
                    body=bodies[data["body"]],
                    award_code=data["award_code"],
                    proposal=proposals.get(data["proposal"]) if data["proposal"] else None,
                    unit=members.get(data["unit"]) if data["unit"] else None,
                    actor=request.user,
                )
            except ScoringError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Đã lập hồ sơ đề nghị khen thưởng."))
                return redirect("dossier-detail", dossier_id=dossier.pk)
        status = 400
    return render(
        request,
        "dossiers/year.html",
        {"year": year, "page": page, "form": form, "can_write": can_write},
        status=status,
    )
