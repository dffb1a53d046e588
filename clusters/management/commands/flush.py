"""Django's `flush`, which also works on SQLite now that the audit trail is append-only.

`flush` empties every table (a developer resetting a local database; the test runner between
transactional tests). On PostgreSQL it uses TRUNCATE, which the audit trail's row trigger does
not see. On SQLite it deletes row by row, which the triggers refuse (migration
clusters/0003_auditentry_append_only): they are lifted for the flush and put back, as they were,
right after — also when the flush fails."""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections

AUDIT_TABLE = "clusters_auditentry"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AUDIT_TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
