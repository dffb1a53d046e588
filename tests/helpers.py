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
