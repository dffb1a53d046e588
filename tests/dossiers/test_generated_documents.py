"""A dossier's generated documents are the documents room's Word and PDF files: the minutes (with
the vote results) and, for the flags of the cluster's leader, the cluster's letter (tờ trình). The
year's newest archived copy is used when there is one, else one is generated — archived, the year
being published; the dossier's row points at it and copies its number, date, PDF digest, size and
pages. Whoever sees the dossier downloads both files through the dossier's own address (404
outside it), and the package for the national system carries both."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from pypdf import PdfReader

from clusters.models import AuditEntry, EmulationYear
from scoring.documents.kinds import KINDS
from scoring.documents.selectors import DocumentRefused
from scoring.documents.services import documents_generate
from scoring.dossiers.services.common import DossierStepRefused
from scoring.dossiers.services.documents import dossier_document_generated
from scoring.dossiers.services.dossiers import dossier_submit
from scoring.errors import ScoringError
from scoring.models import DocumentTemplate, Dossier, DossierDocument, GeneratedDocument
from tests.documents.test_templates import edited
from tests.dossiers.factories import file_everything, new_dossier, published_with_proposal
from tests.dossiers.test_package import listing, package_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
KINDS_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def generate(world, dossier, item="bien-ban"):
    return dossier_document_generated(
        dossier=dossier, item_code=item, actor=world.secretariat, today=TODAY
    )


@pytest.fixture
def proposed(world):
    """A1's dossier for the VCA's flag, from the conference's proposal (2 votes of 2)."""
    world.proposal = published_with_proposal(world)
    world.dossier = new_dossier(world, proposal=world.proposal, today=TODAY)
    return world


def test_the_minutes_item_points_at_the_documents_rooms_minutes_with_the_vote_results(proposed):
    w = proposed
    filed = generate(w, w.dossier)
    document = filed.generated_document
    assert (document.kind, document.emulation_year_id, document.archived) == (
        "minutes",
        w.year.pk,
        True,
    )
    pdf = bytes(document.pdf)
    text = text_of(pdf)
    # The award ballot's table: A1 first in the vote with both votes (100 %), proposed.
    assert "Cờ thi đua LMHTX" in text
    assert "Cờ thi đua LMHTX: 2/2 đơn vị bỏ phiếu" in text
    assert "1 Liên minh HTX A1 2 100\u00a0% Đề nghị" in text
    assert "05/BB-CTĐA" in text
    # The dossier's row says what the document says, as an upload's would.
    assert filed.generated and not filed.file
    assert (filed.number, filed.issued_on) == (document.number, document.issued_on)
    assert filed.number.endswith("05/BB-CTĐA") and filed.issued_on == dt.date(2026, 1, 27)
    assert filed.sha256 == document.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert (filed.size, filed.content_type) == (len(pdf), "application/pdf")
    assert filed.pages == len(PdfReader(io.BytesIO(pdf)).pages) > 0
    entry = AuditEntry.objects.get(action="dossier.document_generated")
    assert entry.after == {
        "item": "bien-ban",
        "generated": True,
        "document": document.pk,
        "kind": "minutes",
        "pdf_sha256": document.pdf_sha256,
        "reused": False,
    }


def test_the_years_archived_copy_is_reused_not_generated_again(proposed):
    w = proposed
    # The secretariat generated the minutes twice on the documents page after publication:
    # both archived; the newest is the one filed.
    older = documents_generate(emulation_year=w.year, kind="minutes")[0]
    newer = documents_generate(emulation_year=w.year, kind="minutes")[0]
    assert older.archived and newer.archived
    filed = generate(w, w.dossier)
    assert filed.generated_document_id == newer.pk
    assert GeneratedDocument.objects.count() == 2
    assert AuditEntry.objects.get(action="dossier.document_generated").after["reused"] is True
    # Another dossier of the year files the same copy; generated again, the item is replaced
    # and the copy kept.
    other = new_dossier(w, unit=w.unit_a2, award="tap-the-lao-dong-xuat-sac", today=TODAY)
    assert generate(w, other).generated_document_id == newer.pk
    again = generate(w, w.dossier)
    assert again.generated_document_id == newer.pk
    assert DossierDocument.objects.filter(dossier=w.dossier).count() == 1
    assert GeneratedDocument.objects.count() == 2


