"""What the dossier's writes share: the refusal of a step, the dossier's row lock, its audit row
(which the dossier's page shows as its steps), the acting user, the day, and a typed text's
limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from scoring.errors import ScoringError
from scoring.inbox.services import notify_dossier_step
from scoring.models import Dossier

# A reason or a note longer than this is pasted by mistake.
MAX_TEXT = 4000


class DossierStepRefused(ScoringError):
    """A step the dossier's state (or its contents) does not allow."""

    code = "dossier_step_refused"


def acting_user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def dossier_locked(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until commit, read again (a step taken meanwhile counts)."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("emulation_year", "unit", "body")
        .get(pk=dossier.pk)
    )


def dossier_audit(dossier: Dossier, action: str, actor: Actor, summary: str, **extra: Any) -> None:
    """The step's audit entry, and its e-mail to whom it concerns (the receipt to the awarding
    body, a return and what follows to the proposing cluster and the unit: inbox services)."""
    entry = audit_record(
        actor=actor,
        action=f"dossier.{action}",
        obj=dossier,
        emulation_year_id=dossier.emulation_year_id,
        summary=summary,
        **extra,
    )
    notify_dossier_step(dossier_id=dossier.pk, step=action, event=entry.pk)


def checked_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ScoringError(
            _("Tối đa %(n)s ký tự.") % {"n": f"{MAX_TEXT:,}".replace(",", ".")}, field=field
        )
    return value
