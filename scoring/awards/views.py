"""The award register (decisions and holds, kept by the system administrator) and a unit's award
history with its eligibility under the rule set in force. Every view goes through the permission
layer: outside one's scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters.models import Unit
from clusters.permissions import can_manage_awards, get_unit_for_user, refuse_unless_read
from emulation.pagecache import cached_page, page_key
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.awards.forms import DecisionForm, DecisionImportForm, HoldForm, RuleSetUploadForm
from scoring.awards.rule_sets import (
    rule_set_on,
    rule_sets_generation,
    rule_sets_with_sources,
    shipped_content,
)
from scoring.awards.selectors import register_decisions, unit_awards_page, unit_awards_stamp
from scoring.awards.services import (
    decision_record,
    decisions_import,
    hold_record,
    rule_set_upload,
)
from scoring.errors import ScoringError
from scoring.models import AwardRuleSetFile


def unit_awards(request, unit_id: int):
    """A unit's decisions (and its predecessors'), holds, and eligibility for each award kind —
    served from the cache while its stamp (`unit_awards_stamp`) and the day stay the same."""
    unit = get_unit_for_user(request, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    today = timezone.localdate()
    can_manage = can_manage_awards(request.user)
    key = page_key(
        request,
        "unit-awards",
        unit.pk,
        today,
        can_manage,
        unit_awards_stamp(unit.pk),
        rule_sets_generation(),
    )
    return cached_page(
        request, key, lambda extra: _unit_awards_page(request, unit, today, can_manage, extra)
    )


def _unit_awards_page(request, unit, today, can_manage: bool, extra: dict):
    page = unit_awards_page(unit=unit, today=today)
    language = request.LANGUAGE_CODE
    return render(
        request,
        "scoring/unit_awards.html",
        {
            "page": page,
            "verdicts": [
                (
                    kind.name_en if language == "en" else kind.name,
                    verdict,
                    [(r.met, r.text(language), r.cite) for r in verdict.reasons],
                )
                for kind, verdict in page.verdicts
            ],
            "can_manage": can_manage,
            **extra,
        },
    )


def _forms(request, today):
    rule_set = rule_set_on(today)
    choices = [(code, kind.name) for code, kind in rule_set.awards.items()]
    units = Unit.objects.filter(is_active=True).order_by("name")
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if data else None
    return (
        DecisionForm(data if action == "decision" else None, award_choices=choices, units=units),
        DecisionImportForm(
            data if action == "import" else None, request.FILES if action == "import" else None
        ),
        HoldForm(data if action == "hold" else None, units=units),
        action,
    )


def award_register(request):
    """The register of award decisions, with a form for one decision, an import of past ones and
    holds on a unit's proposals."""
    if not can_manage_awards(request.user):
        raise Http404
    decision_form, import_form, hold_form, action = _forms(request, timezone.localdate())
    if action == "import" and (refused := upload_refusal(request)):
        refuse_on_field(import_form, "file", refused)
    handlers = {
        "decision": lambda: (
            decision_form.is_valid()
            and _apply(
                request,
                decision_form,
                decision_record,
                lambda d: _("Đã ghi quyết định %(number)s.") % {"number": d.number},
            )
        ),
        "import": lambda: (
            import_form.is_valid()
            and _apply(
                request,
                import_form,
                decisions_import,
                lambda found: (
                    ngettext("Đã nhập %(n)s quyết định.", "Đã nhập %(n)s quyết định.", len(found))
                    % {"n": len(found)}
                ),
                upload=import_form.cleaned_data["file"],
            )
        ),
        "hold": lambda: (
            hold_form.is_valid()
            and _apply(
                request, hold_form, hold_record, lambda _hold: _("Đã ghi tạm hoãn xét khen thưởng.")
            )
        ),
    }
    if action in handlers and handlers[action]():
        return redirect("award-register")
    status = 400 if action else 200
    return render(
        request,
        "scoring/award_register.html",
        {
            "decisions": register_decisions(),
            "decision_form": decision_form,
            "import_form": import_form,
            "hold_form": hold_form,
        },
        status=status,
    )


def _apply(request, form, service, said, **arguments) -> bool:
    """Call the service with the form's data (or `arguments`); its refusal goes next to the field
    it names, and the form is shown again with what was typed."""
    try:
        result = service(**(arguments or form.cleaned_data), actor=request.user)
    except ScoringError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return False
    messages.success(request, said(result))
    return True


def award_rule_sets(request):
    """The rule sets in force (shipped with the app or uploaded), each downloadable as its YAML
    file, with an upload of a new version or a new rule set, and every uploaded version kept —
    the system administrator's."""
    if not can_manage_awards(request.user):
        raise Http404
    posted = request.method == "POST"
    form = RuleSetUploadForm(request.POST, request.FILES) if posted else RuleSetUploadForm()
    if posted:
        if refused := upload_refusal(request):
            refuse_on_field(form, "file", refused)
        elif form.is_valid() and _apply(
            request,
            form,
            rule_set_upload,
            lambda stored: (
                _("Đã lưu bộ quy tắc %(code)s, phiên bản %(version)s.")
                % {"code": stored.code, "version": stored.version}
            ),
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        ):
            return redirect("award-rule-sets")
    today = timezone.localdate()
    in_force = [
        {
            "rule_set": rule_set,
            "source": source,
            "today": rule_set.in_force_on(today),
            "awards": [
                kind.name_en if request.LANGUAGE_CODE == "en" else kind.name
                for kind in rule_set.awards.values()
            ],
        }
        for rule_set, source in rule_sets_with_sources()
    ]
    return render(
        request,
        "scoring/award_rule_sets.html",
        {
            "in_force": in_force,
            "uploads": AwardRuleSetFile.objects.select_related("uploaded_by").order_by(
                "code", "-version"
            ),
            "form": form,
        },
        status=400 if posted else 200,
    )


def award_rule_set_download(request, code: str):
    """A rule set in force as its YAML file: the newest upload of the code, or the shipped file."""
    if not can_manage_awards(request.user):
        raise Http404
    for rule_set, source in rule_sets_with_sources():
        if rule_set.code == code:
            if source.upload_id is not None:
                upload = AwardRuleSetFile.objects.get(pk=source.upload_id)
                return _yaml(upload.content.encode(), f"{code}-v{upload.version}.yaml")
            content = shipped_content(code)
            if content is not None:
                return _yaml(content, source.file_name)
    raise Http404


def award_rule_set_version(request, upload_id: int):
    """One uploaded version, as it was uploaded."""
    if not can_manage_awards(request.user):
        raise Http404
    upload = AwardRuleSetFile.objects.filter(pk=upload_id).first()
    if upload is None:
        raise Http404
    return _yaml(upload.content.encode(), f"{upload.code}-v{upload.version}.yaml")


def _yaml(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
