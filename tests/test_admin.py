"""The admin: usable by a system administrator, and it keeps the rules the app keeps."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.models import MemberTarget, Scheme
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw")


def test_every_registered_model_has_a_working_changelist_and_add_or_view_page(
    client, superuser, world
):
    install_scheme(world.year)
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist + "?q=a").status_code == 200, changelist
        if model_admin.has_add_permission(_request(superuser)):
            assert (
                client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code
                == 200
            )


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_schemes_and_the_audit_trail_cannot_be_changed_or_deleted_in_the_admin(
    client, superuser, world
):
    scheme = install_scheme(world.year)
    entry = AuditEntry.objects.latest("id")
    client.force_login(superuser)
    for model, obj in [(Scheme, scheme), (AuditEntry, entry)]:
        meta = model._meta
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=obj.pk).exists()


def test_a_target_changed_in_the_admin_marks_the_year_dirty(
    client, superuser, world, django_capture_on_commit_callbacks
):
    install_scheme(world.year)
    before = EmulationYear.objects.get(pk=world.year.pk).input_version
    client.force_login(superuser)
    response = client.post(
        reverse("admin:scoring_membertarget_add"),
        {
            "emulation_year": world.year.pk,
            "unit": world.unit_a1.pk,
            "criterion_code": "1.1",
            "target": "25",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert MemberTarget.objects.get().target == 25
    assert EmulationYear.objects.get(pk=world.year.pk).input_version == before + 1


def test_the_admin_never_lists_what_a_member_chose_on_a_ballot():
    from scoring.models import BallotChoice

    assert BallotChoice not in admin.site._registry
