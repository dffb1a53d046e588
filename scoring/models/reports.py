"""What members report and what the secretariat adds: the year report with its figures,
comments and evidence; manual points and adjustments; objections to criteria."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scoring.models.schemes import NUMBER


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        SUBMITTED = "submitted", _("Đã nộp")
        RETURNED = "returned", _("Trả lại để bổ sung")
        VERIFIED = "verified", _("Đã thẩm định")

    # Figures of these reports feed the scores.
    SCORED_STATUSES = (Status.SUBMITTED, Status.VERIFIED)

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="reports"
    )
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Optimistic lock: a save must name the version it read; the second of two concurrent
    # saves finds the version moved on and is refused.
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    note = models.TextField(_("ghi chú"), blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # The secretariat typed the figures in from the member's signed paper report (its scan is an
    # evidence file marked `paper_report`); the member sees it said on its report.
    entered_from_paper = models.BooleanField(_("nhập thay từ báo cáo giấy"), default=False)

    class Meta:
        verbose_name = _("báo cáo năm")
        verbose_name_plural = _("báo cáo năm")
        ordering = ["emulation_year_id", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "unit"], name="one_report_per_member_and_year"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "verified"]),
                name="report_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.emulation_year}"


class ReportValue(models.Model):
    """One reported figure. `value` is what the member reported; `verified_value` is set by the
    secretariat where it differs, with the reason — both are kept."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    element_code = models.SlugField(_("mã chỉ số"), max_length=60)
    value = models.DecimalField(_("số liệu báo cáo"), null=True, blank=True, **NUMBER)
    verified_value = models.DecimalField(_("số liệu thẩm định"), null=True, blank=True, **NUMBER)
    verify_note = models.TextField(_("lý do điều chỉnh"), blank=True)
    note = models.TextField(_("thuyết minh"), blank=True)

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["report_id", "element_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "element_code"], name="one_value_per_element"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element_code} = {self.effective_value}"

    @property
    def effective_value(self):
        return self.verified_value if self.verified_value is not None else self.value


class ReportComment(models.Model):
    """The secretariat's comment on a figure when returning a report, and the member's answer."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    element_code = models.SlugField(_("mã chỉ số"), max_length=60, blank=True)
    text = models.TextField(_("nhận xét"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    answer = models.TextField(_("trả lời"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    resolved = models.BooleanField(_("đã xử lý"), default=False)

    class Meta:
        verbose_name = _("nhận xét số liệu")
        verbose_name_plural = _("nhận xét số liệu")
        ordering = ["report_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.element_code or '—'}: {self.text[:60]}"


class EvidenceFile(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    element_code = models.SlugField(_("mã chỉ số"), max_length=60, blank=True)
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    paper_report = models.BooleanField(_("bản scan báo cáo giấy"), default=False)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["report_id", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ManualPoints(models.Model):
    """Points entered by the secretariat: for a `manual` criterion, or as an adjustment that
    replaces a computed criterion's points. Always with a reason; the member's own proposal is
    kept beside the verified points."""

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="manual_points"
    )
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=40)
    points = models.DecimalField(_("điểm"), **NUMBER)
    proposed_points = models.DecimalField(_("điểm đơn vị tự chấm"), null=True, blank=True, **NUMBER)
    reason = models.TextField(_("lý do"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("nhập lúc"), auto_now=True)

    class Meta:
        verbose_name = _("điểm chấm tay")
        verbose_name_plural = _("điểm chấm tay")
        ordering = ["emulation_year_id", "unit_id", "criterion_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "unit", "criterion_code"], name="manual_points_unique"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="manual_points_not_negative"),
            models.CheckConstraint(condition=~Q(reason=""), name="manual_points_have_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.criterion_code}: {self.points}"


class Objection(models.Model):
    """A member's objection to a criterion (e.g. a denominator that makes the target unreachable)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang xem xét")
        ACCEPTED = "accepted", _("Chấp nhận")
        REJECTED = "rejected", _("Không chấp nhận")

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="objections"
    )
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=40)
    text = models.TextField(_("nội dung kiến nghị"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiến nghị về tiêu chí")
        verbose_name_plural = _("kiến nghị về tiêu chí")
        ordering = ["emulation_year_id", "-filed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(answer=""), name="objection_answered_when_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.criterion_code}"
