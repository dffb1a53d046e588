"""The emulation pledge (giao ước thi đua) and one signature per member."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Pledge(models.Model):
    emulation_year = models.OneToOneField(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="pledge"
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    text = models.TextField(_("nội dung giao ước"), blank=True)
    signed_at_event = models.CharField(_("ký tại hội nghị"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    # Set when every member has signed: from then on targets change only by a recorded amendment.
    locked_at = models.DateTimeField(_("khóa chỉ tiêu lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")

    def __str__(self) -> str:
        return self.title


class PledgeSignature(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="signatures")
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    signed_by = models.CharField(_("người ký"), max_length=200)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    signed_on = models.DateField(_("ngày ký"))
    scan = models.FileField(_("bản scan"), upload_to="pledges/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chữ ký giao ước")
        verbose_name_plural = _("chữ ký giao ước")
        ordering = ["pledge_id", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "unit"], name="one_signature_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.signed_by} ({self.signed_on:%d/%m/%Y})"