def test_without_an_archived_copy_one_is_generated_and_then_reused(proposed):
    w = proposed
    first = generate(w, w.dossier)
    other = new_dossier(w, unit=w.unit_a2, award="tap-the-lao-dong-xuat-sac", today=TODAY)
    assert generate(w, other).generated_document_id == first.generated_document_id
    assert GeneratedDocument.objects.filter(kind="minutes").count() == 1


def test_the_letter_of_the_leaders_flag_is_the_years_proposal_naming_the_unit(proposed):
    w = proposed
    filed = generate(w, w.dossier, item="to-trinh")
    document = filed.generated_document
    assert (document.kind, document.archived, document.issued_on) == ("proposal", True, TODAY)
    text = text_of(bytes(document.pdf))
    assert "TỜ TRÌNH" in text and "Liên minh HTX A1" in text and "2/2" in text
    assert filed.number == document.number and filed.number.endswith("/TTr-CTĐA")


def test_the_letter_is_refused_for_a_dossier_the_conference_did_not_propose(proposed):
    """The year's letter lists the conference's proposals: a dossier made for a unit by hand
    would file a letter that does not name it — refused, the letter is to be uploaded."""
    w = proposed
    by_hand = new_dossier(w, unit=w.unit_a2, today=TODAY)
    with pytest.raises(ScoringError, match="tải tờ trình lên") as refused:
        generate(w, by_hand, item="to-trinh")
    assert refused.value.field == "item_code"
    assert not GeneratedDocument.objects.exists()
    assert not DossierDocument.objects.exists()


def test_before_publication_nothing_is_generated_for_a_dossier(world):
    """A draft of the minutes may still change (and the documents room replaces drafts): a
    dossier files only the published year's archived copy."""
    published_with_proposal(world)
    EmulationYear.objects.filter(pk=world.year.pk).update(status=EmulationYear.Status.SCORED)
    world.year.refresh_from_db()
    dossier = new_dossier(world, unit=world.unit_a1, today=TODAY)
    with pytest.raises(DossierStepRefused, match="chưa công bố") as refused:
        generate(world, dossier)
    assert refused.value.code == "year_not_published"
    assert not GeneratedDocument.objects.exists()
    assert not DossierDocument.objects.exists()


def test_a_template_failing_on_the_years_data_is_the_documents_rooms_refusal_nothing_stored(
    proposed,
):
    """An uploaded minutes template that renders the demo's data but not this year's (it reads
    an election the year has not held): the documents room's refusal, naming the template."""
    w = proposed
    broken = edited(
        KINDS["minutes"].default_template.read_bytes(),
        "Đề nghị khen thưởng: {{ proposals_text }}.",
        "{{ election_ballots[0].title }}",
    )
    DocumentTemplate.objects.create(
        kind="minutes", cluster=w.cluster, version=1, file_name="bien-ban-rieng.docx",
        content=broken, sha256="x",
    )  # fmt: skip
    with pytest.raises(DocumentRefused, match="bien-ban-rieng.docx") as refused:
        generate(w, w.dossier)
    assert refused.value.code == "template_failed"
    assert not GeneratedDocument.objects.exists()
    assert not DossierDocument.objects.exists()
    assert not AuditEntry.objects.filter(action="dossier.document_generated").exists()


def test_a_closed_dossier_takes_no_generated_document_and_generates_none(proposed):
    w = proposed
    Dossier.objects.filter(pk=w.dossier.pk).update(state="submitted", received_on=TODAY)
    with pytest.raises(DossierStepRefused, match="Chỉ thay đổi tài liệu"):
        generate(w, w.dossier)
    assert not GeneratedDocument.objects.exists()


