"""The audit trail: one append-only row for every user-visible change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from clusters.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who makes a change, as the services take it: a user, or None (a command, a task). Only a
# signed-in user is recorded as the actor (audit_record).
Actor: TypeAlias = "User | None"


def audit_record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str,
    emulation_year_id: int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:500],
        emulation_year_id=emulation_year_id,
        before=before,
        after=after,
        reason=reason,
    )


def audit_values(obj: models.Model | None, field_names) -> dict[str, Any]:
    """The values of an object's fields as the audit trail keeps them (plain JSON: a related row
    by its name, a number without exponent, a date in ISO form), for the fields named that the
    model has and stores in its own row."""
    if obj is None:
        return {}
    values: dict[str, Any] = {}
    for name in field_names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not getattr(field, "concrete", False) or field.many_to_many:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            values[name] = None if related is None else str(related)
        else:
            assert isinstance(field, models.Field)  # a concrete column, not a relation
            values[name] = _plain(field.value_from_object(obj))
    return values


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name") and not isinstance(value, type):  # a stored file
        return value.name or ""
    return str(value)
