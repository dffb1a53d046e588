"""Each step of a dossier is told by e-mail to whom it concerns (#17: "the cluster and the unit
see each step"): a receipt to the awarding body's staff with the appraisal's deadline; a return,
with its reasons, to the proposing cluster's secretariat; the decision to the secretariat and
the unit's reporters; each return and receipt once, and a second one again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from clusters.models import RoleGrant
from scoring.dossiers.services.dossiers import (
    dossier_appraise,
    dossier_decide,
    dossier_return,
    dossier_revoke,
    dossier_submit,
)
from scoring.models import Notification, NotificationPreference
from tests.dossiers.factories import file_everything, new_dossier, published_with_proposal
from tests.dossiers.test_path import TODAY, passed_council

pytestmark = pytest.mark.django_db

D = dt.date


def inbox(user, kind):
    return list(
        Notification.objects.filter(recipient=user, kind=kind)
        .order_by("id")
        .values_list("subject", "body")
    )


@pytest.fixture
def mailed(world, django_user_model):
    """Everyone of the world with an e-mail address; a second reporter of A1 has turned e-mail
    off."""
    for name in ("secretariat", "reporter_a1", "reporter_a2", "leadership", "awarding",
                 "other_secretariat"):  # fmt: skip
        user = getattr(world, name)
        user.email = f"{name}@example.vn"
        user.save(update_fields=["email"])
    quiet = django_user_model.objects.create_user("reporter_a1_quiet", email="quiet@example.vn")
    RoleGrant.objects.create(user=quiet, role="reporter", unit=world.unit_a1)
    NotificationPreference.objects.create(user=quiet, email_enabled=False)
    world.quiet = quiet
    return world


def test_every_step_reaches_who_acts_next_or_waits_on_it(
    mailed, django_capture_on_commit_callbacks
):
    w = mailed
    with django_capture_on_commit_callbacks(execute=True):
        dossier = new_dossier(w, proposal=published_with_proposal(w), today=TODAY)
        file_everything(dossier, w, today=TODAY)
        dossier = dossier_submit(dossier=dossier, actor=w.secretariat, today=TODAY)
    received = inbox(w.awarding, "dossier_received")
    assert len(received) == 1
    subject, body = received[0]
    assert "Liên minh HTX A1" in subject and "chờ thẩm định" in subject
    assert "Cụm A" in body and "30/03/2026" in body  # the appraisal's deadline
    assert [m.to for m in mail.outbox if m.subject.startswith("[Khen thưởng]")] == [
        ["awarding@example.vn"]
    ]

    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_return(
            dossier=dossier, reason="Thiếu chữ ký trên tờ trình", actor=w.awarding,
            today=D(2026, 3, 4),
        )  # fmt: skip
    (returned,) = inbox(w.secretariat, "dossier_returned")
    assert "Lý do: Thiếu chữ ký trên tờ trình." in returned[1]
    # Only the proposing cluster's secretariat: not the unit, not another cluster.
    assert not Notification.objects.filter(
        kind="dossier_returned", recipient__in=[w.reporter_a1, w.other_secretariat]
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_submit(dossier=dossier, actor=w.secretariat, today=D(2026, 3, 5))
    assert len(inbox(w.awarding, "dossier_received")) == 2  # the second receipt is news again

    with django_capture_on_commit_callbacks(execute=True):
        passed_council(w, dossier)
        dossier = dossier_appraise(dossier=dossier, actor=w.awarding, today=D(2026, 3, 10))
        dossier = dossier_decide(
            dossier=dossier, number="17/QĐ-LMHTXVN", decided_on=D(2026, 3, 12),
            deciding_body="Liên minh HTX Việt Nam", actor=w.awarding, today=D(2026, 3, 12),
        )  # fmt: skip
    assert len(inbox(w.secretariat, "dossier_appraised")) == 1
    for user in (w.secretariat, w.reporter_a1):
        (decided,) = inbox(user, "dossier_decided")
        assert "Quyết định số 17/QĐ-LMHTXVN ngày 12/03/2026" in decided[1]
    assert not inbox(w.reporter_a2, "dossier_decided")
    assert not inbox(w.quiet, "dossier_decided")  # e-mail turned off

    with django_capture_on_commit_callbacks(execute=True):
        dossier_revoke(dossier=dossier, reason="Kết luận thanh tra", actor=w.awarding)
    (revoked,) = inbox(w.reporter_a1, "dossier_revoked")
    assert "Lý do: Kết luận thanh tra." in revoked[1]
    assert all(n.sent_at for n in Notification.objects.all())