def test_a_print_page_filed_before_the_documents_room_counts_as_missing(proposed):
    """A generated item of the earlier print page (no document, no file) cannot be sent: the
    secretariat generates it again."""
    w = proposed
    file_everything(w.dossier, w, today=TODAY)
    w.dossier.documents.filter(item_code="bien-ban").delete()
    DossierDocument.objects.create(dossier=w.dossier, item_code="bien-ban", generated=True)
    with pytest.raises(DossierStepRefused, match="Hồ sơ còn thiếu: Biên bản họp bình xét"):
        dossier_submit(dossier=w.dossier, actor=w.secretariat, today=TODAY)
    generate(w, w.dossier)
    assert dossier_submit(dossier=w.dossier, actor=w.secretariat, today=TODAY).state == "submitted"


def test_a_filed_document_cannot_be_deleted_from_under_the_dossier(proposed):
    w = proposed
    filed = generate(w, w.dossier)
    with pytest.raises(ProtectedError):
        GeneratedDocument.objects.filter(pk=filed.generated_document_id).delete()


# --- downloads -----------------------------------------------------------------------------------


def file_url(dossier, document, fmt):
    return reverse("dossier-generated-file", args=[dossier.pk, document.pk, fmt])


def test_the_awarding_body_downloads_both_files_another_clusters_user_gets_404(client, proposed):
    w = proposed
    filed = generate(w, w.dossier)
    document = filed.generated_document
    client.force_login(w.awarding)
    page = client.get(reverse("dossier-detail", args=[w.dossier.pk])).content.decode()
    assert file_url(w.dossier, filed, "pdf") in page and file_url(w.dossier, filed, "docx") in page
    pdf = client.get(file_url(w.dossier, filed, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(document.pdf)
    assert pdf["Content-Disposition"] == 'attachment; filename="bien-ban-2025-cum-a.pdf"'
    word = client.get(file_url(w.dossier, filed, "docx"))
    assert word.status_code == 200 and word.content == bytes(document.docx)
    assert word["Content-Type"] == KINDS_DOCX
    assert client.get(file_url(w.dossier, filed, "odt")).status_code == 404
    # The awarding body's user has no access to the cluster's own documents page.
    year_document = reverse("document-download", args=[w.year.pk, document.pk, "pdf"])
    assert client.get(year_document).status_code == 404
    for persona in ("other_secretariat", "outsider", "reporter_a2"):
        client.force_login(getattr(w, persona))
        assert client.get(file_url(w.dossier, filed, "pdf")).status_code == 404
        assert client.post(file_url(w.dossier, filed, "pdf")).status_code == 404
    client.force_login(w.reporter_a1)  # the unit's reporter sees its dossier, the year published
    assert client.get(file_url(w.dossier, filed, "pdf")).status_code == 200


def test_a_generated_file_under_another_dossiers_address_is_404(client, proposed):
    w = proposed
    filed = generate(w, w.dossier)
    other = new_dossier(w, unit=w.unit_a2, award="tap-the-lao-dong-xuat-sac", today=TODAY)
    client.force_login(w.awarding)
    assert client.get(file_url(other, filed, "pdf")).status_code == 404
    uploaded = file_everything(other, w, today=TODAY).documents.get(item_code="to-trinh")
    assert client.get(file_url(other, uploaded, "pdf")).status_code == 404


# --- the package ---------------------------------------------------------------------------------


def test_the_package_holds_the_word_and_pdf_files_with_their_sizes_and_digests(client, proposed):
    w = proposed
    file_everything(w.dossier, w, today=TODAY)
    minutes = w.dossier.documents.get(item_code="bien-ban").generated_document
    letter = w.dossier.documents.get(item_code="to-trinh").generated_document
    client.force_login(w.awarding)
    archive, folder = package_of(client, w.dossier)
    assert sorted(archive.namelist()) == listing(
        folder,
        "01-to-trinh.docx",
        "01-to-trinh.pdf",
        "02-bao-cao-thanh-tich.docx",
        "03-bien-ban.docx",
        "03-bien-ban.pdf",
    )
    for name, data in {
        "03-bien-ban.docx": bytes(minutes.docx),
        "03-bien-ban.pdf": bytes(minutes.pdf),
        "01-to-trinh.pdf": bytes(letter.pdf),
    }.items():
        assert archive.read(f"{folder}/{name}") == data
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    entry = manifest["documents"][2]
    assert (entry["item"], entry["generated"], entry["generated_document_id"]) == (
        "bien-ban",
        True,
        minutes.pk,
    )
    assert entry["files"] == [
        {
            "name": "03-bien-ban.docx",
            "content_type": KINDS_DOCX,
            "size": len(bytes(minutes.docx)),
            "sha256": minutes.docx_sha256,
        },
        {
            "name": "03-bien-ban.pdf",
            "content_type": "application/pdf",
            "size": len(bytes(minutes.pdf)),
            "sha256": minutes.pdf_sha256,
        },
    ]
    word = archive.read(f"{folder}/03-bien-ban.docx")
    assert hashlib.sha256(word).hexdigest() == minutes.docx_sha256
    assert entry["number"] == minutes.number and entry["pages"] > 0
    from xml.etree import ElementTree as ET

    record = ET.fromstring(archive.read(f"{folder}/manifest.xml"))  # noqa: S314 — our own output
    files = record.findall("Documents/Document[@item='bien-ban']/File")
    assert [(f.findtext("FileName"), f.findtext("Size"), f.findtext("Sha256")) for f in files] == [
        ("03-bien-ban.docx", str(len(bytes(minutes.docx))), minutes.docx_sha256),
        ("03-bien-ban.pdf", str(len(bytes(minutes.pdf))), minutes.pdf_sha256),
    ]


def test_the_packages_size_limit_counts_the_generated_files(client, proposed, settings):
    w = proposed
    file_everything(w.dossier, w, today=TODAY)
    uploaded = sum(d.size for d in w.dossier.documents.filter(generated=False))
    generated = [d.generated_document for d in w.dossier.documents.filter(generated=True)]
    total = uploaded + sum(len(bytes(d.docx)) + len(bytes(d.pdf)) for d in generated)
    client.force_login(w.awarding)
    settings.DOSSIER_PACKAGE_MAX_BYTES = total
    assert client.get(reverse("dossier-package", args=[w.dossier.pk])).status_code == 200
    settings.DOSSIER_PACKAGE_MAX_BYTES = total - 1
    refused = client.get(reverse("dossier-package", args=[w.dossier.pk]), follow=True)
    assert "quá lớn cho một gói" in refused.content.decode()


# --- the migration -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_hooks_column_and_its_meaning(world):
    """0022 turns the hook (`generated_document_id`, an id) into a foreign key on the same
    column: an id that names a generated document is kept, and back again on the way down."""
    before = [("scoring", "0021_award_kind_award_code")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldDocument = old.get_model("scoring", "GeneratedDocument")
    OldDossier = old.get_model("scoring", "Dossier")
    OldDossierDocument = old.get_model("scoring", "DossierDocument")
    generated = OldDocument.objects.create(
        emulation_year_id=world.year.pk, kind="minutes", number="05/BB-A",
        issued_on=dt.date(2026, 1, 27), docx=b"PK", pdf=b"%PDF", archived=True,
    )  # fmt: skip
    dossier = OldDossier.objects.create(
        body_id=world.supervising.pk, emulation_year_id=world.year.pk,
        unit_id=world.unit_a1.pk, award_code="x", award_name="X",
    )  # fmt: skip
    row = OldDossierDocument.objects.create(
        dossier=dossier, item_code="bien-ban", generated=True,
        generated_document_id=generated.pk,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert DossierDocument.objects.get(pk=row.pk).generated_document_id == generated.pk

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    back = old.get_model("scoring", "DossierDocument").objects.get(pk=row.pk)
    assert back.generated_document_id == generated.pk
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
