"""Signing a PDF: PAdES with pyHanko, from a PKCS#12 file or a configured PKCS#11 token, with
a visible stamp in the signature block."""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import weasyprint
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from pyhanko import stamp
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pypdf import PdfReader

from emulation.uploads import format_bytes
from scoring.documents.signing.results import VIETNAM, SigningRefused, day_vietnam

logger = logging.getLogger(__name__)

PKCS12_MAX_BYTES = 64 * 1024  # a key, its certificate and a chain of three are a few KB
MM = 72 / 25.4  # PDF points per millimetre
# Default place of the stamp: the signature block at the bottom right of the last page, inside
# NĐ 30's margins (right 15–20 mm, bottom 20–25 mm).
STAMP_WIDTH, STAMP_HEIGHT = 70 * MM, 20 * MM
RIGHT_MARGIN, BOTTOM_MARGIN = 20 * MM, 25 * MM


def sign_pdf(
    pdf_bytes: bytes,
    *,
    pkcs12_bytes: bytes | None,
    password: str = "",
    signer_name: str,
    signer_title: str,
    reason: str,
    location: str,
    page: int = -1,
    box: tuple[float, float, float, float] | None = None,
    filename: str = "",
    pkcs12_filename: str = "",
) -> bytes:
    """`pdf_bytes` signed with the key and certificate of a PKCS#12 file (None: of the PKCS#11
    token the administrator configured, settings.SIGNATURE_PKCS11_*), the visible stamp on `page`
    (the last by default) in `box` (x1, y1, x2, y2 in PDF points from the bottom left; default:
    the signature block's place at the bottom right). The file and its password live only in
    this call. Raises SigningRefused naming the file and the reason."""
    with _signer(pkcs12_bytes, password, name=pkcs12_filename) as signer:
        return _sign(
            pdf_bytes,
            signer,
            signer_name=signer_name,
            signer_title=signer_title,
            reason=reason,
            location=location,
            page=page,
            box=box,
            pdf_name=filename or _("văn bản"),
        )


@contextmanager
def _signer(pkcs12_bytes: bytes | None, password: str, *, name: str) -> Iterator[Any]:
    """The signer of a PKCS#12 file, or of the configured token (its session open until the
    signing is done), once its certificate is known to be in force and meant for signing."""
    if pkcs12_bytes is not None:
        name = name or _("tệp chứng thư số")
        signer, certificate = _pkcs12_signer(pkcs12_bytes, password, name=name)
        _certificate_in_force(certificate, name=name)
        yield signer
        return
    session = _token_session()
    try:
        key_label = settings.SIGNATURE_PKCS11_KEY_LABEL or None
        signer = _pkcs11().PKCS11Signer(
            session,
            key_label=key_label,
            cert_label=settings.SIGNATURE_PKCS11_CERT_LABEL or key_label,
            # Every certificate on the token goes into the signature: the CA certificates a
            # token carries are the chain a verifier needs.
            other_certs_to_pull=None,
        )
        certificate = x509.load_der_x509_certificate(signer.signing_cert.dump())
        _certificate_in_force(certificate, name=_("thiết bị ký số"))
        yield signer
    finally:
        session.close()


def _pkcs11():
    """pyHanko's PKCS#11 support, which needs the optional python-pkcs11 package."""
    try:
        from pyhanko.sign import pkcs11
    except ImportError:
        raise SigningRefused(
            _(
                "Ký số bằng thiết bị PKCS#11 cần gói python-pkcs11, chưa được cài trên máy chủ "
                "(xem docs/operations.md)."
            ),
            field="pkcs12",
            code="pkcs11_unavailable",
        ) from None
    return pkcs11


def _token_session():
    """A session on the configured token, logged in with the configured PIN. Not exercised
    against a real token by the tests (docs/operations.md)."""
    module = settings.SIGNATURE_PKCS11_MODULE
    if not module:
        raise SigningRefused(
            _(
                "Máy chủ chưa được cấu hình thiết bị ký số (SIGNATURE_PKCS11_MODULE): hãy ký "
                "bằng tệp chứng thư số PKCS#12."
            ),
            field="pkcs12",
            code="pkcs11_not_configured",
        )
    pkcs11 = _pkcs11()
    from pyhanko.config.pkcs11 import TokenCriteria

    try:
        return pkcs11.open_pkcs11_session(
            module,
            token_criteria=TokenCriteria(label=settings.SIGNATURE_PKCS11_TOKEN_LABEL or None),
            user_pin=settings.SIGNATURE_PKCS11_PIN or None,
        )
    except Exception as error:  # the module, the token or the PIN: say which kind, never the PIN
        raise SigningRefused(
            _("Không mở được thiết bị ký số: %(error)s.") % {"error": type(error).__name__},
            field="pkcs12",
            code="pkcs11_failed",
        ) from None


