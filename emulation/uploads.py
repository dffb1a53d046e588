"""Request bodies are bounded while they are read (issue #14, finding 6).

`LimitedUploadHandler`, first in settings.FILE_UPLOAD_HANDLERS, counts each uploaded file's
bytes as they arrive and stops reading the request (`StopUpload(connection_reset=True)`) as soon
as a file passes the limit of the page that takes it: evidence and scans
(settings.EVIDENCE_MAX_BYTES), targets files (INPUT_FILE_MAX_BYTES), scheme files
(SCHEME_FILE_MAX_BYTES), documents' Word templates (DOCUMENT_TEMPLATE_MAX_BYTES). A 50 MB file
is refused after its first 10 MB, not received whole.
The fields that came after the file never arrive: the view asks `upload_refusal(request)` first
and shows the refusal on the file's field with what was typed before it. Form fields beyond
DATA_UPLOAD_MAX_MEMORY_SIZE are Django's RequestDataTooBig: `bad_request` answers 400 with a
page that says so. The reverse proxy bounds the body before either (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# The limit of each page's uploads, by URL name (the setting's name, read at each request).
# Any other page (the admin's change forms) gets the largest: EVIDENCE_MAX_BYTES.
PURPOSES = {
    "report-detail": "EVIDENCE_MAX_BYTES",  # evidence, the paper report's scan
    "year-pledge": "EVIDENCE_MAX_BYTES",  # the signed pledge's scan
    "year-targets": "INPUT_FILE_MAX_BYTES",
    "year-scheme": "SCHEME_FILE_MAX_BYTES",
    "award-register": "INPUT_FILE_MAX_BYTES",  # past decisions, a row per recipient
    "award-rule-sets": "SCHEME_FILE_MAX_BYTES",  # a rule set file, checked like a scheme file
    "document-template": "DOCUMENT_TEMPLATE_MAX_BYTES",  # an edited Word template
    "document-sign": "DOCUMENT_TEMPLATE_MAX_BYTES",  # a PKCS#12 file (the signer refuses > 64 KB)
    "dossier-detail": "EVIDENCE_MAX_BYTES",  # an award dossier's documents (PDF, DOCX)
    "council-detail": "EVIDENCE_MAX_BYTES",  # absent council members' written opinions
}


def upload_limit(request) -> int:
    match = getattr(request, "resolver_match", None)
    name = PURPOSES.get(match.url_name if match else "", "EVIDENCE_MAX_BYTES")
    return getattr(settings, name)


def format_bytes(size: int) -> str:
    """10485760 → '10 MB', 65536 → '64 KB', 1572864 → '1,5 MB' (the language's decimal mark)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = round(size / scale, 1)
            text = str(int(value)) if value == int(value) else number_format(value, 1)
            return f"{text} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class UploadRefused:
    """A file the request stopped at: its form field, its name as sent, the limit it passed."""

    field: str
    file_name: str
    limit: int

    @property
    def message(self) -> str:
        return _("%(name)s: tệp quá lớn (tối đa %(limit)s).") % {
            "name": self.file_name,
            "limit": format_bytes(self.limit),
        }


def upload_refusal(request) -> UploadRefused | None:
    """The file this request's body was cut at, if any (reading request.POST or FILES first)."""
    if request.method != "POST":
        return None
    request.FILES  # noqa: B018 - parses the body (no-op once parsed)
    return getattr(request, "_upload_refused", None)


@contextlib.contextmanager
def saved_upload(upload, suffix: str):
    """The uploaded file written to a temporary path (the engine's readers take paths), removed
    afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload" + suffix)
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path


def refuse_on_field(form, field: str, refused: UploadRefused) -> None:
    """The refusal as the only error of the file's field (not also "required": a file was
    sent); the form is then invalid and nothing is saved."""
    form.add_error(field, refused.message)
    form.errors[field] = form.error_class([refused.message])


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes and stops the request at the first one past its limit."""

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.limit = upload_limit(self.request)
        self.received = 0
        if content_length is not None and content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers (memory, then temporary file) keep the file

    def _refuse(self):
        self.request._upload_refused = UploadRefused(self.field_name, self.file_name, self.limit)
        # Not connection_reset=False, which would read (and throw away) the rest of the body.
        raise StopUpload(connection_reset=True)


def bad_request(request, exception=None):
    """settings' handler400: a request Django refused before any view (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files) gets a page that says why."""
    if isinstance(exception, RequestDataTooBig):
        message = _("Dữ liệu gửi lên quá lớn (tối đa %(limit)s ngoài các tệp đính kèm).") % {
            "limit": format_bytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    else:
        message = _("Yêu cầu không hợp lệ.")
    return render(request, "400.html", {"message": message}, status=400)
