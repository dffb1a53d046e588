from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Chấm điểm thi đua")

    def ready(self) -> None:
        from scoring.documents.signature_checks import signature_settings_check

        checks.register(signature_settings_check)
