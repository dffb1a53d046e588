"""The audit trail cannot be edited or deleted from the app: not by the model, not by a queryset,
not in the admin, not by raw SQL (a database trigger, on SQLite and PostgreSQL), and nothing
cascades onto it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from clusters.audit import audit_record
from clusters.models import AuditEntry, AuditTrailImmutable, EmulationYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return audit_record(
        actor=world.secretariat,
        action="report.submit",
        object_type="scoring.report",
        object_id="1",
        summary="Nộp báo cáo của Liên minh HTX A1",
        emulation_year_id=world.year.pk,
        before={"new_coops": None},
        after={"new_coops": "20"},
    )


def unchanged(entry) -> bool:
    row = AuditEntry._base_manager.filter(pk=entry.pk).values("summary", "actor_id", "after")
    return list(row) == [
        {"summary": entry.summary, "actor_id": entry.actor_id, "after": entry.after}
    ]


def test_a_new_entry_is_written(entry):
    assert AuditEntry.objects.filter(pk=entry.pk, action="report.submit").exists()


def test_the_model_refuses_to_save_an_existing_entry_or_delete_one(entry):
    entry.summary = "Sửa lại lịch sử"
    with pytest.raises(AuditTrailImmutable):
        entry.save()
    with pytest.raises(AuditTrailImmutable):
        entry.delete()
    entry.refresh_from_db()
    assert entry.summary == "Nộp báo cáo của Liên minh HTX A1"


def test_the_queryset_refuses_bulk_update_and_delete(entry):
    with pytest.raises(AuditTrailImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="x")
    with pytest.raises(AuditTrailImmutable):
        AuditEntry.objects.all().delete()
    assert unchanged(entry)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clusters_auditentry SET summary = 'rewritten' WHERE id = %s",
        "UPDATE clusters_auditentry SET actor_id = NULL WHERE id = %s",
        "DELETE FROM clusters_auditentry WHERE id = %s",
        "DELETE FROM clusters_auditentry",
    ],
)
def test_the_database_refuses_update_and_delete_whoever_asks(entry, statement):
    """Raw SQL, as any client of the database would send it: the trigger refuses it."""
    params = [entry.pk] if "%s" in statement else None
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    assert unchanged(entry)


def test_the_database_refuses_an_update_that_bypasses_the_model(entry):
    """Django's base manager (used by cascades) skips the model's own refusal: the trigger holds."""
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(summary="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk)._raw_delete(connection.alias)
    assert unchanged(entry)


def test_deleting_a_user_who_acted_is_refused_and_the_entry_keeps_its_actor(
    entry, world, django_user_model
):
    with pytest.raises(ProtectedError):
        world.secretariat.delete()
    assert unchanged(entry) and entry.actor_id == world.secretariat.pk
    # A user who never acted can still be deleted.
    world.outsider.delete()
    assert not django_user_model.objects.filter(username="outsider").exists()


def test_deleting_a_year_with_entries_is_refused(entry, world):
    with pytest.raises(ProtectedError):
        EmulationYear.objects.get(pk=world.year.pk).delete()
    assert unchanged(entry)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw")


def test_the_admin_has_no_way_to_change_or_delete_an_entry(client, superuser, entry):
    client.force_login(superuser)
    change = reverse("admin:clusters_auditentry_change", args=[entry.pk])
    delete = reverse("admin:clusters_auditentry_delete", args=[entry.pk])
    changelist = reverse("admin:clusters_auditentry_changelist")
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"summary": "rewritten", "action": "x"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    listing = client.get(changelist)
    assert 'value="delete_selected"' not in listing.content.decode()
    client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert client.get(reverse("admin:clusters_auditentry_add")).status_code == 403
    assert unchanged(entry)


def test_the_admin_refuses_to_delete_a_user_who_acted(client, superuser, entry, world):
    client.force_login(superuser)
    delete = reverse("admin:auth_user_delete", args=[world.secretariat.pk])
    page = client.get(delete)
    assert page.status_code == 200
    client.post(delete, {"post": "yes"})
    assert type(world.secretariat).objects.filter(pk=world.secretariat.pk).exists()
    assert unchanged(entry)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_the_guard_is_back_afterwards(world, entry):
    """`flush` (a developer's reset; the test runner between transactional tests) still works;
    on SQLite it lifts the triggers for the flush only."""
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    fresh = audit_record(actor=None, action="x", summary="after the flush")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=fresh.pk).update(summary="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM clusters_auditentry")
    assert AuditEntry.objects.filter(summary="after the flush").exists()
