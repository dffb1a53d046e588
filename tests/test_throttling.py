"""Issue #14, finding 12: login throttling stops guessing without locking an office out — a lock
per (user name, address) pair, a separate, higher cap per address, the right password during a
lock not counted as a failure, the lockout page saying until when, and the secretariat (for its
cluster's users) or the administrator able to lift a lock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum

from tests.test_security import LOCKED_EN, LOCKED_VI, logged_in, login

pytestmark = pytest.mark.django_db

OFFICE = "10.0.6.1"  # one address for a whole office, behind its router


def failures(**filters) -> int:
    return (
        AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0
    )


def local(moment: dt.datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")


PEOPLE = ["reporter_a1", "reporter_a2", "secretariat", "leadership", "outsider"]


def test_one_mistyped_password_each_for_five_users_from_one_address_locks_no_one(client, world):
    for name in PEOPLE:
        assert login(client, name, "typo", ip=OFFICE).status_code == 200
    for name in PEOPLE:
        response = login(client, name, f"pw-{name}", ip=OFFICE)
        assert response.status_code == 302, name
        assert logged_in(client)
        client.logout()


def test_five_failures_lock_the_user_name_from_that_address_only(client, world):
    """The lock is the pair's: someone failing on purpose from elsewhere cannot lock a colleague
    out of its own office (no count per user name across addresses)."""
    for _ in range(5):
        response = login(client, "reporter_a1", "wrong", ip="203.0.113.9")
    assert response.status_code == 429
    assert login(client, "reporter_a1", "pw-reporter_a1", ip=OFFICE).status_code == 302
    assert logged_in(client)
    client.logout()
    assert login(client, "reporter_a1", "pw-reporter_a1", ip="203.0.113.9").status_code == 429


def test_thirty_failures_from_one_address_lock_the_address_for_every_account(
    client, world, settings
):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 30
    for attempt in range(29):
        assert login(client, f"guess-{attempt}", "wrong", ip=OFFICE).status_code == 200
    assert login(client, "reporter_a2", "pw-reporter_a2", ip=OFFICE).status_code == 302
    client.logout()
    assert login(client, "guess-29", "wrong", ip=OFFICE).status_code == 429
    response = login(client, "reporter_a2", "pw-reporter_a2", ip=OFFICE)
    assert response.status_code == 429 and not logged_in(client)
    page = response.content.decode()
    assert "địa chỉ máy của bạn đã đăng nhập sai 30 lần trong 15 phút" in page
    newest = AccessAttempt.objects.order_by("-attempt_time").first().attempt_time
    assert f"bị khóa đến {local(newest + dt.timedelta(minutes=15))}" in page
    # From another address the same account logs in: only the address is locked.
    assert login(client, "reporter_a2", "pw-reporter_a2", ip="10.0.6.2").status_code == 302


def test_the_right_password_during_a_lock_is_not_counted_and_does_not_prolong_it(
    client, world, settings
):
    for _ in range(5):
        login(client, "reporter_a1", "wrong", ip=OFFICE)
    locked_at = AccessAttempt.objects.get().attempt_time
    for _ in range(3):
        response = login(client, "reporter_a1", "pw-reporter_a1", ip=OFFICE)
        assert response.status_code == 429
    for _ in range(2):
        assert login(client, "reporter_a1", "still wrong", ip=OFFICE).status_code == 429
    assert failures(username="reporter_a1") == 5
    assert AccessAttempt.objects.get().attempt_time == locked_at
    # The lock ends LOGIN_LOCKOUT_MINUTES after the fifth failure, not after the last attempt.
    AccessAttempt.objects.update(
        attempt_time=locked_at - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    assert login(client, "reporter_a1", "pw-reporter_a1", ip=OFFICE).status_code == 302


def test_the_lockout_page_says_until_when(client, world, settings):
    for _ in range(5):
        response = login(client, "reporter_a1", "wrong", ip=OFFICE)
    assert response.status_code == 429
    until = local(AccessAttempt.objects.get().attempt_time + dt.timedelta(minutes=15))
    page = response.content.decode()
    assert LOCKED_VI in page and f"Hãy thử lại sau {until}" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = login(client, "reporter_a1", "pw-reporter_a1", ip=OFFICE).content.decode()
    assert LOCKED_EN in page and f"Try again after {until}" in page and LOCKED_VI not in page


# --- lifting a lock -----------------------------------------------------------------------------


def lock(client, username: str, ip: str = OFFICE) -> None:
    for _ in range(5):
        response = login(client, username, "wrong", ip=ip)
    assert response.status_code == 429
    client.logout()


def test_the_secretariat_sees_and_lifts_the_lock_of_its_clusters_reporter(client, world):
    from django.urls import reverse

    from clusters.models import AuditEntry

    lock(client, "reporter_a1")
    lock(client, "other_secretariat")  # another cluster's user: not on this list
    until = local(
        AccessAttempt.objects.get(username="reporter_a1").attempt_time + dt.timedelta(minutes=15)
    )
    client.force_login(world.secretariat)
    url = reverse("cluster-login-locks", args=[world.cluster.pk])
    page = client.get(url).content.decode()
    assert "reporter_a1" in page and OFFICE in page and until in page
    assert "other_secretariat" not in page
    response = client.post(url, {"username": "reporter_a1"}, follow=True)
    assert "Đã mở khóa đăng nhập cho reporter_a1 (5 lần sai được xoá)." in response.content.decode()
    assert failures(username="reporter_a1") == 0
    entry = AuditEntry.objects.get(action="login.unlock")
    assert (entry.actor, entry.object_id, entry.before, entry.after) == (
        world.secretariat,
        "reporter_a1",
        {"failures": 5},
        {"failures": 0},
    )
    client.logout()
    assert login(client, "reporter_a1", "pw-reporter_a1", ip=OFFICE).status_code == 302


def test_the_secretariat_cannot_lift_another_clusters_users_lock(client, world):
    from django.urls import reverse

    lock(client, "other_secretariat")
    client.force_login(world.secretariat)
    url = reverse("cluster-login-locks", args=[world.cluster.pk])
    response = client.post(url, {"username": "other_secretariat"})
    assert response.status_code == 400
    assert "Tên đăng nhập: không có tài khoản nào của cụm tên “other_secretariat”" in (
        response.content.decode()
    )
    assert failures(username="other_secretariat") == 5
    # Nor through the other cluster's page, which is outside its scope.
    other = reverse("cluster-login-locks", args=[world.other_cluster.pk])
    assert client.post(other, {"username": "other_secretariat"}).status_code == 404
    assert failures(username="other_secretariat") == 5
    # A reporter of the cluster may not lift locks at all.
    client.force_login(world.reporter_a2)
    assert client.post(url, {"username": "reporter_a1"}).status_code == 403


def test_the_administrator_lifts_anyones_lock(client, world, django_user_model):
    from django.urls import reverse

    root = django_user_model.objects.create_superuser("root", password="pw-root")
    lock(client, "other_secretariat")
    client.force_login(root)
    url = reverse("cluster-login-locks", args=[world.other_cluster.pk])
    assert client.post(url, {"username": "other_secretariat"}).status_code == 302
    assert failures(username="other_secretariat") == 0