def _pkcs12_signer(data: bytes, password: str, *, name: str):
    """The signer of a PKCS#12 file, and its certificate; SigningRefused if the file is not one,
    the password does not open it, or it holds no key and certificate."""
    if not data or len(data) > PKCS12_MAX_BYTES or not _is_pkcs12(data):
        raise SigningRefused(
            _("%(file)s: không phải tệp chứng thư số PKCS#12 (.p12, .pfx).") % {"file": name},
            field="pkcs12",
            code="pkcs12_unreadable",
        )
    # No password typed: a file without one, or with an empty one (tools write both).
    candidates: list[bytes | None] = [password.encode("utf-8")] if password else [None, b""]
    for secret in candidates:
        try:
            key, certificate, _chain = pkcs12.load_key_and_certificates(data, secret)
            break
        except ValueError:
            continue
        except Exception:
            raise SigningRefused(
                _("%(file)s: không đọc được tệp chứng thư số (thuật toán không được hỗ trợ).")
                % {"file": name},
                field="pkcs12",
                code="pkcs12_unreadable",
            ) from None
    else:
        # The structure was read above: what fails is the decryption with this password.
        raise SigningRefused(
            _("%(file)s: mật khẩu không mở được tệp chứng thư số.") % {"file": name},
            field="password",
            code="pkcs12_password",
        )
    if key is None or certificate is None:
        raise SigningRefused(
            _("%(file)s: tệp không chứa khóa bí mật và chứng thư số của người ký.")
            % {"file": name},
            field="pkcs12",
            code="pkcs12_incomplete",
        )
    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=secret)
    return signer, certificate


def _is_pkcs12(data: bytes) -> bool:
    """The outer PKCS#12 structure (readable without the password), so that a wrong password
    and a file that is not PKCS#12 at all get different messages."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in (
            "data",
            "signed_data",
        )
    except Exception:  # asn1crypto raises several kinds on bytes that are not DER
        return False


def _certificate_in_force(certificate: x509.Certificate, *, name: str) -> None:
    now = timezone.now()
    if now < certificate.not_valid_before_utc:
        raise SigningRefused(
            _("%(file)s: chứng thư số chưa có hiệu lực (từ ngày %(start)s).")
            % {"file": name, "start": day_vietnam(certificate.not_valid_before_utc)},
            field="pkcs12",
            code="certificate_not_yet_valid",
        )
    if now > certificate.not_valid_after_utc:
        raise SigningRefused(
            _("%(file)s: chứng thư số đã hết hạn ngày %(end)s.")
            % {"file": name, "end": day_vietnam(certificate.not_valid_after_utc)},
            field="pkcs12",
            code="certificate_expired",
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningRefused(
            _("%(file)s: chứng thư số không dùng để ký số (thiếu mục đích ký số).")
            % {"file": name},
            field="pkcs12",
            code="certificate_key_usage",
        )


class _SignerAt(signers.PdfSigner):
    """Signs at a moment chosen here, so that the stamp and the signature's signing-time
    attribute give the same second (pyHanko reads its own clock otherwise)."""

    def __init__(self, *args: Any, moment: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.moment = moment

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.moment
        return session


class _StampPage(content.PdfContent):
    """The first page of an in-memory PDF as the stamp's content (pyHanko's ImportedPdfPage
    reads a file by name; the stamp is never written to disk)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)))
        name = "/Stamp" + uuid.uuid4().hex
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return f"{name} Do".encode("ascii")


def _sign(
    pdf_bytes: bytes,
    signer,
    *,
    signer_name: str,
    signer_title: str,
    reason: str,
    location: str,
    page: int,
    box: tuple[float, float, float, float] | None,
    pdf_name: str,
) -> bytes:
    limit = settings.SIGNATURE_PDF_MAX_BYTES
    if len(pdf_bytes) > limit:
        raise SigningRefused(
            _("%(file)s: tệp quá lớn để ký (tối đa %(limit)s).")
            % {"file": pdf_name, "limit": format_bytes(limit)},
            field="pdf",
            code="pdf_too_large",
        )
    try:
        page_index, field_box = _placement(pdf_bytes, page, box)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        existing = len(writer.prev.embedded_signatures)
    except SigningRefused:
        raise
    except Exception:
        raise SigningRefused(
            _("%(file)s: không đọc được tệp PDF để ký.") % {"file": pdf_name},
            field="pdf",
            code="pdf_unreadable",
        ) from None
    moment = timezone.now().astimezone(VIETNAM).replace(microsecond=0)
    width, height = field_box[2] - field_box[0], field_box[3] - field_box[1]
    field_name = f"ChuKySo{existing + 1}"
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=signer_name or None,
    )
    pdf_signer = _SignerAt(
        metadata,
        signer=signer,
        moment=moment,
        stamp_style=stamp.StaticStampStyle(
            background=_StampPage(
                stamp_pdf(
                    signer_name=signer_name,
                    signer_title=signer_title,
                    signed_at=moment,
                    width=width,
                    height=height,
                )
            ),
            border_width=0,
        ),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=page_index, box=field_box),
    )
    try:
        return pdf_signer.sign_pdf(writer).getvalue()
    except Exception as error:
        logger.warning("Signing %s failed: %s", pdf_name, type(error), exc_info=True)
        raise SigningRefused(
            _("%(file)s: không ký được tệp PDF này.") % {"file": pdf_name},
            field="pdf",
            code="signing_failed",
        ) from None


