"""The secretariat's contacts page: member units' contact e-mails, and reporter invitations with
a set-password link — audited, and closed to everyone else."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from clusters.models import AuditEntry, RoleGrant
from clusters.permissions import user_scope
from scoring.models import UnitContact

pytestmark = pytest.mark.django_db


def url(world):
    return reverse("cluster-contacts", args=[world.cluster.pk])


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("secretariat", 200),
        ("reporter_a1", 403),
        ("leadership", 403),
        ("other_secretariat", 404),
        ("outsider", 404),
    ],
)
def test_only_the_clusters_secretariat_opens_the_contacts_page(client, world, persona, code):
    client.force_login(getattr(world, persona))
    assert client.get(url(world)).status_code == code
    response = client.post(
        url(world), {"action": "contacts", f"email_{world.unit_a1.pk}": "x@y.vn"}
    )
    assert response.status_code == (302 if code == 200 else code)
    assert UnitContact.objects.filter(email="x@y.vn").exists() == (code == 200)


def test_the_secretariat_sets_contact_emails_audited(client, world):
    client.force_login(world.secretariat)
    page = client.get(url(world)).content.decode()
    assert "Liên minh HTX A1" in page and "Liên minh HTX A2" in page
    assert "Liên minh HTX B1" not in page  # another cluster's member
    response = client.post(
        url(world),
        {
            "action": "contacts",
            f"email_{world.unit_a1.pk}": "lienminh.a1@example.vn",
            f"email_{world.unit_a2.pk}": "",
        },
    )
    assert response.status_code == 302
    assert UnitContact.objects.get(unit=world.unit_a1).email == "lienminh.a1@example.vn"
    assert not UnitContact.objects.filter(unit=world.unit_a2).exists()
    entry = AuditEntry.objects.get(action="contact.update")
    assert entry.actor == world.secretariat
    assert entry.after == {"email": "lienminh.a1@example.vn"} and entry.before == {"email": ""}
    page = client.get(url(world)).content.decode()
    assert 'value="lienminh.a1@example.vn"' in page


def test_a_bad_contact_email_names_the_field_and_keeps_what_was_typed(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        url(world),
        {"action": "contacts", f"email_{world.unit_a1.pk}": "không-phải-thư"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nhập địa chỉ email." in page  # Django's own message, in Vietnamese
    assert 'value="không-phải-thư"' in page
    assert f'id="error_1_id_email_{world.unit_a1.pk}"' in page
    assert not UnitContact.objects.exists()


def test_an_invitation_creates_the_reporter_and_mails_a_set_password_link(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(world),
            {
                "action": "invite",
                "unit": world.unit_a2.pk,
                "email": "Can.Bo@Example.vn",
                "name": "Nguyễn Văn Bình",
            },
        )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="can.bo@example.vn")
    assert user.username == "can.bo@example.vn" and not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Nguyễn Văn", "Bình")
    assert list(RoleGrant.objects.filter(user=user).values_list("role", "unit_id")) == [
        ("reporter", world.unit_a2.pk)
    ]
    assert AuditEntry.objects.get(action="reporter.invite").actor == world.secretariat
    assert [m.to for m in mail.outbox] == [["can.bo@example.vn"]]
    body = mail.outbox[0].body
    assert "Liên minh HTX A2" in body and "can.bo@example.vn" in body
    link = re.search(r"http://localhost:8000(/dat-mat-khau/\S+/\S+/)", body).group(1)
    # The invited user sets a password through the link, then logs in as the unit's reporter.
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Đặt mật khẩu" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Thi-dua-2025!", "new_password2": "Thi-dua-2025!"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Thi-dua-2025!")
    login = client.post(
        reverse("login"), {"username": "can.bo@example.vn", "password": "Thi-dua-2025!"}
    )
    assert login.status_code == 302 and login.url == reverse("home")
    assert world.unit_a2.pk in user_scope(user).reporter_units
    # The link works once.
    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "không còn hiệu lực" in again


def test_inviting_an_existing_user_adds_the_grant_without_a_second_account(
    client, world, django_capture_on_commit_callbacks
):
    world.reporter_a1.email = "a1@example.vn"
    world.reporter_a1.save(update_fields=["email"])
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(world), {"action": "invite", "unit": world.unit_a2.pk, "email": "a1@example.vn"}
        )
    assert get_user_model().objects.filter(email="a1@example.vn").count() == 1
    assert set(
        RoleGrant.objects.filter(user=world.reporter_a1).values_list("unit_id", flat=True)
    ) == {world.unit_a1.pk, world.unit_a2.pk}
    assert len(mail.outbox) == 1
    # Someone with a password already is sent to the login page, with no reset link.
    body = mail.outbox[0].body
    assert "Hãy đăng nhập bằng tài khoản reporter_a1" in body
    assert body.rstrip().endswith("http://localhost:8000/dang-nhap/")
    assert "/dat-mat-khau/" not in body


def test_an_invitation_for_a_unit_outside_the_cluster_or_without_an_email_is_refused(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        url(world), {"action": "invite", "unit": world.unit_b1.pk, "email": "x@example.vn"}
    )
    assert response.status_code == 400
    assert 'id="error_1_id_unit"' in response.content.decode()
    assert 'value="x@example.vn"' in response.content.decode()
    response = client.post(url(world), {"action": "invite", "unit": world.unit_a1.pk, "email": ""})
    assert response.status_code == 400
    assert 'id="error_1_id_email"' in response.content.decode()
    assert not get_user_model().objects.filter(email="x@example.vn").exists()
    assert not AuditEntry.objects.filter(action="reporter.invite").exists()
