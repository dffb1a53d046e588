"""The package for the national e-dossier system: a ZIP per dossier and per batch with the files,
manifest.json and manifest.xml (the record and document fields of NĐ 30/2020, Phụ lục VI)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse

from scoring.dossiers.services.documents import dossier_document_add
from scoring.engine.awards import package
from scoring.models import DossierDocument
from tests.dossiers.factories import (
    file_everything,
    new_dossier,
    pdf_upload,
    published_with_proposal,
)

pytestmark = pytest.mark.django_db


def unzip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def package_of(client, dossier) -> tuple[zipfile.ZipFile, str]:
    """The dossier's package as the awarding body downloads it, and the dossier's folder in it."""
    response = client.get(reverse("dossier-package", args=[dossier.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return unzip(response), f"{dossier.pk:05d}-{dossier.unit.code}-{dossier.award_code}"


def listing(folder: str, *files: str) -> list[str]:
    """What a one-dossier package holds: the index, the folder's manifests and `files`."""
    names = ["manifest.json", "manifest.xml", *files]
    return sorted(["index.json", *(f"{folder}/{name}" for name in names)])


def test_a_dossiers_package_holds_its_files_and_both_manifests(client, world):
    dossier = file_everything(new_dossier(world, proposal=published_with_proposal(world)), world)
    # The signed letter uploaded over the generated one (a scan with the head's signature).
    dossier_document_add(
        dossier=dossier, item_code="to-trinh", upload=pdf_upload(), number="12/TTr-CTĐ",
        actor=world.secretariat,
    )  # fmt: skip
    client.force_login(world.awarding)
    archive, folder = package_of(client, dossier)
    assert folder == f"{dossier.pk:05d}-a1-co-thi-dua-lmhtxvn"
    assert sorted(archive.namelist()) == listing(
        folder,
        "01-to-trinh.pdf",
        "02-bao-cao-thanh-tich.docx",
        "03-bien-ban.docx",
        "03-bien-ban.pdf",
    )
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    assert manifest["format"] == "award-dossier/2"
    assert manifest["dossier"]["file_code"]["file_notation"] == f"{dossier.pk:05d}/HSKT"
    assert manifest["dossier"]["doc_total"] == 3
    documents = manifest["documents"]
    assert [(d["ordinal"], d["item"], d["generated"]) for d in documents] == [
        (1, "to-trinh", False),
        (2, "bao-cao-thanh-tich", False),
        (3, "bien-ban", True),
    ]
    stored = DossierDocument.objects.get(dossier=dossier, item_code="to-trinh")
    assert documents[0]["files"] == [
        {
            "name": "01-to-trinh.pdf",
            "content_type": "application/pdf",
            "size": stored.size,
            "sha256": stored.sha256,
        }
    ]
    assert hashlib.sha256(archive.read(f"{folder}/01-to-trinh.pdf")).hexdigest() == stored.sha256
    # The generated minutes: the documents room's record and its two files.
    minutes = DossierDocument.objects.get(dossier=dossier, item_code="bien-ban")
    assert documents[2]["generated_document_id"] == minutes.generated_document_id
    assert [f["name"] for f in documents[2]["files"]] == ["03-bien-ban.docx", "03-bien-ban.pdf"]
    record = ET.fromstring(archive.read(f"{folder}/manifest.xml"))  # noqa: S314 — our own output
    assert record.get("format") == "award-dossier/2"
    assert record.findtext("Title") == (
        "Hồ sơ đề nghị Cờ thi đua của Liên minh Hợp tác xã Việt Nam cho Liên minh HTX A1 "
        "(thành tích năm 2025)"
    )
    assert record.findtext("PageTotal") == ""  # the report is a DOCX: its pages are unknown
    assert [child.tag for child in record.find("FileCode")] == [
        "OrganId",
        "FileCatalog",
        "FileNotation",
    ]
    assert record.findtext("FileCode/FileCatalog") == str(dossier.created_at.year)
    assert record.findtext("DocTotal") == "3"
    first = record.find("Documents/Document")
    assert (first.findtext("DocOrdinal"), first.findtext("CodeNumber")) == ("1", "12")
    assert first.findtext("CodeNotation") == "TTr-CTĐ"
    assert first.findtext("PageAmount") == "1"
    assert first.findtext("TypeName") == "Tờ trình đề nghị khen thưởng"
    assert first.findtext("File/FileName") == "01-to-trinh.pdf"
    last = record.findall("Documents/Document")[2]
    assert (last.findtext("CodeNumber"), last.findtext("CodeNotation")) == ("05", "BB-CTĐA")
    assert last.findtext("IssuedDate") == "27/01/2026"
    assert int(last.findtext("PageAmount")) == minutes.pages > 0