def _placement(
    pdf_bytes: bytes, page: int, box: tuple[float, float, float, float] | None
) -> tuple[int, tuple[int, int, int, int]]:
    """The page's index and the stamp's box, checked to lie on the page."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    count = len(reader.pages)
    index = page if page >= 0 else count + page
    if not 0 <= index < count:
        raise SigningRefused(
            _("Văn bản không có trang %(page)s.") % {"page": page + 1 if page >= 0 else page},
            field="pdf",
            code="page_out_of_range",
        )
    media = reader.pages[index].mediabox
    left, bottom, right, top = (
        float(media.left),
        float(media.bottom),
        float(media.right),
        float(media.top),
    )
    if box is None:
        x2, y1 = right - RIGHT_MARGIN, bottom + BOTTOM_MARGIN
        box = (x2 - STAMP_WIDTH, y1, x2, y1 + STAMP_HEIGHT)
    x1, y1, x2, y2 = box
    if not (left <= x1 < x2 <= right and bottom <= y1 < y2 <= top):
        raise SigningRefused(
            _("Vị trí chữ ký nằm ngoài trang %(page)s.") % {"page": index + 1},
            field="pdf",
            code="box_off_page",
        )
    return index, (round(x1), round(y1), round(x2), round(y2))


def stamp_pdf(
    *, signer_name: str, signer_title: str, signed_at: dt.datetime, width: float, height: float
) -> bytes:
    """The visible stamp, one page of `width` × `height` points: the signer, the title and the
    time of signing in ISO 8601 in Vietnam's time zone; Liberation Serif 10 pt, upright, blue
    (NĐ 30/2020, Phụ lục I: see docs/security.md). Always in Vietnamese: it is part of the
    document, whatever language the signer's pages are in."""
    with translation.override("vi"):
        lines = [
            _("Người ký: %(name)s") % {"name": escape(signer_name)},
            _("Chức vụ: %(title)s") % {"title": escape(signer_title)} if signer_title else "",
            _("Thời gian ký: %(time)s")
            % {"time": signed_at.astimezone(VIETNAM).isoformat(timespec="seconds")},
        ]
    body = "<br>".join(line for line in lines if line)
    html = (
        "<html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0 }}"
        "html, body { height: 100% }"
        "body { margin: 0; display: flex; align-items: center; justify-content: center;"
        " font-family: 'Liberation Serif', 'Times New Roman', serif; font-size: 10pt;"
        " font-style: normal; line-height: 1.15; color: #1a3ea8; text-align: center;"
        " overflow-wrap: anywhere }"
        "p { margin: 0 3pt }"
        f"</style></head><body><p>{body}</p></body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def signature_box(
    page, anchor: str, *, width: float = STAMP_WIDTH, height: float = STAMP_HEIGHT
) -> tuple[float, float, float, float]:
    """The stamp's box, in PDF points, over the element with id `anchor` on a rendered
    WeasyPrint page (`document.pages[i]`), for sign_pdf: the documents room marks the gap between
    the signer's title and name in the signature block, and the stamp is centred on it (NĐ 30:
    the signature's image goes between the title and the name), at least `width` × `height`
    points and kept on the page."""
    x1, y1, x2, y2 = (v * 0.75 for v in page.anchors[anchor])  # CSS px → pt, from the top
    page_width, page_height = page.width * 0.75, page.height * 0.75
    centre_x, centre_y = (x1 + x2) / 2, page_height - (y1 + y2) / 2
    half_width, half_height = max(width, x2 - x1) / 2, max(height, y2 - y1) / 2
    centre_x = min(max(centre_x, half_width), page_width - half_width)
    return (
        centre_x - half_width,
        centre_y - half_height,
        centre_x + half_width,
        centre_y + half_height,
    )
