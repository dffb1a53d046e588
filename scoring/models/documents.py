"""Documents a cluster files (docs/documents.md): the Word templates the secretariat may edit,
versioned per cluster; the conference's own details the minutes need; and every document
generated, with the bytes of its Word and PDF files and the template version that made it.

The bytes live in the database rather than under MEDIA_ROOT: a document exists with its files or
not at all (one transaction), and what was filed is in the database dump with the results it
shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PLEDGE = "pledge", _("Giao ước thi đua")
    RESULTS = "results", _("Báo cáo kết quả chấm điểm, xếp hạng")
    SCORE_SHEET = "score_sheet", _("Phiếu chấm điểm của đơn vị")
    MINUTES = "minutes", _("Biên bản hội nghị tổng kết")
    PROPOSAL = "proposal", _("Tờ trình đề nghị khen thưởng")


class DocumentTemplate(models.Model):
    """A Word template of one kind uploaded by a cluster's secretariat (for that cluster) or by the
    system administrator (`cluster` empty: for every cluster without one of its own). Versions
    are numbered per kind and cluster and never change; the latest is the one in force. Without
    any, the template shipped with the app (scoring/documents/docx/) is used."""

    kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices)
    cluster = models.ForeignKey(
        "clusters.Cluster",
        verbose_name=_("cụm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    file_name = models.CharField(_("tên tệp"), max_length=200)
    content = models.BinaryField(_("nội dung"))
    sha256 = models.CharField(_("mã băm"), max_length=64)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu văn bản")
        verbose_name_plural = _("mẫu văn bản")
        ordering = ["kind", "cluster_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "cluster", "version"], name="document_template_version_unique"
            ),
            # (NULLs are distinct in a unique constraint: the system-wide versions need their own.)
            models.UniqueConstraint(
                fields=["kind", "version"],
                condition=Q(cluster__isnull=True),
                name="document_template_default_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="document_template_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class ConferenceDetails(models.Model):
    """What the year's documents say that the app cannot know: the place on the date line, the
    cluster's abbreviation in document numbers, who signs for the head, and the year-end
    conference's number, venue, times, attendees, chair, secretary and agenda — typed by the
    secretariat, never left as dots."""

    emulation_year = models.OneToOneField(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="conference_details"
    )
    place = models.CharField(
        _("địa danh"),
        max_length=100,
        help_text=_("Ghi trên dòng “…, ngày … tháng … năm …”, ví dụ: Cần Thơ."),
    )
    agency_symbol = models.CharField(
        _("chữ viết tắt tên cụm"),
        max_length=30,
        help_text=_("Dùng trong số, ký hiệu văn bản, ví dụ: CTĐTNSH trong “Số: 05/BB-CTĐTNSH”."),
    )
    signer_name = models.CharField(_("họ tên người ký thay mặt cụm trưởng"), max_length=200)
    signer_title = models.CharField(
        _("chức vụ của người ký"),
        max_length=200,
        help_text=_("Ví dụ: Chủ tịch Liên minh HTX thành phố Cần Thơ."),
    )
    minutes_number = models.CharField(
        _("số biên bản"),
        max_length=20,
        blank=True,
        help_text=_("Số đăng ký tại văn thư; để trống nếu chưa có số."),
    )
    venue = models.CharField(_("địa điểm hội nghị"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    attendees = models.TextField(
        _("thành phần tham dự"), blank=True, help_text=_("Mỗi dòng một người hoặc một đoàn.")
    )
    chair_name = models.CharField(_("họ tên người chủ trì"), max_length=200, blank=True)
    chair_title = models.CharField(_("chức vụ người chủ trì"), max_length=200, blank=True)
    secretary_name = models.CharField(_("họ tên thư ký hội nghị"), max_length=200, blank=True)
    secretary_title = models.CharField(_("chức vụ thư ký hội nghị"), max_length=200, blank=True)
    agenda = models.TextField(_("chương trình"), blank=True, help_text=_("Mỗi dòng một nội dung."))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thông tin văn bản, hội nghị")
        verbose_name_plural = _("thông tin văn bản, hội nghị")
        constraints = [
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gte=F("started_at")),
                name="conference_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emulation_year}: {self.venue or self.place}"


class GeneratedDocument(models.Model):
    """One document as generated: its Word and PDF bytes, the number and date it carries, the
    template version (empty: the one shipped with the app) and the scoring run it shows. A
    document generated while its year is published is archived: kept as filed, whatever
    templates or data change later."""

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices)
    unit = models.ForeignKey(
        "clusters.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày văn bản"))
    template = models.ForeignKey(
        DocumentTemplate,
        verbose_name=_("mẫu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    run = models.ForeignKey(
        "scoring.ScoringRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    docx = models.BinaryField(_("tệp Word"))
    pdf = models.BinaryField(_("tệp PDF"))
    docx_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    archived = models.BooleanField(_("lưu trữ (năm đã công bố)"), default=False)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản đã tạo")
        verbose_name_plural = _("văn bản đã tạo")
        ordering = ["emulation_year_id", "-generated_at", "-id"]
        indexes = [models.Index(fields=["emulation_year", "kind"], name="document_year_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="score_sheet") & Q(unit__isnull=False))
                | (~Q(kind="score_sheet") & Q(unit__isnull=True)),
                name="document_unit_iff_score_sheet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.emulation_year}"
