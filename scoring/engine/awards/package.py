"""The manifest of a dossier's package for the national e-dossier system: JSON, and XML whose
elements are the input fields NĐ 30/2020/NĐ-CP, Phụ lục VI, Phần II lists for a record ("hồ sơ",
III) and for the documents in it (the fields of "văn bản đi", I). The appendix names the fields,
their types and lengths, not an XML schema: the element names are its English abbreviations, in
its order; docs/awards.md says what could be confirmed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET  # writing only, never parsing

# /2: a document carries its files (a generated one both its Word and its PDF file), each with
# its size and SHA-256; /1 had one file a document and a link to a print page for generated ones.
MANIFEST_FORMAT = "award-dossier/2"


@dataclass(frozen=True)
class PackedFile:
    name: str  # in the dossier's folder: 03-bien-ban.pdf
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PackedDocument:
    ordinal: int  # DocOrdinal: its place in the record
    item_code: str  # the checklist's code
    type_name: str  # TypeName: the checklist item's name (tờ trình, báo cáo, biên bản…)
    subject: str  # Subject (trích yếu)
    organ_name: str  # OrganName: who issued it
    language: str
    generated: bool  # made from the app's data rather than uploaded
    # Its files in the package: the upload, or a generated document's Word and PDF files (the
    # national system takes both). Empty for a generated item filed before the documents room
    # made files (a print page then).
    files: tuple[PackedFile, ...] = ()
    pages: int | None = None  # PageAmount (PDF files)
    number: str = ""  # "12/TTr-CTĐ": CodeNumber / CodeNotation
    issued_on: dt.date | None = None  # IssuedDate
    description: str = ""  # Description (ghi chú)
    generated_document_id: int | None = None  # the documents room's record


@dataclass(frozen=True)
class PackedDossier:
    id: int
    organ_id: str  # OrganId: the body's identifier in the national system (13 characters)
    file_catalog: int  # FileCatalog: the year the record was formed
    file_notation: str  # FileNotation: the record's number and sign (20 characters)
    title: str  # Title
    maintenance: str  # Maintenance: how long it is kept (the archive's table says)
    rights: str  # Rights: who may use it
    creator: str  # Creator: who made the record
    language: str
    start: dt.date | None  # StartDate: the first document's date
    end: dt.date | None  # EndDate: the last one's
    description: str
    award_code: str
    award_name: str
    rule_set: str
    achievement_year: int
    unit_code: str
    unit_name: str
    cluster: str
    body: str
    state: str
    received_on: dt.date | None
    decision: str
    documents: tuple[PackedDocument, ...]


def split_number(number: str) -> tuple[str, str]:
    """ "12/TTr-CTĐ" → ("12", "TTr-CTĐ"): a document's number and its sign (CodeNumber,
    CodeNotation)."""
    head, _, tail = number.strip().partition("/")
    return head.strip(), tail.strip()


def _date(value: dt.date | None) -> str:
    # Phụ lục VI gives dates 10 characters; the Vietnamese form dd/mm/yyyy.
    return value.strftime("%d/%m/%Y") if value else ""


def _page_total(dossier: PackedDossier) -> int | None:
    """Every document's pages (a generated one's: its PDF's), only when all are known."""
    pages = [d.pages for d in dossier.documents]
    return sum(p for p in pages if p is not None) if pages and None not in pages else None


def _file(f: PackedFile) -> dict[str, Any]:
    return {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}


def manifest_dict(dossier: PackedDossier) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "dossier": {
            "id": dossier.id,
            "file_code": {
                "organ_id": dossier.organ_id,
                "file_catalog": dossier.file_catalog,
                "file_notation": dossier.file_notation,
            },
            "title": dossier.title,
            "award": {"code": dossier.award_code, "name": dossier.award_name},
            "rule_set": dossier.rule_set,
            "achievement_year": dossier.achievement_year,
            "unit": {"code": dossier.unit_code, "name": dossier.unit_name},
            "cluster": dossier.cluster,
            "body": dossier.body,
            "state": dossier.state,
            "received_on": dossier.received_on.isoformat() if dossier.received_on else None,
            "decision": dossier.decision,
            "maintenance": dossier.maintenance,
            "rights": dossier.rights,
            "creator": dossier.creator,
            "language": dossier.language,
            "start": dossier.start.isoformat() if dossier.start else None,
            "end": dossier.end.isoformat() if dossier.end else None,
            "doc_total": len(dossier.documents),
            "page_total": _page_total(dossier),
            "description": dossier.description,
        },
        "documents": [
            {
                "ordinal": d.ordinal,
                "item": d.item_code,
                "type_name": d.type_name,
                "subject": d.subject,
                "organ_name": d.organ_name,
                "number": d.number,
                "issued_on": d.issued_on.isoformat() if d.issued_on else None,
                "language": d.language,
                "generated": d.generated,
                "generated_document_id": d.generated_document_id,
                "pages": d.pages,
                "description": d.description,
                "files": [_file(f) for f in d.files],
            }
            for d in dossier.documents
        ],
    }


def manifest_json(dossier: PackedDossier) -> bytes:
    return json.dumps(manifest_dict(dossier), ensure_ascii=False, indent=2).encode("utf-8")


def _add(parent: ET.Element, tag: str, value: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = "" if value is None else str(value)
    return element


def manifest_xml(dossier: PackedDossier) -> bytes:
    """The record (Phụ lục VI, Phần II, III: FileCode … Description, in its order) and each
    document in it (Phần II, I: the fields of a document sent, those the app knows), followed by
    the app's own: a `File` for each of its files (name, type, size, SHA-256)."""
    root = ET.Element("File", {"format": MANIFEST_FORMAT})
    code = ET.SubElement(root, "FileCode")
    _add(code, "OrganId", dossier.organ_id)
    _add(code, "FileCatalog", dossier.file_catalog)
    _add(code, "FileNotation", dossier.file_notation)
    _add(root, "Title", dossier.title)
    _add(root, "Maintenance", dossier.maintenance)
    _add(root, "Rights", dossier.rights)
    _add(root, "Creator", dossier.creator)
    _add(root, "Language", dossier.language)
    _add(root, "StartDate", _date(dossier.start))
    _add(root, "EndDate", _date(dossier.end))
    _add(root, "DocTotal", len(dossier.documents))
    _add(root, "PageTotal", _page_total(dossier))
    _add(root, "Description", dossier.description)
    documents = ET.SubElement(root, "Documents")
    for d in dossier.documents:
        doc = ET.SubElement(documents, "Document", {"item": d.item_code})
        code = ET.SubElement(doc, "FileCode")
        _add(code, "OrganId", dossier.organ_id)
        _add(code, "FileCatalog", dossier.file_catalog)
        _add(code, "FileNotation", dossier.file_notation)
        number, notation = split_number(d.number)
        _add(doc, "DocOrdinal", d.ordinal)
        _add(doc, "TypeName", d.type_name)
        _add(doc, "CodeNumber", number)
        _add(doc, "CodeNotation", notation)
        _add(doc, "IssuedDate", _date(d.issued_on))
        _add(doc, "OrganName", d.organ_name)
        _add(doc, "Subject", d.subject)
        _add(doc, "Language", d.language)
        _add(doc, "PageAmount", d.pages)
        _add(doc, "Description", d.description)
        for f in d.files:
            packed = ET.SubElement(doc, "File")
            _add(packed, "FileName", f.name)
            _add(packed, "ContentType", f.content_type)
            _add(packed, "Size", f.size)
            _add(packed, "Sha256", f.sha256)
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"
