"""A year's documents: the list (what exists, which template version made it, who generated it),
downloads in Word and PDF, the generate action, the Word templates (download, upload an edited
one) and the year's document and conference details.

Every view asks the permission layer first: outside one's scope is a 404, also for a POST.
Documents that show results are listed and served only to those who may see the year's results
(before publication a reporter sees its own unit's score sheet and the pledge, nothing of the
others); templates and details are the secretariat's (403 for other readers)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters

from clusters.permissions import (
    can_see_results,
    get_year_for_user,
    refuse_unless_read,
    secretariat_post,
    user_scope,
)
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.documents.forms import (
    ConferenceDetailsForm,
    GenerateForm,
    SignForm,
    TemplateUploadForm,
)
from scoring.documents.kinds import KINDS, document_file_name
from scoring.documents.render import DOCX_TYPE
from scoring.documents.selectors import (
    conference_details_of,
    default_template,
    member_units,
    template_content,
    template_in_force,
    templates_in_force,
    year_document,
    year_documents,
    year_signed_document,
)
from scoring.documents.services import (
    conference_details_save,
    documents_generate,
    template_upload,
)
from scoring.documents.signing import document_sign
from scoring.errors import ScoringError
from scoring.models import ConferenceDetails, DocumentKind

CONTENT_TYPES = {"docx": DOCX_TYPE, "pdf": "application/pdf"}


def _may_read(document, *, sees_results: bool, own_units) -> bool:
    """A document this reader may see: the pledge to any reader of the year; results to those who
    see the year's results; a score sheet also to its own unit's reporter."""
    if not KINDS[document.kind].shows_results or sees_results:
        return True
    return document.unit_id is not None and document.unit_id in own_units


def _page(request, year, can_write: bool, *, bound: dict | None = None):
    bound = bound or {}
    sees_results = can_see_results(request.user, year)
    own_units = user_scope(request.user).reporter_units
    documents = [
        d
        for d in year_documents(emulation_year=year)
        if _may_read(d, sees_results=sees_results, own_units=own_units)
    ]
    context = {
        "year": year,
        "can_write": can_write,
        "documents": documents,
        "sees_results": sees_results,
    }
    if can_write:
        in_force = templates_in_force(cluster_id=year.cluster_id)
        may_set_default = request.user.is_superuser
        context.update(
            details=conference_details_of(emulation_year=year),
            generate_form=bound.get("generate")
            or GenerateForm(
                units=member_units(emulation_year=year), initial={"kind": DocumentKind.RESULTS}
            ),
            templates=[
                {
                    "kind": kind,
                    "label": DocumentKind(kind).label,
                    "template": in_force[kind],
                    "form": bound.get(("upload", kind))
                    or TemplateUploadForm(may_set_default=may_set_default),
                }
                for kind in KINDS
            ],
        )
    return render(request, "scoring/year_documents.html", context, status=400 if bound else 200)


def year_documents_page(request, pk: int):
    year, can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    return _page(request, year, can_write)


@secretariat_post
def document_generate(request, year):
    form = GenerateForm(request.POST, units=member_units(emulation_year=year))
    if not form.is_valid():
        return _page(request, year, True, bound={"generate": form})
    data = form.cleaned_data
    kind = data["kind"]
    unit = data["unit"] if kind in (DocumentKind.SCORE_SHEET, "pack") else None
    try:
        documents = documents_generate(
            emulation_year=year,
            kind=kind,
            unit_ids=[unit.pk] if unit else None,
            number=data["number"],
            issued_on=data["issued_on"],
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return _page(request, year, True, bound={"generate": form})
    messages.success(
        request,
        ngettext(
            "Đã tạo %(n)s văn bản: %(kind)s.", "Đã tạo %(n)s văn bản: %(kind)s.", len(documents)
        )
        % {"n": len(documents), "kind": dict(form.fields["kind"].choices)[kind]},
    )
    return redirect("year-documents", pk=year.pk)


def document_download(request, pk: int, document_id: int, fmt: str):
    year, _can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    if fmt not in CONTENT_TYPES:
        raise Http404
    document = year_document(emulation_year=year, document_id=document_id)
    if document is None or not _may_read(
        document,
        sees_results=can_see_results(request.user, year),
        own_units=user_scope(request.user).reporter_units,
    ):
        raise Http404
    response = HttpResponse(bytes(getattr(document, fmt)), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{document_file_name(document, fmt)}"'
    return response


def document_template(request, pk: int, kind: str):
    """GET: the Word template of `kind` in force for the year's cluster (with `?mau-chuan=1`, the
    one shipped with the app), to edit in Word. POST: an edited one, stored as the next version
    once it renders with the demo's data."""
    year, can_write = get_year_for_user(request, pk)
    if kind not in KINDS:
        raise Http404
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if not can_write:
        raise PermissionDenied
    if request.method == "POST":
        return _upload(request, year, kind)
    if request.GET.get("mau-chuan"):
        content, version = default_template(kind), "mau-chuan"
    else:
        template = template_in_force(kind=kind, cluster_id=year.cluster_id)
        content = template_content(template=template, kind=kind)
        version = f"v{template.version}" if template else "mau-chuan"
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-{KINDS[kind].slug}-{year.cluster.code}-{version}.docx"'
    )
    return response


