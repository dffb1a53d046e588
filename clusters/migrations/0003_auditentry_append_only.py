"""The audit trail is append-only in the database too: a trigger refuses every UPDATE and DELETE
of a row of clusters_auditentry, whatever the client (the app, the admin, a shell, raw SQL).

PostgreSQL: one plpgsql function and a row trigger; the error is SQLSTATE 23001
(restrict_violation), which Django raises as IntegrityError. TRUNCATE is not a row operation and
stays possible for the table owner (it is what `flush` and the test database teardown use).

SQLite: two triggers with RAISE(ABORT, …), also an IntegrityError. SQLite rebuilds a table (and
drops its triggers) when Django alters some of its columns: a later migration that alters
clusters_auditentry must create these triggers again (tests/test_audit_immutable.py fails if
they are missing). `flush` on SQLite lifts them for the flush only
(clusters/management/commands/flush.py).

The actor becomes PROTECT (was SET_NULL, an UPDATE of the row): a user who acted is deactivated,
not deleted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION clusters_auditentry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'clusters_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER clusters_auditentry_append_only
    BEFORE UPDATE OR DELETE ON clusters_auditentry
    FOR EACH ROW EXECUTE FUNCTION clusters_auditentry_refuse_change();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS clusters_auditentry_append_only ON clusters_auditentry;
DROP FUNCTION IF EXISTS clusters_auditentry_refuse_change();
"""
SQLITE_CREATE = [
    """CREATE TRIGGER clusters_auditentry_no_update BEFORE UPDATE ON clusters_auditentry
    BEGIN SELECT RAISE(ABORT, 'clusters_auditentry is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER clusters_auditentry_no_delete BEFORE DELETE ON clusters_auditentry
    BEGIN SELECT RAISE(ABORT, 'clusters_auditentry is append-only: DELETE refused'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS clusters_auditentry_no_update",
    "DROP TRIGGER IF EXISTS clusters_auditentry_no_delete",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)
    else:
        raise NotImplementedError(f"No append-only trigger for the {vendor} database.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('clusters', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người thực hiện'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
