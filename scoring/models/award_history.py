"""The award register (#17): decisions of the awarding levels with their recipients, and the holds
(discipline, inspection, complaint) that stop a unit's proposals while they are pending. A unit's
award history — its own decisions and, through successions, its predecessors' — is read from
here by the eligibility engine (scoring/engine/awards)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AwardDecision(models.Model):
    """A decision of an awarding level (số quyết định, ngày): one award kind, for the achievements
    of one year, to one or more units."""

    number = models.CharField(_("số quyết định"), max_length=60)
    decided_on = models.DateField(_("ngày quyết định"))
    deciding_body = models.CharField(_("cơ quan quyết định"), max_length=200)
    award_code = models.SlugField(
        _("mã hình thức khen thưởng"),
        max_length=60,
        help_text=_("Mã trong bộ quy tắc khen thưởng, ví dụ co-thi-dua-chinh-phu."),
    )
    award_name = models.CharField(_("hình thức khen thưởng"), max_length=200)
    achievement_year = models.PositiveSmallIntegerField(_("năm thành tích"))
    merit = models.BooleanField(
        _("khen thưởng theo công trạng"),
        default=True,
        help_text=_("Khen thưởng theo chuyên đề, đột xuất không tính làm căn cứ khen thưởng sau."),
    )
    prize_multiple = models.DecimalField(
        _("tiền thưởng (lần mức lương cơ sở)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")
        ordering = ["-decided_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["deciding_body", "number", "decided_on"], name="award_decision_unique"
            ),
            models.CheckConstraint(
                condition=Q(achievement_year__gte=1945) & Q(achievement_year__lte=2200),
                name="award_decision_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.decided_on:%d/%m/%Y})"


class AwardRecipient(models.Model):
    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        "clusters.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    revoked = models.BooleanField(_("đã thu hồi"), default=False)
    revoked_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("đơn vị được khen thưởng")
        verbose_name_plural = _("đơn vị được khen thưởng")
        constraints = [
            models.UniqueConstraint(fields=["decision", "unit"], name="award_recipient_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.decision}"


class UnitHold(models.Model):
    """A pending discipline, inspection or complaint: proposals of the unit are held while it is
    pending (NĐ 152/2025/NĐ-CP, Điều 4)."""

    class Kind(models.TextChoices):
        DISCIPLINE = "discipline", _("Đang xem xét kỷ luật")
        INSPECTION = "inspection", _("Đang thanh tra, kiểm tra")
        COMPLAINT = "complaint", _("Đang giải quyết khiếu nại, tố cáo")

    unit = models.ForeignKey(
        "clusters.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    since = models.DateField(_("từ ngày"))
    until = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tạm hoãn xét khen thưởng")
        verbose_name_plural = _("tạm hoãn xét khen thưởng")
        ordering = ["-since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="unit_hold_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_kind_display()}"


class AwardRuleSetFile(models.Model):
    """A rule set (an award-rules/1 file, docs/awards.md) uploaded by the system administrator: a
    new version of a rule set the app ships (the same code) or a new one (a new decree). The
    newest version of a code is the one used; every version is kept, so what judged a dossier can
    be read again."""

    code = models.SlugField(_("mã bộ quy tắc"), max_length=60)
    version = models.PositiveIntegerField(_("phiên bản"))
    name = models.CharField(_("tên"), max_length=300)
    effective_from = models.DateField(_("áp dụng từ"))
    effective_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    content = models.TextField(_("nội dung (YAML)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bộ quy tắc khen thưởng")
        verbose_name_plural = _("bộ quy tắc khen thưởng")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="award_rule_set_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"
