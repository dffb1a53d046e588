"""Hand-written SQL, one convention: the few statements the ORM would compile slower than they
run (each says by how much beside it) quote their table and column names from the models
(`table`, `statement`), bind every value as a parameter, and come back typed as the ORM gives them —
model instances (`model_from_row`) or single values (`as_field`) through the ORM's own converters,
so a row reads the same on PostgreSQL and SQLite. Where they live: `clusters.permissions`
(the session's user, a report's year and unit), `clusters.selectors.home_cards`,
`scoring.inbox.selectors`, `scoring.ranking.selectors.year_page_facts`,
`scoring.reporting.services.reports` (the figures' UPDATE).

    fields = model_fields(Unit)
    sql = f"SELECT {select_list(fields, 'u')} FROM {table(Unit)} u WHERE …"
    unit = model_from_row(Unit, fields, row[: len(fields)])
"""

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


def table(model: type[Model]) -> str:
    """The model's table name, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


def statement(template: str, tables: dict[str, type[Model]], **parts: str) -> str:
    """A statement written with `{name}` for each table — the quoted table of `tables[name]` —
    and other `{…}` parts (placeholder lists such as "%s, %s") given by keyword."""
    return template.format(**{name: table(model) for name, model in tables.items()}, **parts)


def rows(sql: str, params: list | tuple = ()) -> list[tuple]:
    """Every row of a statement, as the driver gives them (convert with `as_field`)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_field(model: type[Model], name: str, value):
    """A column's raw value as the ORM gives the model's field `name` (a date from SQLite's text,
    an aware datetime, a Decimal)."""
    for convert, column in _converters(model._meta.get_field(name)):
        value = convert(value, column, connection)
    return value


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
