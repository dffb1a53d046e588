"""A dossier's page — its checklist and documents, the unit's eligibility under the rule set that
judges it, the council's result, the awarding level's clock and every step taken — with one
helper per action: the cluster's secretariat files documents and submits (again); the awarding
body's staff return with reasons, appraise, decide, revoke. Its files (uploaded, or the Word and
PDF files the documents room generated) and its package for the national e-dossier system.

The permission layer first: outside one's scope a 404, also for a POST; inside it, an action
needs its right (403); a refused form comes back with what was typed and the error next to its
field (400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.permissions import (
    DOSSIER_AWARDING,
    DOSSIER_SECRETARIAT,
    can_see_results,
    refuse_unless_read,
)
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.documents.kinds import document_file_name
from scoring.documents.render import DOCX_TYPE
from scoring.dossiers.forms import (
    AppraiseForm,
    DecideForm,
    DocumentForm,
    DocumentRemoveForm,
    GeneratedForm,
    ReturnForm,
    RevokeForm,
)
from scoring.dossiers.selectors import (
    award_kind_of,
    dossier_document,
    dossier_generated_file,
    dossier_page,
)
from scoring.dossiers.services import documents as documents_svc
from scoring.dossiers.services import dossiers as svc
from scoring.dossiers.services.package import package_write
from scoring.dossiers.views.access import attachment, get_dossier_for_user
from scoring.engine.awards import dossier as path
from scoring.errors import ScoringError
from scoring.formatting import page_language
from scoring.models import Dossier

# The steps as the page names them (the audit row's action).
STEP_LABELS = {
    "dossier.create": gettext_lazy("Lập hồ sơ"),
    "dossier.document": gettext_lazy("Đính kèm tài liệu"),
    "dossier.document_generated": gettext_lazy("Dùng tài liệu tạo từ dữ liệu"),
    "dossier.document_remove": gettext_lazy("Bỏ tài liệu"),
    "dossier.submit": gettext_lazy("Gửi hồ sơ"),
    "dossier.resubmit": gettext_lazy("Gửi lại hồ sơ"),
    "dossier.return": gettext_lazy("Trả lại hồ sơ"),
    "dossier.appraise": gettext_lazy("Thẩm định"),
    "dossier.council": gettext_lazy("Hội đồng bỏ phiếu"),
    "dossier.decide": gettext_lazy("Quyết định khen thưởng"),
    "dossier.revoke": gettext_lazy("Thu hồi"),
}
CONTENT_TYPES = {"docx": DOCX_TYPE, "pdf": "application/pdf"}
# Who may take each action.
ACTIONS = {
    "document": DOSSIER_SECRETARIAT,
    "generated": DOSSIER_SECRETARIAT,
    "remove": DOSSIER_SECRETARIAT,
    "submit": DOSSIER_SECRETARIAT,
    "return": DOSSIER_AWARDING,
    "appraise": DOSSIER_AWARDING,
    "decide": DOSSIER_AWARDING,
    "revoke": DOSSIER_AWARDING,
}


def _items(kind, language: str, *, generated_only: bool = False):
    """The checklist's items as a form's choices (a generated item also takes an upload: the
    signed copy)."""
    return [
        (item.code, item.label(language))
        for item in (kind.dossier if kind is not None else ())
        if not generated_only or item.source == "generated"
    ]


def _forms(request, dossier: Dossier, roles, page, bound: dict) -> dict:
    """The forms the user may use now, a refused one bound with what was typed."""
    language = page_language()
    forms: dict = {}
    state = dossier.state
    if DOSSIER_SECRETARIAT in roles and state in path.EDITABLE and page.kind is not None:
        forms["document_form"] = bound.get("document") or DocumentForm(
            items=_items(page.kind, language)
        )
        if any(row.item.source == "generated" for row in page.checklist):
            forms["generated_form"] = bound.get("generated") or GeneratedForm(
                items=_items(page.kind, language, generated_only=True)
            )
        forms["can_submit"] = True
    if DOSSIER_AWARDING in roles:
        if path.step_allowed(state, "return"):
            forms["return_form"] = bound.get("return") or ReturnForm()
            forms["appraise_form"] = bound.get("appraise") or AppraiseForm()
        if path.step_allowed(state, "decide"):
            forms["decide_form"] = bound.get("decide") or DecideForm(
                initial={"deciding_body": dossier.body.name, "decided_on": timezone.localdate()}
            )
        if path.step_allowed(state, "revoke"):
            forms["revoke_form"] = bound.get("revoke") or RevokeForm()
    return forms


def _render(request, dossier: Dossier, roles, *, bound: dict | None = None, error: str = ""):
    today = timezone.localdate()
    page = dossier_page(dossier=dossier, today=today)
    language = page_language()
    context = {
        "dossier": dossier,
        "page": page,
        "roles": roles,
        "can_prepare": DOSSIER_SECRETARIAT in roles,
        "can_handle": DOSSIER_AWARDING in roles,
        "checklist": [(row.item, row.item.label(language), row.document) for row in page.checklist],
        "missing": [item.label(language) for item in page.missing],
        "award_name": page.kind.name_en if page.kind and language == "en" else dossier.award_name,
        "verdict_reasons": (
            [(r.met, r.text(language), r.cite) for r in page.verdict.reasons]
            if page.verdict
            else []
        ),
        "council_text": page.council_reason.text(language) if page.council_reason else "",
        "cap_text": page.cap.result.reason.text(language) if page.cap else "",
        "steps": [(entry, STEP_LABELS.get(entry.action, entry.action)) for entry in page.steps],
        "error": error,
        **_forms(request, dossier, roles, page, bound or {}),
    }
    return render(request, "dossiers/dossier.html", context, status=400 if bound or error else 200)


def dossier_detail(request, dossier_id: int):
    dossier, roles = get_dossier_for_user(request, dossier_id)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if request.method != "POST":
        return _render(request, dossier, roles)
    action = request.POST.get("action", "")
    needed = ACTIONS.get(action)
    if needed is None:
        if roles & {DOSSIER_AWARDING, DOSSIER_SECRETARIAT}:
            return _render(request, dossier, roles, error=_("Thao tác không hợp lệ."))
        raise PermissionDenied
    if needed not in roles:
        raise PermissionDenied
    return HANDLERS[action](request, dossier, roles)


def _done(request, dossier: Dossier, said: str):
    messages.success(request, said)
    return redirect("dossier-detail", dossier_id=dossier.pk)


def _refused(request, dossier, roles, action: str, form, error: ScoringError):
    """A refusal next to the field it names; one of the dossier as a whole (its state, its
    documents) above the page, with the form still holding what was typed."""
    if form is not None and error.field in form.fields:
        form.add_error(error.field, str(error))
        return _render(request, dossier, roles, bound={action: form})
    bound = {action: form} if form is not None else None
    return _render(request, dossier, roles, bound=bound, error=str(error))


def _items_of(dossier: Dossier, *, generated_only: bool = False):
    kind = award_kind_of(dossier, timezone.localdate())
    return _items(kind, page_language(), generated_only=generated_only)


def _document(request, dossier, roles):
    form = DocumentForm(request.POST, request.FILES, items=_items_of(dossier))
    if refused := upload_refusal(request):
        refuse_on_field(form, "file", refused)
    if not form.is_valid():
        return _render(request, dossier, roles, bound={"document": form})
    try:
        documents_svc.dossier_document_add(
            dossier=dossier,
            item_code=form.cleaned_data["item_code"],
            upload=form.cleaned_data["file"],
            number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            actor=request.user,
        )
    except ScoringError as error:
        return _refused(request, dossier, roles, "document", form, error)
    return _done(request, dossier, _("Đã đính kèm tài liệu."))


def _generated(request, dossier, roles):
    form = GeneratedForm(request.POST, items=_items_of(dossier, generated_only=True))
    if not form.is_valid():
        return _render(request, dossier, roles, bound={"generated": form})
    try:
        documents_svc.dossier_document_generated(
            dossier=dossier, item_code=form.cleaned_data["item_code"], actor=request.user
        )
    except ScoringError as error:
        return _refused(request, dossier, roles, "generated", form, error)
    return _done(request, dossier, _("Đã dùng tài liệu tạo từ dữ liệu của năm."))


def _remove(request, dossier, roles):
    form = DocumentRemoveForm(request.POST)
    if not form.is_valid():
        return _render(request, dossier, roles, error=_("Chọn tài liệu cần bỏ."))
    try:
        documents_svc.dossier_document_remove(
            dossier=dossier, document_id=form.cleaned_data["document"], actor=request.user
        )
    except ScoringError as error:
        return _refused(request, dossier, roles, "remove", None, error)
    return _done(request, dossier, _("Đã bỏ tài liệu."))


def _submit(request, dossier, roles):
    try:
        done = svc.dossier_submit(dossier=dossier, actor=request.user)
    except ScoringError as error:
        return _refused(request, dossier, roles, "submit", None, error)
    said = _("Đã gửi lại hồ sơ.") if done.state == Dossier.State.RESUBMITTED else _("Đã gửi hồ sơ.")
    return _done(request, dossier, said)


def _form_step(request, dossier, roles, action: str, form_class, call, said: str):
    """An awarding step taken with a form: its refusal shown next to the field it names."""
    form = form_class(request.POST)
    if not form.is_valid():
        return _render(request, dossier, roles, bound={action: form})
    try:
        call(form.cleaned_data)
    except ScoringError as error:
        return _refused(request, dossier, roles, action, form, error)
    return _done(request, dossier, said)


# The awarding level's steps taken with a form: (form, service call, message).
FORM_STEPS = {
    "return": (
        ReturnForm,
        lambda dossier, user, d: svc.dossier_return(
            dossier=dossier, reason=d["reason"], actor=user
        ),
        gettext_lazy("Đã trả lại hồ sơ."),
    ),
    "appraise": (
        AppraiseForm,
        lambda dossier, user, d: svc.dossier_appraise(dossier=dossier, note=d["note"], actor=user),
        gettext_lazy("Đã thẩm định hồ sơ."),
    ),
    "decide": (
        DecideForm,
        lambda dossier, user, d: svc.dossier_decide(dossier=dossier, **d, actor=user),
        gettext_lazy("Đã ghi quyết định khen thưởng."),
    ),
    "revoke": (
        RevokeForm,
        lambda dossier, user, d: svc.dossier_revoke(
            dossier=dossier, reason=d["reason"], actor=user
        ),
        gettext_lazy("Đã thu hồi khen thưởng."),
    ),
}


def _step_with_form(action: str):
    form_class, call, said = FORM_STEPS[action]
    return lambda request, dossier, roles: _form_step(
        request, dossier, roles, action, form_class,
        lambda data: call(dossier, request.user, data), str(said),
    )  # fmt: skip


HANDLERS = {
    "document": _document,
    "generated": _generated,
    "remove": _remove,
    "submit": _submit,
    **{action: _step_with_form(action) for action in FORM_STEPS},
}


def dossier_document_download(request, dossier_id: int, document_id: int):
    """An uploaded document, to whoever sees the dossier — always as a download."""
    dossier, _roles = get_dossier_for_user(request, dossier_id)
    if refused := refuse_unless_read(request):
        return refused
    document = dossier_document(dossier=dossier, document_id=document_id)
    if document is None:
        raise Http404
    return attachment(
        document.file, filename=document.original_name, content_type=document.content_type
    )


def dossier_generated_download(request, dossier_id: int, document_id: int, fmt: str):
    """A generated document's Word or PDF file (the documents room's), to whoever sees the
    dossier — the awarding body's staff too, who have no access to the cluster's documents page.
    An archived document (a published year's: what the dossier files) to all of them; any other
    only to those who see the year's results."""
    dossier, _roles = get_dossier_for_user(request, dossier_id)
    if refused := refuse_unless_read(request):
        return refused
    if fmt not in CONTENT_TYPES:
        raise Http404
    found = dossier_generated_file(dossier=dossier, document_id=document_id, fmt=fmt)
    if found is None:
        raise Http404
    document, content = found
    generated = document.generated_document
    assert generated is not None  # the selector finds generated documents only
    if not generated.archived and not can_see_results(request.user, dossier.emulation_year):
        raise Http404
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{document_file_name(generated, fmt)}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def zip_response(request, dossiers, filename: str) -> FileResponse:
    stream = package_write(dossiers)
    response = FileResponse(stream, as_attachment=True, filename=filename)
    response["Content-Type"] = "application/zip"
    return response


def dossier_package(request, dossier_id: int):
    """The dossier's package for the national e-dossier system (ZIP: files and manifests)."""
    dossier, _roles = get_dossier_for_user(request, dossier_id)
    if refused := refuse_unless_read(request):
        return refused
    try:
        return zip_response(request, [dossier], f"ho-so-{dossier.pk:05d}.zip")
    except ScoringError as error:
        messages.error(request, str(error))
        return redirect("dossier-detail", dossier_id=dossier.pk)
