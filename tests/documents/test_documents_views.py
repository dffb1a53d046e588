"""The documents page of a year: who sees which documents (before publication a reporter sees the
pledge and its own unit's score sheet, nothing of the others'), generating (refused without the
year's details, with a message; a published year's documents archived and kept), the details
form, downloads, and a fixed number of queries whatever the documents."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.documents.services import documents_generate
from scoring.models import ConferenceDetails, GeneratedDocument

pytestmark = pytest.mark.django_db


def page(client, world):
    return client.get(reverse("year-documents", args=[world.year.pk]))


def download(client, world, document, fmt="pdf"):
    return client.get(reverse("document-download", args=[world.year.pk, document.pk, fmt]))


@pytest.fixture
def generated(documents_world):
    w = documents_world
    made = {
        kind: documents_generate(emulation_year=w.year, kind=kind, actor=w.secretariat)
        for kind in ("pledge", "results", "score_sheet")
    }
    return w, made


def test_a_reporter_gets_no_results_document_before_publication(client, generated):
    w, made = generated
    client.force_login(w.reporter_a1)
    body = page(client, w).content.decode()
    sheets = {d.unit.code: d for d in made["score_sheet"]}
    assert f'id="document-{made["pledge"][0].pk}"' in body
    assert f'id="document-{sheets["a1"].pk}"' in body  # its own unit's score sheet
    assert f'id="document-{made["results"][0].pk}"' not in body
    assert f'id="document-{sheets["a2"].pk}"' not in body
    assert "Liên minh HTX A2" not in body
    assert download(client, w, made["pledge"][0]).status_code == 200
    assert download(client, w, sheets["a1"], "docx").status_code == 200
    assert download(client, w, made["results"][0]).status_code == 404
    assert download(client, w, sheets["a2"]).status_code == 404
    # Once the results are published, every member's reporter gets them.
    EmulationYear.objects.filter(pk=w.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    assert download(client, w, made["results"][0]).status_code == 200
    assert download(client, w, sheets["a2"]).status_code == 200


def test_downloads_serve_the_stored_bytes_with_their_names(client, generated):
    w, made = generated
    client.force_login(w.leadership)
    results = made["results"][0]
    response = download(client, w, results, "docx")
    assert response.content == bytes(results.docx)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-ket-qua-2025-cum-a.docx"' in response["Content-Disposition"]
    response = download(client, w, results)
    assert response.content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    assert (
        client.get(reverse("document-download", args=[w.year.pk, results.pk, "exe"])).status_code
        == 404
    )
    # Another year's document through this year's address: 404.
    client.force_login(w.other_secretariat)
    assert download(client, w, results).status_code == 404


def test_generating_without_the_years_details_says_what_to_enter(client, conf):
    client.force_login(conf.secretariat)
    response = client.post(reverse("document-generate", args=[conf.year.pk]), {"kind": "results"})
    assert response.status_code == 400
    assert "Chưa có thông tin văn bản của năm" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_the_minutes_need_the_conferences_details_never_dots(client, documents_world):
    w = documents_world
    ConferenceDetails.objects.filter(emulation_year=w.year).update(venue="", chair_name="")
    client.force_login(w.secretariat)
    response = client.post(reverse("document-generate", args=[w.year.pk]), {"kind": "minutes"})
    assert response.status_code == 400
    assert "Biên bản cần thông tin hội nghị: địa điểm, người chủ trì." in response.content.decode()


def test_generating_on_the_page_stores_the_document_and_its_author(client, documents_world):
    w = documents_world
    client.force_login(w.secretariat)
    response = client.post(
        reverse("document-generate", args=[w.year.pk]),
        {"kind": "score_sheet", "unit": w.units["a2"].pk, "number": "7", "issued_on": "05/02/2026"},
    )
    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert (document.kind, document.unit, document.number) == (
        "score_sheet",
        w.units["a2"],
        "7/BC-CTĐA",
    )
    assert str(document.issued_on) == "2026-02-05" and document.generated_by == w.secretariat
    assert document.template is None and not document.archived
    assert document.run.is_current
    assert AuditEntry.objects.filter(action="documents.generate", emulation_year=w.year).exists()
    body = page(client, w).content.decode()
    assert "7/BC-CTĐA" in body and "mẫu chuẩn" in body and "secretariat" in body


def test_a_new_draft_replaces_the_last_one_but_a_published_years_documents_are_kept(
    documents_world,
):
    w = documents_world
    first = documents_generate(emulation_year=w.year, kind="results")[0]
    second = documents_generate(emulation_year=w.year, kind="results")[0]
    assert list(GeneratedDocument.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk
    EmulationYear.objects.filter(pk=w.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    filed = documents_generate(emulation_year=w.year, kind="results")[0]
    again = documents_generate(emulation_year=w.year, kind="results")[0]
    assert filed.archived and again.archived
    kept = set(GeneratedDocument.objects.filter(archived=True).values_list("pk", flat=True))
    assert kept == {filed.pk, again.pk}
    # Filed bytes stay as filed, whatever changes later (here: the signer).
    ConferenceDetails.objects.filter(emulation_year=w.year).update(signer_name="Người khác")
    filed.refresh_from_db()
    assert hashlib.sha256(bytes(filed.pdf)).hexdigest() == filed.pdf_sha256
    assert hashlib.sha256(bytes(filed.docx)).hexdigest() == filed.docx_sha256


def test_the_details_form_saves_times_of_the_conference_day(client, conf):
    client.force_login(conf.secretariat)
    url = reverse("document-details", args=[conf.year.pk])
    form = client.get(url).content.decode()
    assert 'value="CA"' in form  # the cluster's initials suggested as its abbreviation
    response = client.post(
        url,
        {
            "place": "Cần Thơ",
            "agency_symbol": "CTĐA",
            "signer_name": "Nguyễn Văn An",
            "signer_title": "Chủ tịch",
            "venue": "Hội trường",
            "held_on": "27/01/2026",
            "starts_at": "8h00",
            "ends_at": "11:30",
            "chair_name": "Nguyễn Văn An",
        },
    )
    assert response.status_code == 302
    details = ConferenceDetails.objects.get(emulation_year=conf.year)
    from django.utils import timezone

    assert timezone.localtime(details.started_at).strftime("%d/%m/%Y %H:%M") == "27/01/2026 08:00"
    assert timezone.localtime(details.ended_at).strftime("%H:%M") == "11:30"
    assert AuditEntry.objects.filter(action="documents.details").count() == 1
    # An end before the start is refused next to its field; nothing changes.
    response = client.post(
        url,
        {
            "place": "Cần Thơ",
            "agency_symbol": "CTĐA",
            "signer_name": "X",
            "signer_title": "Y",
            "held_on": "27/01/2026",
            "starts_at": "10:00",
            "ends_at": "09:00",
        },
    )
    assert response.status_code == 400
    assert "Giờ kết thúc phải sau giờ bắt đầu." in response.content.decode()
    assert ConferenceDetails.objects.get(emulation_year=conf.year).signer_name == "Nguyễn Văn An"


def test_the_documents_page_costs_the_same_queries_whatever_the_documents(client, generated):
    w, _made = generated
    client.force_login(w.secretariat)
    page(client, w)
    with CaptureQueriesContext(connection) as few:
        assert page(client, w).status_code == 200
    documents_generate(emulation_year=w.year, kind="minutes")
    documents_generate(emulation_year=w.year, kind="proposal")
    with CaptureQueriesContext(connection) as more:
        assert page(client, w).status_code == 200
    assert len(more) == len(few), [q["sql"][:120] for q in more.captured_queries]


@pytest.mark.parametrize("kind", ["minutes", "pack"])
def test_a_number_typed_for_the_minutes_or_the_pack_is_refused_not_dropped(
    client, documents_world, kind
):
    """The minutes carry the number entered with the conference's details, and a pack is many
    documents: a number typed in the generate form for them would be silently lost."""
    w = documents_world
    client.force_login(w.secretariat)
    response = client.post(
        reverse("document-generate", args=[w.year.pk]), {"kind": kind, "number": "12"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "thông tin hội nghị" in body and 'value="12"' in body
    assert not GeneratedDocument.objects.exists()
