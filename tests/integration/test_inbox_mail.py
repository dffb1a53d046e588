"""The inbox's e-mail through a real Redis broker and a real Celery worker: one message per
person per event, whatever duplicate tasks are queued. The worker writes its mail to files
(another process: the test cannot see a locmem outbox), which the test counts."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from scoring.models import Notification
from scoring.reporting.services.reports import report_get_or_create, report_return, report_save
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    folder = tmp_path / "mail"
    folder.mkdir()
    # Read by the worker's settings when live_worker starts it (after this fixture).
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    return folder


def messages(folder) -> list[str]:
    """Every message the worker wrote (the file backend separates messages by a line of dashes)."""
    found = []
    for path in sorted(folder.iterdir()):
        found += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
    return found


def test_each_event_is_mailed_once_by_the_worker(world, mail_dir, live_worker):
    from scoring.tasks import send_notifications

    for user in (world.secretariat, world.reporter_a1, world.reporter_a2):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    report = report_get_or_create(emulation_year=world.year, unit_id=world.unit_a1.pk)
    report = report_save(
        report=report,
        expected_version=report.version,
        values={},
        submit=True,
        actor=world.reporter_a1,
        today=dt.date(2025, 12, 1),
    )
    # The commit queued the sender on Redis; only the worker can have written the file.
    wait_for(lambda: len(messages(mail_dir)) >= 1)
    wait_for(lambda: Notification.objects.filter(sent_at__isnull=True).count() == 0)
    # Duplicate and repeated tasks send nothing more.
    for _ in range(5):
        send_notifications.delay()
    report_return(
        report=report,
        expected_version=report.version,
        comments={"": "Bổ sung minh chứng"},
        actor=world.secretariat,
    )
    wait_for(lambda: len(messages(mail_dir)) >= 2)
    time.sleep(3)  # let the queue drain: nothing more may be written
    sent = messages(mail_dir)
    assert len(sent) == 2
    assert sum("To: secretariat@example.vn" in m for m in sent) == 1
    assert sum("To: reporter_a1@example.vn" in m for m in sent) == 1
    assert not any("reporter_a2@example.vn" in m for m in sent)
    assert Notification.objects.count() == 2
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2
