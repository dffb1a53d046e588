"""Objections to a criterion, amendments that follow, and publishing / reopening a year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.models import Objection, Scheme
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


def file(
    client,
    world,
    user,
    criterion="1.1",
    text="Mẫu số tính cả thành viên HTX nên không thể đạt 65%.",
):
    client.force_login(user)
    return client.post(
        reverse("year-objections", args=[world.year.pk]),
        {"action": "file", "criterion": criterion, "text": text},
    )


def answer(client, world, objection, decision, **extra):
    client.force_login(world.secretariat)
    data = {
        "action": "answer",
        "objection": objection.pk,
        "decision": decision,
        "answer": "Đồng ý sửa mẫu số.",
    }
    data.update(extra)
    return client.post(reverse("year-objections", args=[world.year.pk]), data)


def test_a_member_objects_and_the_secretariat_amends_the_criterion(client, world):
    install_scheme(world.year)
    assert file(client, world, world.reporter_a1).status_code == 302
    objection = Objection.objects.get()
    assert objection.unit == world.unit_a1 and objection.status == "open"
    client.force_login(world.reporter_a2)
    assert (
        "không thể đạt 65%"
        not in client.get(reverse("year-objections", args=[world.year.pk])).content.decode()
    )
    before = EmulationYear.objects.get(pk=world.year.pk).input_version
    response = answer(
        client,
        world,
        objection,
        "accept",
        definition="Chỉ tính HTX mới thành lập, không tính HTX chuyển đổi",
        target="18",
    )
    assert response.status_code == 302
    year = EmulationYear.objects.get(pk=world.year.pk)
    scheme = scheme_of(year)
    assert scheme.version == 2 and "không thể đạt 65%" in scheme.reason
    criterion = scheme.criteria.get(code="1.1")
    assert criterion.definition.startswith("Chỉ tính HTX mới") and criterion.target == 18
    assert year.input_version > before
    objection.refresh_from_db()
    assert objection.status == "accepted" and objection.answered_by == world.secretariat


def test_an_amendment_with_a_bad_formula_is_refused_and_the_objection_stays_open(client, world):
    install_scheme(world.year)
    file(client, world, world.reporter_a1)
    objection = Objection.objects.get()
    response = answer(client, world, objection, "accept", measure="new_coops / (workers")
    assert response.status_code == 200 and 'id="objection-error"' in response.content.decode()
    assert Objection.objects.get().status == "open"
    assert Scheme.objects.filter(emulation_year=world.year).count() == 1


def test_a_rejected_objection_changes_no_scheme(client, world):
    install_scheme(world.year)
    file(client, world, world.reporter_a1)
    answer(
        client, world, Objection.objects.get(), "reject", answer="Giữ nguyên theo giao ước đã ký."
    )
    assert Objection.objects.get().status == "rejected"
    assert Scheme.objects.filter(emulation_year=world.year).count() == 1


def test_an_objection_on_an_unknown_criterion_is_refused_and_the_text_kept(client, world):
    install_scheme(world.year)
    response = file(client, world, world.reporter_a1, criterion="9.9", text="Tiêu chí không rõ")
    assert response.status_code == 200 and "Tiêu chí không rõ" in response.content.decode()
    assert not Objection.objects.exists()


def set_status(client, world, status, reason=""):
    """The confirmation's form (the first POST, without `confirmed`, only shows it)."""
    client.force_login(world.secretariat)
    return client.post(
        reverse("year-status", args=[world.year.pk]),
        {"status": status, "reason": reason, "confirmed": "1"},
    )


def test_publishing_locks_and_reopening_needs_a_recorded_reason(client, world):
    from scoring.ranking.services.recompute import year_recompute

    install_scheme(world.year)
    year_recompute(emulation_year_id=world.year.pk)
    # Neither member has submitted: publishing needs a reason too.
    response = set_status(client, world, "published")
    assert response.status_code == 200 and "cần ghi rõ lý do" in response.content.decode()
    assert EmulationYear.objects.get(pk=world.year.pk).status != "published"
    set_status(client, world, "published", reason="Hai đơn vị không nộp, hội nghị đã thống nhất")
    assert EmulationYear.objects.get(pk=world.year.pk).status == "published"
    set_status(client, world, "verification")
    assert EmulationYear.objects.get(pk=world.year.pk).status == "published"
    set_status(client, world, "verification", reason="Sai số liệu của A2, đã có văn bản đính chính")
    assert EmulationYear.objects.get(pk=world.year.pk).status == "verification"
    entry = AuditEntry.objects.get(action="year.reopen")
    assert entry.reason.startswith("Sai số liệu") and entry.before == {"status": "published"}


def test_the_secretariat_reminds_members_that_have_not_submitted(client, world):
    from django.core import mail

    from scoring.models import Report

    install_scheme(world.year)
    world.reporter_a1.email = "a1@example.vn"
    world.reporter_a1.save()
    world.reporter_a2.email = "a2@example.vn"
    world.reporter_a2.save()
    Report.objects.create(emulation_year=world.year, unit=world.unit_a2, status="submitted")
    client.force_login(world.secretariat)
    response = client.post(reverse("year-remind", args=[world.year.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["a1@example.vn"]]
    assert "Nhắc nộp báo cáo năm 2025" in mail.outbox[0].subject
    assert AuditEntry.objects.get(action="year.remind").after == {"units": ["Liên minh HTX A1"]}


def test_publishing_first_states_who_is_not_ready_and_changes_nothing(client, world):
    from scoring.models import Report
    from scoring.ranking.services.recompute import year_recompute

    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status="verification", reporting_deadline=dt.date.today() + dt.timedelta(days=17)
    )
    Report.objects.create(emulation_year=world.year, unit=world.unit_a2, status="submitted")
    year_recompute(emulation_year_id=world.year.pk)
    client.force_login(world.secretariat)
    response = client.post(reverse("year-status", args=[world.year.pk]), {"status": "published"})
    page = response.content.decode()
    assert response.status_code == 200
    said = page.split('id="status-consequences"')[1].split("</ul>")[0]
    assert "Liên minh HTX A1 chưa nộp báo cáo" in said and "xếp Liên minh HTX A1 0 điểm" in said
    assert "Liên minh HTX A2 đã nộp nhưng chưa được thẩm định" in said
    assert "còn 17 ngày" in said
    assert 'name="confirmed" value="1"' in page and "required" in page
    assert EmulationYear.objects.get(pk=world.year.pk).status == "verification"

    set_status(client, world, "published", reason="Hội nghị quyết định công bố sớm")
    assert EmulationYear.objects.get(pk=world.year.pk).status == "published"
    entry = AuditEntry.objects.get(action="year.status", after__status="published")
    assert entry.reason == "Hội nghị quyết định công bố sớm"
    assert entry.after["not_ready"] == {
        "not_submitted": ["Liên minh HTX A1"],
        "not_verified": ["Liên minh HTX A2"],
        "days_left": 17,
    }


def test_publishing_a_ready_year_needs_only_the_confirmation(client, world):
    from scoring.models import Report
    from scoring.ranking.services.recompute import year_recompute

    install_scheme(world.year)
    for unit in (world.unit_a1, world.unit_a2):
        Report.objects.create(emulation_year=world.year, unit=unit, status="verified")
    year_recompute(emulation_year_id=world.year.pk)
    response = set_status(client, world, "published")
    assert response.status_code == 302
    assert EmulationYear.objects.get(pk=world.year.pk).status == "published"
