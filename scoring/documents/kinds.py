"""What each kind of document is: its abbreviation in the number (NĐ 30/2020, Phụ lục III, I),
whether it shows results, whether it is one member's, and the names of its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.models import DocumentKind, GeneratedDocument

DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "docx"


@dataclass(frozen=True)
class KindInfo:
    kind: str
    # "BB", "BC", "TTr": Phụ lục III's abbreviations. The decree lists no "giao ước" nor "phiếu
    # chấm điểm": the pledge takes "GƯTĐ", as clusters write it, and a score sheet is an annex
    # of the results report, numbered with it (docs/documents.md).
    abbreviation: str
    shows_results: bool
    per_member: bool
    slug: str  # file names: bien-ban-2025-tay-nam-song-hau.pdf
    html: str  # the PDF's template under templates/documents/

    @property
    def default_template(self) -> Path:
        return DEFAULT_TEMPLATES / f"{self.kind}.docx"


KINDS: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo(DocumentKind.PLEDGE, "GƯTĐ", False, False, "giao-uoc", "documents/pledge.html"),
        KindInfo(
            DocumentKind.RESULTS, "BC", True, False, "bao-cao-ket-qua", "documents/results.html"
        ),
        KindInfo(
            DocumentKind.SCORE_SHEET,
            "BC",
            True,
            True,
            "phieu-cham-diem",
            "documents/score_sheet.html",
        ),
        KindInfo(DocumentKind.MINUTES, "BB", True, False, "bien-ban", "documents/minutes.html"),
        KindInfo(DocumentKind.PROPOSAL, "TTr", True, False, "to-trinh", "documents/proposal.html"),
    )
}


def document_file_name(document: GeneratedDocument, fmt: str) -> str:
    """A generated document's file name: bien-ban-2025-tay-nam-song-hau.pdf (with the member's
    code for a score sheet)."""
    year = document.emulation_year
    stem = f"{KINDS[document.kind].slug}-{year.year}-{year.cluster.code}"
    if document.unit is not None:
        stem += f"-{document.unit.code}"
    return f"{stem}.{fmt}"
