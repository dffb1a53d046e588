"""Digital signatures (issue 16, item 3): the minutes signed with a test CA's certificate,
verified, then broken by one byte; refusals that name the file and the reason."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import subprocess
from unittest import mock

import pytest
from django.core.checks import Error
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from scoring.documents.signature_checks import signature_settings_check
from scoring.documents.signing import (
    SigningRefused,
    sign_pdf,
    signature_box,
    stamp_pdf,
    verify_pdf,
)
from scoring.documents.signing import sign as sign_module
from tests.documents.conftest import PASSWORD
from tests.documents.pki import NOW, make_ca

ISO_8601_VIETNAM = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def sign_minutes(minutes, p12, *, anchor="chu-ky-chu-tri", document=None, **extra):
    arguments = {
        "pkcs12_bytes": p12,
        "password": PASSWORD,
        "signer_name": "Nguyễn Văn An",
        "signer_title": "Chủ trì hội nghị",
        "reason": "Ký biên bản hội nghị",
        "location": "Hà Nội",
        "filename": "bien-ban-hoi-nghi-2025.pdf",
        "pkcs12_filename": "chu-tri.p12",
    }
    if document is not None:
        arguments["box"] = signature_box(document.pages[-1], anchor)
    arguments.update(extra)
    return sign_pdf(minutes, **arguments)


def page_text(pdf: bytes) -> str:
    """The last page's text as a reader sees it, the signature's appearance included."""
    done = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "9", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def signed_range(pdf: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert found, "a signature dictionary with its /ByteRange"
    a, b, c, d = (int(x) for x in found.groups())
    return a, b, c, d


def test_the_minutes_signed_with_the_test_cas_certificate_verify_as_valid(
    minutes, minutes_document, chair_p12, trusted
):
    signed = sign_minutes(minutes, chair_p12, document=minutes_document)

    result = verify_pdf(signed, filename="bien-ban-hoi-nghi-2025.pdf")

    assert result.status == "valid", result.reasons
    (signature,) = result.signatures
    assert signature.signer_name == "Nguyễn Văn An"
    assert signature.organisation == "Liên minh HTX A1"
    assert signature.intact and signature.trusted and signature.coverage == "file"
    assert not signature.expired_at_signing
    signed_at = signature.as_json()["signed_at"]
    assert ISO_8601_VIETNAM.match(signed_at), signed_at
    assert abs(signature.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=2)
    assert [r.code for r in result.reasons] == ["intact", "trusted"]
    assert result.reasons[1].vi == "chuỗi chứng thư dẫn tới gốc tin cậy CA thử nghiệm"
    # The stamp on the page: who, as what, when — in the same second the signature records.
    text = page_text(signed)
    assert "Người ký: Nguyễn Văn An" in text
    assert "Chức vụ: Chủ trì hội nghị" in text
    assert f"Thời gian ký: {signed_at}" in text


def test_the_stamp_sits_between_the_signers_title_and_name(
    minutes, minutes_document, chair_p12, settings
):
    settings.SIGNATURE_TRUST_ROOTS = []
    box = signature_box(minutes_document.pages[-1], "chu-ky-chu-tri")
    signed = sign_minutes(minutes, chair_p12, document=minutes_document)

    page = PdfReader(io.BytesIO(signed)).pages[-1]
    (widget,) = [a.get_object() for a in page["/Annots"]]
    assert widget["/FT"] == "/Sig"
    assert [float(v) for v in widget["/Rect"]] == [round(v) for v in box]
    # Centred on the gap the minutes left under "CHỦ TRÌ HỘI NGHỊ", in the right-hand block.
    gap = [v * 0.75 for v in minutes_document.pages[-1].anchors["chu-ky-chu-tri"]]
    assert (box[0] + box[2]) / 2 == pytest.approx((gap[0] + gap[2]) / 2)
    assert (box[1] + box[3]) / 2 == pytest.approx(842 - (gap[1] + gap[3]) / 2, abs=1)
    assert box[2] - box[0] == pytest.approx(70 * 72 / 25.4) and box[0] > 595 / 2 - 20
    text = page_text(signed)
    title, stamp, name = (
        text.index("CHỦ TRÌ HỘI NGHỊ"),
        text.index("Người ký: Nguyễn Văn An"),
        text.rindex("Nguyễn Văn An"),
    )
    assert title < stamp < name


def test_by_default_the_stamp_goes_to_the_bottom_right_of_the_last_page(
    minutes, chair_p12, settings
):
    settings.SIGNATURE_TRUST_ROOTS = []
    signed = sign_minutes(minutes, chair_p12)

    page = PdfReader(io.BytesIO(signed)).pages[-1]
    (widget,) = [a.get_object() for a in page["/Annots"]]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    mm = 72 / 25.4
    assert round(x2) == round(595.28 - 20 * mm) and round(y1) == round(25 * mm)
    assert x2 - x1 == pytest.approx(70 * mm, abs=1) and y2 - y1 == pytest.approx(20 * mm, abs=1)


def test_flipping_one_byte_inside_the_signed_range_makes_the_verification_fail(
    minutes, chair_p12, trusted
):
    signed = sign_minutes(minutes, chair_p12)
    assert verify_pdf(signed, filename="bien-ban.pdf").status == "valid"
    start, length, _after, _rest = signed_range(signed)
    at = signed.index(b"WeasyPrint")  # the producer's name, inside the first signed range
    assert start <= at < start + length
    tampered = bytearray(signed)
    tampered[at] ^= 0x01

    result = verify_pdf(bytes(tampered), filename="bien-ban.pdf")

    assert result.status == "invalid"
    (signature,) = result.signatures
    assert not signature.intact and not signature.trusted
    assert [r.code for r in result.reasons] == ["tampered"]
    assert result.reasons[0].vi == (
        "nội dung đã bị thay đổi sau khi ký: các byte được ký không còn khớp chữ ký"
    )
    assert result.message().startswith("bien-ban.pdf: Chữ ký số không hợp lệ — nội dung đã bị")


def test_a_change_appended_after_signing_is_invalid(minutes, chair_p12, trusted):
    signed = sign_minutes(minutes, chair_p12)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    # A red rectangle drawn over the page in a revision of its own, after the signature.
    drawing = writer.add_object(
        generic.StreamObject(stream_data=b"q 1 0 0 rg 100 100 200 50 re f Q")
    )
    writer.add_stream_to_page(0, drawing)
    changed = io.BytesIO()
    writer.write(changed)

    result = verify_pdf(changed.getvalue(), filename="bien-ban.pdf")

    assert result.status == "invalid"
    assert [r.code for r in result.reasons] == ["changed_after_signing"]
    assert result.signatures[0].coverage == "revision"
    assert result.signatures[0].revisions == 3


def test_a_second_signature_keeps_the_first_valid(
    ca, minutes, minutes_document, chair_p12, trusted
):
    secretary_p12 = ca.pkcs12(ca.leaf("Trần Thị Bình"), PASSWORD)
    once = sign_minutes(minutes, chair_p12, document=minutes_document)
    twice = sign_minutes(
        once,
        secretary_p12,
        document=minutes_document,
        anchor="chu-ky-thu-ky",
        signer_name="Trần Thị Bình",
        signer_title="Thư ký hội nghị",
    )

    result = verify_pdf(twice, filename="bien-ban.pdf")

    assert result.status == "valid", result.reasons
    first, second = result.signatures
    assert (first.signer_name, first.coverage) == ("Nguyễn Văn An", "revision")
    assert (second.signer_name, second.coverage) == ("Trần Thị Bình", "file")
    assert result.reasons[0].vi.startswith("Nguyễn Văn An: nội dung còn nguyên vẹn")
    assert [f.field_name for f in result.signatures] == ["ChuKySo1", "ChuKySo2"]


def test_without_trust_roots_the_signature_is_untrusted_and_says_why(minutes, chair_p12, settings):
    settings.SIGNATURE_TRUST_ROOTS = []
    signed = sign_minutes(minutes, chair_p12)

    result = verify_pdf(signed, filename="bien-ban.pdf")

    assert result.status == "untrusted"
    assert result.signatures[0].intact and not result.signatures[0].trusted
    assert [r.code for r in result.reasons] == ["no_trust_roots"]
    assert result.reasons[0].vi == (
        "không xác minh được chuỗi chứng thư: chưa cấu hình gốc tin cậy"
    )
    assert result.reasons[0].en == "cannot verify the certificate chain: no trust roots configured"


def test_a_certificate_of_another_ca_is_untrusted(minutes, settings, tmp_path):
    other = make_ca("CA khác")
    settings.SIGNATURE_TRUST_ROOTS = [make_ca().root_file(tmp_path)]
    signed = sign_minutes(minutes, other.pkcs12(other.leaf(), PASSWORD))

    result = verify_pdf(signed, filename="bien-ban.pdf")

    assert result.status == "untrusted"
    assert [r.code for r in result.reasons] == ["untrusted_chain"]


def test_with_trust_roots_an_unreadable_root_file_is_named(minutes, chair_p12, settings, tmp_path):
    missing = str(tmp_path / "khong-co.pem")
    settings.SIGNATURE_TRUST_ROOTS = [missing]
    signed = sign_minutes(minutes, chair_p12)

    result = verify_pdf(signed, filename="bien-ban.pdf")

    assert result.status == "untrusted"
    assert [r.code for r in result.reasons] == ["no_trust_roots", "trust_root_unreadable"]
    assert missing in result.reasons[1].vi


def test_an_expired_certificate_is_refused_at_signing_with_the_reason(ca, minutes):
    expired = ca.leaf(not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=2))

    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, ca.pkcs12(expired, PASSWORD))

    end = (NOW - dt.timedelta(days=2)).astimezone(sign_module.VIETNAM).strftime("%d/%m/%Y")
    assert str(refused.value) == f"chu-tri.p12: chứng thư số đã hết hạn ngày {end}."
    assert (refused.value.code, refused.value.field) == ("certificate_expired", "pkcs12")


def test_a_certificate_not_yet_in_force_is_refused(ca, minutes):
    future = ca.leaf(not_before=NOW + dt.timedelta(days=3), not_after=NOW + dt.timedelta(days=90))

    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, ca.pkcs12(future, PASSWORD))

    assert refused.value.code == "certificate_not_yet_valid"
    assert str(refused.value).startswith("chu-tri.p12: chứng thư số chưa có hiệu lực")


def test_a_signature_made_with_an_expired_certificate_is_flagged(ca, minutes, trusted):
    """Made by another tool that did not refuse: the signing time is past the certificate."""
    expired = ca.leaf(not_before=NOW - dt.timedelta(days=60), not_after=NOW - dt.timedelta(days=1))
    with mock.patch.object(sign_module, "_certificate_in_force"):
        signed = sign_minutes(minutes, ca.pkcs12(expired, PASSWORD))

    result = verify_pdf(signed, filename="bien-ban.pdf")

    assert result.status == "invalid"
    assert result.signatures[0].expired_at_signing
    assert "expired_at_signing" in [r.code for r in result.reasons]


def test_a_certificate_expired_since_the_signing_is_untrusted_and_says_so(ca, minutes, trusted):
    expired = ca.leaf(not_before=NOW - dt.timedelta(days=60), not_after=NOW - dt.timedelta(days=1))
    back_then = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    with mock.patch.object(sign_module.timezone, "now", return_value=back_then):
        signed = sign_minutes(minutes, ca.pkcs12(expired, PASSWORD))

    result = verify_pdf(signed, filename="bien-ban.pdf")

    assert result.status == "untrusted"
    assert not result.signatures[0].expired_at_signing
    assert [r.code for r in result.reasons] == ["expired"]
    assert "sau thời điểm ký" in result.reasons[0].vi


def test_a_wrong_password_is_a_clear_error_naming_the_file(minutes, chair_p12):
    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, chair_p12, password="sai mật khẩu")

    assert str(refused.value) == "chu-tri.p12: mật khẩu không mở được tệp chứng thư số."
    assert (refused.value.code, refused.value.field) == ("pkcs12_password", "password")


def test_a_pkcs12_file_without_a_password_signs_with_none_typed(ca, minutes, chair_p12, settings):
    settings.SIGNATURE_TRUST_ROOTS = []
    open_file = ca.pkcs12(ca.leaf(), "")

    signed = sign_minutes(minutes, open_file, password="")

    assert verify_pdf(signed, filename="x.pdf").signatures[0].intact
    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, chair_p12, password="")  # a file that has one, none typed
    assert refused.value.code == "pkcs12_password"


@pytest.mark.parametrize(
    "content",
    [b"", b"not a certificate", b"\x30\x82\x01\x00" + b"\x00" * 256, b"%PDF-1.7\n"],
    ids=["empty", "text", "truncated-der", "a-pdf"],
)
def test_a_file_that_is_not_pkcs12_is_refused_naming_it(minutes, content):
    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, content)

    assert str(refused.value) == "chu-tri.p12: không phải tệp chứng thư số PKCS#12 (.p12, .pfx)."
    assert refused.value.code == "pkcs12_unreadable"


def test_a_certificate_not_meant_for_signing_is_refused(ca, minutes):
    leaf = ca.leaf(signing=False)

    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, ca.pkcs12(leaf, PASSWORD))

    assert refused.value.code == "certificate_key_usage"


def test_a_stamp_box_off_the_page_is_refused(minutes, chair_p12):
    with pytest.raises(SigningRefused) as refused:
        sign_minutes(minutes, chair_p12, box=(500, 10, 700, 60))

    assert refused.value.code == "box_off_page"


def test_a_pdf_that_cannot_be_read_is_refused_for_signing(chair_p12):
    with pytest.raises(SigningRefused) as refused:
        sign_minutes(b"%PDF-1.7\nnot really", chair_p12)

    assert str(refused.value) == "bien-ban-hoi-nghi-2025.pdf: không đọc được tệp PDF để ký."


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda pdf: b"PK\x03\x04 a zip file", "invalid", "not_pdf"),
        (lambda pdf: b"", "invalid", "not_pdf"),
        (lambda pdf: pdf, "unsigned", "unsigned"),
        (lambda pdf: pdf[: len(pdf) // 2], "invalid", "unreadable"),
        (lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 40, "invalid", "unreadable"),
    ],
    ids=["zip", "empty", "unsigned", "truncated", "garbage"],
)
def test_any_file_gives_a_result_and_never_an_exception(minutes, make, status, code):
    result = verify_pdf(make(minutes), filename="tep-tai-len.pdf")

    assert (result.status, [r.code for r in result.reasons]) == (status, [code])
    assert result.signatures == ()
    assert result.message().startswith("tep-tai-len.pdf: ")


def test_a_truncated_signed_pdf_is_invalid(minutes, chair_p12, trusted):
    signed = sign_minutes(minutes, chair_p12)

    result = verify_pdf(signed[:-200], filename="bien-ban.pdf")

    assert result.status == "invalid"


def test_a_pdf_over_the_limit_is_refused_before_it_is_parsed(minutes, chair_p12, settings):
    settings.SIGNATURE_PDF_MAX_BYTES = 1024
    with mock.patch.object(sign_module, "PdfReader") as parse:
        result = verify_pdf(minutes, filename="lon.pdf")
        with pytest.raises(SigningRefused) as refused:
            sign_minutes(minutes, chair_p12)
    parse.assert_not_called()
    assert [r.code for r in result.reasons] == ["too_large"]
    assert result.reasons[0].vi == "tệp quá lớn để kiểm tra chữ ký (tối đa 1 KB)"
    assert refused.value.code == "pdf_too_large"


def test_the_reasons_are_in_vietnamese_and_english(minutes, chair_p12, settings):
    settings.SIGNATURE_TRUST_ROOTS = []
    result = verify_pdf(sign_minutes(minutes, chair_p12), filename="bien-ban.pdf")

    with translation.override("en"):
        assert result.message() == (
            "bien-ban.pdf: Digital signature not verified — cannot verify the certificate "
            "chain: no trust roots configured"
        )
    with translation.override("vi"):
        assert result.message() == (
            "bien-ban.pdf: Chữ ký số chưa xác minh được — không xác minh được chuỗi chứng thư: "
            "chưa cấu hình gốc tin cậy"
        )


def test_the_stamp_is_vietnamese_liberation_serif_with_the_iso_time(settings):
    moment = dt.datetime(2026, 11, 28, 7, 3, tzinfo=dt.UTC)
    with translation.override("en"):  # the stamp belongs to the document: Vietnamese
        pdf = stamp_pdf(
            signer_name="Nguyễn Văn An",
            signer_title="Chủ trì hội nghị",
            signed_at=moment,
            width=200,
            height=60,
        )
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert "Người ký: Nguyễn Văn An" in text
    assert "Chức vụ: Chủ trì hội nghị" in text
    assert "Thời gian ký: 2026-11-28T14:03:00+07:00" in text
    fonts = {f["/BaseFont"] for f in page["/Resources"]["/Font"].values()}
    # Liberation Serif asked for; fonts-liberation 1.07 lacks ư, ơ and the dotted vowels, which
    # fall back to DejaVu Serif (fonts-liberation2 has them: see the report of this branch).
    assert any("Liberation-Serif" in name for name in fonts), fonts
    assert [float(v) for v in page.mediabox] == [0, 0, 200, 60]


def test_the_token_signer_says_when_it_is_not_configured(minutes, settings):
    settings.SIGNATURE_PKCS11_MODULE = ""

    with pytest.raises(SigningRefused) as refused:
        sign_pdf(
            minutes, pkcs12_bytes=None, signer_name="A", signer_title="B", reason="", location=""
        )

    assert refused.value.code == "pkcs11_not_configured"


def test_the_token_signer_without_python_pkcs11_is_a_clear_configuration_error(minutes, settings):
    # python-pkcs11 is not a dependency (docs/dependencies.md).
    if importlib.util.find_spec("pkcs11") is not None:
        pytest.skip("python-pkcs11 is installed here")
    settings.SIGNATURE_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

    with pytest.raises(SigningRefused) as refused:
        sign_pdf(
            minutes, pkcs12_bytes=None, signer_name="A", signer_title="B", reason="", location=""
        )

    assert refused.value.code == "pkcs11_unavailable"
    assert "python-pkcs11" in str(refused.value)
    errors = signature_settings_check()
    assert "scoring.E102" in [e.id for e in errors]
    assert all(isinstance(e, Error) for e in errors)


def test_the_start_up_check_names_a_trust_root_that_is_not_a_certificate(settings, tmp_path, ca):
    good = ca.root_file(tmp_path)
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN NOTHING-----")
    settings.SIGNATURE_TRUST_ROOTS = [good, str(bad)]
    settings.SIGNATURE_PKCS11_MODULE = ""

    errors = signature_settings_check()

    assert [(e.id, str(bad) in e.msg) for e in errors] == [("scoring.E101", True)]