def _upload(request, year, kind: str):
    may_set_default = request.user.is_superuser
    form = TemplateUploadForm(request.POST, request.FILES, may_set_default=may_set_default)
    refused = upload_refusal(request)
    if refused is not None:
        refuse_on_field(form, "file", refused)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        every = may_set_default and form.cleaned_data.get("for_every_cluster")
        try:
            template = template_upload(
                kind=kind,
                cluster=None if every else year.cluster,
                file_name=_plain_name(upload.name),
                content=upload.read(),
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ScoringError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                _("Đã lưu mẫu “%(kind)s” phiên bản %(version)s.")
                % {"kind": DocumentKind(kind).label, "version": template.version},
            )
            return redirect("year-documents", pk=year.pk)
    return _page(request, year, True, bound={("upload", kind): form})


def _plain_name(name: str) -> str:
    """An uploaded file's name as the messages and the list show it (no path, no control
    characters)."""
    return re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1])[:200]


def document_details(request, pk: int):
    """The year's document and conference details (the secretariat's)."""
    year, can_write = get_year_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    details = conference_details_of(emulation_year=year) or ConferenceDetails(
        emulation_year=year, agency_symbol=_initials(year.cluster.name)
    )
    form = ConferenceDetailsForm(instance=details)
    if request.method == "POST":
        form = ConferenceDetailsForm(request.POST, instance=details)
        if form.is_valid():
            started_at, ended_at = form.times()
            values = {
                name: form.cleaned_data[name]
                for name in form.Meta.fields
                if name not in ("held_on", "starts_at", "ends_at")
            }
            conference_details_save(
                emulation_year=year,
                values={**values, "started_at": started_at, "ended_at": ended_at},
                actor=request.user,
            )
            messages.success(request, _("Đã lưu thông tin văn bản, hội nghị."))
            return redirect("year-documents", pk=year.pk)
    return render(
        request,
        "scoring/document_details.html",
        {"year": year, "form": form},
        status=400 if form.is_bound else 200,
    )


def _initials(name: str) -> str:
    """ "Cụm thi đua Tây Nam sông Hậu" → "CTĐTNSH": a first suggestion for the abbreviation."""
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()[:30]


# A PKCS#12 file is a few kilobytes: the page takes no more (emulation/uploads.py).
@sensitive_post_parameters("password")
def document_sign_view(request, pk: int, document_id: int):
    """The secretariat signs a generated document's PDF with a signer's certificate (PAdES, a
    visible stamp with the time); the signed file is kept beside the document and verified."""
    year, can_write = get_year_for_user(request, pk)
    document = year_document(emulation_year=year, document_id=document_id)
    if document is None or not _may_read(
        document,
        sees_results=can_see_results(request.user, year),
        own_units=user_scope(request.user).reporter_units,
    ):
        raise Http404
    if not can_write:
        raise PermissionDenied
    form = SignForm()
    if request.method == "POST":
        form = SignForm(request.POST, request.FILES)
        if refused := upload_refusal(request):
            refuse_on_field(form, "pkcs12", refused)
        if form.is_valid() and _sign(request, year, document, form):
            return redirect("year-documents", pk=year.pk)
    return render(
        request,
        "scoring/document_sign.html",
        {"year": year, "document": document, "form": form},
        status=400 if form.is_bound else 200,
    )


def _sign(request, year, document, form) -> bool:
    data = form.cleaned_data
    upload = data["pkcs12"]
    try:
        document_sign(
            emulation_year=year,
            pdf_bytes=bytes(document.pdf),
            file_name=document_file_name(document, "pdf"),
            purpose=document.kind,
            signer_name=data["signer_name"],
            signer_title=data["signer_title"],
            reason=data["reason"],
            location=data["location"],
            pkcs12_bytes=upload.read(),
            pkcs12_filename=upload.name,
            password=data["password"],
            document_id=document.pk,
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return False
    messages.success(request, _("Đã ký số văn bản."))
    return True


def document_signed_download(request, pk: int, signature_id: int):
    """A signed PDF, to whoever may read the document it signs."""
    year, _can_write = get_year_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    signing = year_signed_document(emulation_year=year, signature_id=signature_id)
    if signing is None or not _may_read(
        signing.document,
        sees_results=can_see_results(request.user, year),
        own_units=user_scope(request.user).reporter_units,
    ):
        raise Http404
    assert signing.document is not None  # the selector finds signings of a document only
    response = HttpResponse(bytes(signing.signed_bytes or b""), content_type="application/pdf")
    name = document_file_name(signing.document, "pdf").removesuffix(".pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-da-ky-{signing.pk}.pdf"'
    return response
