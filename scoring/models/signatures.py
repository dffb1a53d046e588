"""Digital signatures of a year's PDF documents: a signing done in the app, or the check of a
signed PDF a user uploaded (behaviour: scoring/documents/signing.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class DocumentSignature(models.Model):
    """One signing event (the signed PDF is kept here, byte for byte: it is the document that was
    filed) or one verification of an uploaded PDF (the upload itself stays where its page keeps
    it; its hash is here). Neither the PKCS#12 file nor its password is ever stored."""

    class Kind(models.TextChoices):
        SIGNED = "signed", _("Ký số trong ứng dụng")
        UPLOAD = "upload", _("Kiểm tra tệp tải lên")

    class Purpose(models.TextChoices):
        MINUTES = "minutes", _("Biên bản hội nghị")
        RESULTS = "results", _("Báo cáo kết quả chấm điểm, xếp hạng")
        PLEDGE = "pledge", _("Giao ước thi đua")
        SCORE_SHEET = "score_sheet", _("Phiếu chấm điểm")
        PROPOSAL = "proposal", _("Tờ trình đề nghị khen thưởng")
        PLEDGE_SCAN = "pledge_scan", _("Bản giao ước đã ký của thành viên")
        EVIDENCE = "evidence", _("Minh chứng")
        PAPER_REPORT = "paper_report", _("Bản scan báo cáo giấy")
        OTHER = "other", _("Văn bản khác")

    class Status(models.TextChoices):
        VALID = "valid", _("Chữ ký số hợp lệ")
        INVALID = "invalid", _("Chữ ký số không hợp lệ")
        UNTRUSTED = "untrusted", _("Chữ ký số chưa xác minh được")
        UNSIGNED = "unsigned", _("Không có chữ ký số")

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear",
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="document_signatures",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    purpose = models.CharField(_("văn bản"), max_length=20, choices=Purpose.choices)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    # The signed PDF of a signing done here. Empty for an upload's check: the uploaded file is
    # kept by the page that took it (evidence, pledge scan) and `sha256` ties the two together.
    signed_bytes = models.BinaryField(_("tệp đã ký"), null=True, blank=True, editable=False)
    # The generated document this signing is about (its PDF is what was signed).
    document = models.ForeignKey(
        "scoring.GeneratedDocument",
        verbose_name=_("văn bản được ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    # An upload's check sits next to its file (an upload is checked once, when it arrives).
    evidence = models.OneToOneField(
        "scoring.EvidenceFile",
        verbose_name=_("minh chứng"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signature_check",
    )
    pledge_signature = models.OneToOneField(
        "scoring.PledgeSignature",
        verbose_name=_("chữ ký giao ước"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signature_check",
    )
    # The signer as the certificate names it (the latest signature of the file), and as typed
    # for the stamp at a signing in the app.
    signer_name = models.CharField(_("người ký"), max_length=200, blank=True)
    signer_title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    certificate_subject = models.CharField(_("chủ thể chứng thư số"), max_length=500, blank=True)
    certificate_issuer = models.CharField(_("tổ chức cấp chứng thư số"), max_length=500, blank=True)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("thời điểm ký"), null=True, blank=True)
    status = models.CharField(_("kết quả kiểm tra"), max_length=10, choices=Status.choices)
    # [{"code": …, "vi": …, "en": …}]: the reasons of the summary status, in both languages.
    reasons = models.JSONField(_("lý do"), default=list, blank=True)
    # Every signature of the file, as verify_pdf described it (VerificationResult.as_json()).
    signatures = models.JSONField(_("các chữ ký"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chữ ký số văn bản")
        verbose_name_plural = _("chữ ký số văn bản")
        ordering = ["emulation_year_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="upload") | Q(signed_bytes__isnull=False),
                name="a_signing_keeps_the_signed_file",
            ),
            # A signing is of a generated document; an upload's check of one uploaded file.
            models.CheckConstraint(
                condition=Q(kind="signed", evidence__isnull=True, pledge_signature__isnull=True)
                | Q(kind="upload", document__isnull=True, evidence__isnull=True)
                | Q(kind="upload", document__isnull=True, pledge_signature__isnull=True),
                name="a_signature_record_is_about_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["valid", "invalid", "untrusted", "unsigned"])
                & Q(kind__in=["signed", "upload"]),
                name="document_signature_kind_and_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.get_status_display()}"

    @property
    def reason_texts(self) -> list[str]:
        """The reasons in the reader's language (English for an English page, else Vietnamese)."""
        language = "en" if (get_language() or "").startswith("en") else "vi"
        return [r.get(language) or r.get("vi", "") for r in self.reasons]
