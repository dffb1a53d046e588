"""The work inbox's e-mail side: one outbox row per person and event (written in the event's own
transaction, sent by a task after commit), each user's opt-out, and member units' contact
e-mails (behaviour: scoring/inbox/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One e-mail to one person about one event. The unique (recipient, event key) makes the
    message once-only: an event recorded twice, a task retried or queued twice never sends a
    second copy."""

    class Kind(models.TextChoices):
        REPORT_SUBMITTED = "report_submitted", _("Báo cáo chờ thẩm định")
        REPORT_RETURNED = "report_returned", _("Báo cáo bị trả lại")
        OBJECTION_FILED = "objection_filed", _("Kiến nghị chờ trả lời")
        OBJECTION_ANSWERED = "objection_answered", _("Kiến nghị đã được trả lời")
        BALLOT_OPENED = "ballot_opened", _("Bỏ phiếu đang mở")
        YEAR_PUBLISHED = "year_published", _("Kết quả mới công bố")
        INVITATION = "invitation", _("Lời mời tham gia")
        DEADLINE_SOON = "deadline_soon", _("Sắp đến hạn nộp báo cáo")
        LATE_MEMBERS = "late_members", _("Đơn vị nộp muộn")
        SIGNATURES_MISSING = "signatures_missing", _("Giao ước chưa ký đủ")
        BALLOT_READY = "ballot_ready", _("Bỏ phiếu chờ kết thúc")
        DOSSIER_RECEIVED = "dossier_received", _("Hồ sơ khen thưởng chờ thẩm định")
        DOSSIER_RETURNED = "dossier_returned", _("Hồ sơ khen thưởng bị trả lại")
        DOSSIER_APPRAISED = "dossier_appraised", _("Hồ sơ khen thưởng đã được thẩm định")
        DOSSIER_DECIDED = "dossier_decided", _("Quyết định khen thưởng")
        DOSSIER_REVOKED = "dossier_revoked", _("Khen thưởng bị thu hồi")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event_key = models.CharField(_("sự kiện"), max_length=120)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    emulation_year = models.ForeignKey(
        "clusters.EmulationYear",
        verbose_name=_("năm thi đua"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subject = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"))
    path = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # Set when a sender claims the row (a conditional UPDATE), cleared again if sending failed.
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư thông báo")
        verbose_name_plural = _("thư thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="one_notification_per_person_and_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} — {self.subject}"


class NotificationPreference(models.Model):
    """A user's choice about e-mail; no row means the default (e-mail on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("nhận thư điện tử"), default=True)

    class Meta:
        verbose_name = _("tùy chọn thông báo")
        verbose_name_plural = _("tùy chọn thông báo")

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.email_enabled else 'off'}"


class UnitContact(models.Model):
    """A member unit's contact e-mail, kept by the secretariat of a cluster it belongs to."""

    unit = models.OneToOneField(
        "clusters.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="contact",
    )
    email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("liên hệ của đơn vị")
        verbose_name_plural = _("liên hệ của đơn vị")

    def __str__(self) -> str:
        return f"{self.unit}: {self.email or '—'}"
