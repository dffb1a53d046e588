"""Small helpers shared by tests."""

from __future__ import annotations

from django.db import IntegrityError, transaction


def refused(create) -> bool:
    """True if the database refuses what `create` writes (a constraint holds)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def scheme_of(year):
    """The year's scheme version in force, read now (None before a first one is imported)."""
    from scoring.models import Scheme

    return Scheme.objects.filter(emulation_year_id=year.pk, in_force=True).first()
