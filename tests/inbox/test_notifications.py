"""E-mail for the inbox's events: one message per person per event, sent after commit, with a
per-user opt-out; and the outbox's guarantees against retries and duplicate tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from clusters.models import EmulationYear
from scoring.conference.services.conference import (
    ballot_close,
    ballot_open,
    ballot_reopen,
    ballot_vote,
)
from scoring.inbox.services import notification_send, notifications_send, notify
from scoring.models import Ballot, Notification, NotificationPreference
from scoring.reporting.services.objections import objection_answer, objection_file
from scoring.reporting.services.reports import report_get_or_create, report_return, report_save
from scoring.setup.services.lifecycle import year_set_status
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(world):
    for name in ("secretariat", "reporter_a1", "reporter_a2", "leadership", "other_secretariat"):
        user = getattr(world, name)
        user.email = f"{name}@example.vn"
        user.save(update_fields=["email"])
    EmulationYear.objects.filter(pk=world.year.pk).update(status="reporting")
    return world


def to(messages) -> list[str]:
    return sorted(address for m in messages for address in m.to)


def submit(world, actor):
    report = report_get_or_create(emulation_year=world.year, unit_id=world.unit_a1.pk)
    return report_save(
        report=report,
        expected_version=report.version,
        values={},
        submit=True,
        actor=actor,
        today=dt.date(2025, 12, 1),
    )


def test_a_submitted_report_mails_the_clusters_secretariat_after_commit(
    mailed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(mailed, mailed.reporter_a1)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) >= 1
    assert to(mail.outbox) == ["secretariat@example.vn"]
    message = mail.outbox[0]
    assert message.subject == "[Thi đua] Liên minh HTX A1 đã nộp báo cáo năm 2025"
    assert (
        "http://localhost:8000" + reverse("report-detail", args=[mailed.year.pk, mailed.unit_a1.pk])
        in message.body
    )
    row = Notification.objects.get()
    assert row.recipient == mailed.secretariat and row.sent_at is not None


def test_a_returned_report_mails_its_reporter_once(mailed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(mailed, mailed.reporter_a1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_return(
            report=report,
            expected_version=report.version,
            comments={"": "Bổ sung minh chứng"},
            actor=mailed.secretariat,
        )
    assert to(mail.outbox) == ["reporter_a1@example.vn"]
    assert "1 nhận xét cần trả lời" in mail.outbox[0].body
    # Another task (a retry, a duplicate) sends nothing more.
    assert notifications_send() == 0
    assert len(mail.outbox) == 1


def test_an_objection_mails_the_secretariat_and_its_answer_the_reporters_of_the_unit(
    mailed, django_capture_on_commit_callbacks
):
    install_scheme(mailed.year)
    mailed.year.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        objection = objection_file(
            emulation_year=mailed.year, unit=mailed.unit_a1, criterion_code="1.1", text="Mẫu số"
        )
    assert to(mail.outbox) == ["secretariat@example.vn"]
    assert mail.outbox[0].subject == "[Thi đua] Kiến nghị mới của Liên minh HTX A1 về tiêu chí 1.1"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        objection_answer(objection=objection, accept=False, answer="Giữ nguyên")
    assert to(mail.outbox) == ["reporter_a1@example.vn"]
    assert "Không chấp nhận" in mail.outbox[0].body and "Giữ nguyên" in mail.outbox[0].body


def test_an_opened_ballot_mails_every_members_reporter_and_a_reopening_mails_again(
    mailed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ballot = ballot_open(emulation_year=mailed.year, purpose=Ballot.Purpose.HEAD)
    assert to(mail.outbox) == ["reporter_a1@example.vn", "reporter_a2@example.vn"]
    assert mail.outbox[0].subject == "[Thi đua] Đang bỏ phiếu: Bầu cụm trưởng năm 2026"
    # A ballot closes with at least 2 votes.
    ballot_vote(ballot=ballot, voter=mailed.unit_a1, candidate_ids=[mailed.unit_a2.pk])
    ballot_vote(ballot=ballot, voter=mailed.unit_a2, candidate_ids=[mailed.unit_a1.pk])
    ballot_close(ballot=ballot)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ballot_reopen(ballot=ballot, reason="Thiếu một đơn vị")
    assert to(mail.outbox) == ["reporter_a1@example.vn", "reporter_a2@example.vn"]
    assert Notification.objects.filter(kind="ballot_opened").count() == 4


def test_publication_mails_the_leadership_of_the_supervising_body(
    scored, django_capture_on_commit_callbacks
):
    for user in (scored.leadership, scored.reporter_a1):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        year_set_status(
            emulation_year=scored.year,
            status=EmulationYear.Status.PUBLISHED,
            reason="Công bố theo kết luận hội nghị",  # members have not all submitted
        )
    assert to(mail.outbox) == ["leadership@example.vn"]
    assert mail.outbox[0].subject == "[Thi đua] Cụm A công bố kết quả năm 2025"


def test_a_user_who_turned_email_off_gets_none(mailed, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=mailed.secretariat, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        submit(mailed, mailed.reporter_a1)
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_one_event_recorded_twice_is_one_message(mailed):
    def record():
        return notify(
            kind=Notification.Kind.REPORT_SUBMITTED,
            event_key="report-submitted:1:2",
            users=[mailed.secretariat],
            subject="s",
            body="b",
        )

    assert record() == 1
    assert record() == 0
    assert Notification.objects.count() == 1
    assert notifications_send() == 1
    assert notifications_send() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_unclaimed_for_the_retry(mailed, settings, monkeypatch):
    notify(
        kind=Notification.Kind.REPORT_SUBMITTED,
        event_key="e",
        users=[mailed.secretariat],
        subject="s",
        body="b",
    )
    row = Notification.objects.get()

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError):
        notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert row.sent_at is None
    monkeypatch.undo()
    assert notification_send(notification_id=row.pk) is True
    assert len(mail.outbox) == 1


def test_the_preferences_page_turns_email_off_and_on(client, mailed):
    client.force_login(mailed.reporter_a1)
    page = client.get(reverse("notification-preferences"))
    assert page.status_code == 200
    assert "reporter_a1@example.vn" in page.content.decode()
    assert client.post(reverse("notification-preferences"), {}).status_code == 302
    assert NotificationPreference.objects.get(user=mailed.reporter_a1).email_enabled is False
    client.post(reverse("notification-preferences"), {"email_enabled": "on"})
    assert NotificationPreference.objects.get(user=mailed.reporter_a1).email_enabled is True
    assert not NotificationPreference.objects.filter(user=mailed.reporter_a2).exists()
    # The menu links to it.
    assert reverse("notification-preferences") in client.get(reverse("home")).content.decode()


def test_a_message_that_fails_does_not_hold_back_the_others(mailed, monkeypatch):
    for n, user in enumerate((mailed.secretariat, mailed.reporter_a1, mailed.reporter_a2)):
        notify(
            kind=Notification.Kind.REPORT_SUBMITTED,
            event_key=f"e{n}",
            users=[user],
            subject=f"Thư\n{n}",
            body="b",
        )
    real = EmailMessage.send

    def refuse_the_first(self, *args, **kwargs):
        if self.to == ["secretariat@example.vn"]:
            raise OSError("refused")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse_the_first)
    with pytest.raises(OSError):
        notifications_send()
    assert to(mail.outbox) == ["reporter_a1@example.vn", "reporter_a2@example.vn"]
    assert mail.outbox[0].subject == "Thư 1"  # no line break in a header
    unsent = Notification.objects.filter(sent_at__isnull=True)
    assert [n.recipient for n in unsent] == [mailed.secretariat]
    monkeypatch.setattr(EmailMessage, "send", real)
    assert notifications_send() == 1
    assert len(mail.outbox) == 3