def test_a_batch_packs_the_queues_filtered_dossiers_within_the_users_scope(client, world):
    proposal = published_with_proposal(world)
    first = file_everything(new_dossier(world, proposal=proposal), world)
    second = new_dossier(world, unit=world.unit_a2, award="bang-khen-tinh-tap-the")
    client.force_login(world.awarding)
    archive = unzip(client.get(reverse("dossier-batch")))
    index = json.loads(archive.read("index.json"))
    assert sorted(d["id"] for d in index["dossiers"]) == [first.pk, second.pk]
    archive = unzip(client.get(reverse("dossier-batch"), {"award": "bang-khen-tinh-tap-the"}))
    assert [d["id"] for d in json.loads(archive.read("index.json"))["dossiers"]] == [second.pk]
    client.force_login(world.reporter_a2)  # sees A2's dossier only
    archive = unzip(client.get(reverse("dossier-batch")))
    assert [d["id"] for d in json.loads(archive.read("index.json"))["dossiers"]] == [second.pk]


def test_the_manifest_writes_phu_luc_vi_fields_in_order_with_dates_as_dd_mm_yyyy():
    record = package.PackedDossier(
        id=7, organ_id="000.00.00.H01", file_catalog=2026, file_notation="00007/HSKT",
        title="Hồ sơ", maintenance="Vĩnh viễn", rights="Công khai", creator="thuky",
        language="Tiếng Việt", start=dt.date(2026, 1, 27), end=dt.date(2026, 3, 2),
        description="", award_code="a", award_name="A", rule_set="nd-152-2025",
        achievement_year=2025, unit_code="u", unit_name="U", cluster="C", body="B",
        state="submitted", received_on=dt.date(2026, 3, 2), decision="",
        documents=(
            package.PackedDocument(
                ordinal=1, item_code="to-trinh", type_name="Tờ trình", subject="S",
                organ_name="C", language="Tiếng Việt", generated=False,
                files=(package.PackedFile("01-to-trinh.pdf", "application/pdf", 900, "ab"),),
                pages=2, number="12/TTr-LMHTX", issued_on=dt.date(2026, 2, 1),
            ),
            package.PackedDocument(
                ordinal=2, item_code="bien-ban", type_name="Biên bản", subject="S",
                organ_name="C", language="Tiếng Việt", generated=True, pages=3,
                files=(
                    package.PackedFile("02-bien-ban.docx", "application/x-docx", 700, "cd"),
                    package.PackedFile("02-bien-ban.pdf", "application/pdf", 800, "ef"),
                ),
                description="Tạo từ dữ liệu", generated_document_id=9,
            ),
        ),
    )  # fmt: skip
    root = ET.fromstring(package.manifest_xml(record))  # noqa: S314 — our own output
    assert [child.tag for child in root] == [
        "FileCode", "Title", "Maintenance", "Rights", "Creator", "Language", "StartDate",
        "EndDate", "DocTotal", "PageTotal", "Description", "Documents",
    ]  # fmt: skip
    assert (root.findtext("StartDate"), root.findtext("EndDate")) == ("27/01/2026", "02/03/2026")
    # Every document's pages are known (the generated one's PDF): the record's total.
    assert root.findtext("PageTotal") == "5"
    document = root.find("Documents/Document")
    assert [child.tag for child in document] == [
        "FileCode", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation", "IssuedDate",
        "OrganName", "Subject", "Language", "PageAmount", "Description", "File",
    ]  # fmt: skip
    assert document.findtext("IssuedDate") == "01/02/2026"
    # Each file after the appendix's fields: a generated document's Word and PDF files.
    generated = root.findall("Documents/Document")[1]
    assert generated.findtext("Description") == "Tạo từ dữ liệu"
    assert [[child.text for child in f] for f in generated.findall("File")] == [
        ["02-bien-ban.docx", "application/x-docx", "700", "cd"],
        ["02-bien-ban.pdf", "application/pdf", "800", "ef"],
    ]
    as_json = package.manifest_dict(record)["documents"][1]
    assert (as_json["generated_document_id"], as_json["pages"]) == (9, 3)
    assert as_json["files"][1] == {
        "name": "02-bien-ban.pdf", "content_type": "application/pdf", "size": 800, "sha256": "ef",
    }  # fmt: skip
    assert package.split_number("12/TTr-LMHTX") == ("12", "TTr-LMHTX")
    assert package.split_number("không số") == ("không số", "")
    unknown = package.manifest_dict(
        record.__class__(
            **{
                **record.__dict__,
                "documents": (
                    package.PackedDocument(
                        ordinal=1,
                        item_code="x",
                        type_name="T",
                        subject="S",
                        organ_name="C",
                        language="vi",
                        generated=False,
                        files=(package.PackedFile("01-x.docx", "application/x-docx", 1, "a"),),
                        pages=None,
                    ),
                ),
            }
        )  # fmt: skip
    )
    assert unknown["dossier"]["page_total"] is None  # a DOCX's pages are not known
