"""Model instances from hand-written SQL, for the few hot paths where compiling an ORM query costs
more than running it (a four-table read by two keys: 4.7 ms to build its SQL, 0.1 ms to run it,
on the 2-core machine of docs/performance.md).

    fields = model_fields(Unit)
    sql = f"SELECT {select_list(fields, 'u')} FROM … "
    unit = model_from_row(Unit, fields, row[: len(fields)])

Values pass through the same converters as the ORM's (the database backend's, then the field's),
so a row reads the same on PostgreSQL and SQLite."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Field, Model

# The largest id a database key holds (a 64-bit signed integer, PostgreSQL's bigint and SQLite's
# INTEGER): a larger parameter makes the driver raise OverflowError instead of finding no row.
MAX_ID = 2**63 - 1


def ids_fit(*ids: int) -> bool:
    """Whether every id can be a database key (hand-written SQL asks this before binding them; the
    ORM does it by itself)."""
    return all(0 <= i <= MAX_ID for i in ids)


@functools.cache
def model_fields(model: type[Model], exclude: frozenset[str] = frozenset()) -> tuple[Field, ...]:
    """The model's concrete fields in declaration order, without those named in `exclude` (which
    the instances then load on first access, as with QuerySet.defer)."""
    return tuple(f for f in model._meta.concrete_fields if f.name not in exclude)


def select_list(fields: tuple[Field, ...], alias: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in fields)


@functools.cache
def _converters(field: Field) -> tuple:
    """(convert, column) pairs: the backend's converters, then the field's (as the ORM applies
    them, each called with the value, the column expression and the connection)."""
    column = field.get_col(field.model._meta.db_table)
    found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    return tuple((convert, column) for convert in found)


def model_from_row(model: type[Model], fields: tuple[Field, ...], values) -> Model:
    values = list(values)
    for i, field in enumerate(fields):
        for convert, column in _converters(field):
            values[i] = convert(values[i], column, connection)
    return model.from_db(connection.alias, [f.attname for f in fields], values)
