"""Every kind of document as PDF, made on the server: its text read back with pypdf (with each
piece's position, font and size) and checked against NĐ 30/2020, Phụ lục I — A4, the margins,
page numbers from page 2, Liberation Serif throughout (no fallback font for a Vietnamese letter),
the national title and the motto each on one line, the number and the place-and-date line — the
numbers against the engine's stored results, and no page that holds only a signature block."""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from scoring.documents import layout as L
from scoring.documents.render import pdf_render
from scoring.documents.selectors import document_contexts
from scoring.documents.services import documents_generate
from scoring.models import Standing

pytestmark = pytest.mark.django_db

KINDS = ["pledge", "results", "score_sheet", "minutes", "proposal"]
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM


@dataclass
class Piece:
    x: float
    y: float
    size: float
    font: str
    text: str


def pieces(page) -> list[Piece]:
    found: list[Piece] = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        a, b, _c, _d, e, f = (tm[i] * 1.0 for i in range(6))
        ca, cb, cc, cd, ce, cf = (cm[i] * 1.0 for i in range(6))
        x, y = e * ca + f * cc + ce, e * cb + f * cd + cf
        scale = math.hypot(a * ca + b * cc, a * cb + b * cd)
        name = font.get("/BaseFont", "") if font else ""
        found.append(
            Piece(x, y, round(size * scale, 2), str(name), unicodedata.normalize("NFC", text))
        )

    page.extract_text(visitor_text=visit)
    return found


def lines(page, *, left: float = 0, right: float = PAGE_W) -> list[tuple[float, str]]:
    """The page's text as lines (pieces on one baseline, left to right), top first; only the
    pieces starting between `left` and `right`."""
    rows: dict[int, list[Piece]] = {}
    for p in pieces(page):
        if left <= p.x < right:
            rows.setdefault(round(p.y), []).append(p)
    return [
        (y, "".join(p.text for p in sorted(row, key=lambda p: p.x)).replace("\n", "").strip())
        for y, row in sorted(rows.items(), reverse=True)
    ]


def pdf(world, kind, **options) -> PdfReader:
    document = documents_generate(emulation_year=world.year, kind=kind, number="12", **options)[0]
    return PdfReader(io.BytesIO(bytes(document.pdf)))


@pytest.mark.parametrize("kind", KINDS)
def test_a4_margins_fonts_and_page_numbers(documents_world, kind):
    reader = pdf(documents_world, kind)
    for number, page in enumerate(reader.pages, 1):
        assert abs(float(page.mediabox.width) - PAGE_W) < 0.5
        assert abs(float(page.mediabox.height) - PAGE_H) < 0.5
        found = pieces(page)
        numbers = [p for p in found if p.y > PAGE_H - 20 * MM]  # in the top margin
        text = [p for p in found if p not in numbers]
        # The page number: none on the first page, centred in the top margin from the second.
        if number == 1:
            assert numbers == []
        else:
            assert [p.text.strip() for p in numbers] == [str(number)]
            assert 13 <= numbers[0].size <= 14
            assert abs(numbers[0].x - (30 * MM + (PAGE_W - 45 * MM) / 2)) < 10
        # The text stays within the margins: left 30–35 mm, top and bottom at least 20 mm.
        assert 30 * MM - 0.5 <= min(p.x for p in text) <= 35 * MM
        assert max(p.y for p in text) <= PAGE_H - 20 * MM
        assert min(p.y for p in text) >= 20 * MM
        # Liberation Serif (Times New Roman's metrics) for everything, also Ư, ơ, ệ: a fallback
        # font for a Vietnamese letter shows as a font of another name.
        assert {p.font.split("+")[-1] for p in found} <= {
            "Liberation-Serif",
            "Liberation-Serif-Bold",
            "Liberation-Serif-Italic",
            "Liberation-Serif-Bold-Italic",
        }
    first = lines(reader.pages[0])
    assert 20 * MM <= PAGE_H - first[0][0] <= 27 * MM  # the first line under the top margin


@pytest.mark.parametrize("kind", KINDS)
def test_the_letterhead_on_the_first_page(documents_world, kind):
    page = pdf(documents_world, kind).pages[0]
    middle = 30 * MM + L.LETTERHEAD_LEFT_MM * MM
    right = [text for _y, text in lines(page, left=middle)][:3]
    left = [text for _y, text in lines(page, right=middle)]
    # The national title and the motto: each on one line of its own, whole.
    assert right[0] == L.NATIONAL_TITLE
    assert right[1] == L.MOTTO
    assert right[2].startswith("Cần Thơ, ngày ") and "tháng" in right[2]
    assert left[0] == "CƠ QUAN CHỈ ĐẠO A"
    assert left[1] == "CỤM A"
    assert left[2].startswith("Số: ") and "-CTĐA" in left[2]
    sizes = {p.text.strip(): p for p in pieces(page) if p.x >= middle}
    national = [p for p in pieces(page) if p.x >= middle and "CỘNG" in p.text][0]
    motto = [p for p in pieces(page) if p.x >= middle and "Độc" in p.text][0]
    assert 12 <= national.size <= 13 and national.font.endswith("Bold")
    assert 13 <= motto.size <= 14 and motto.font.endswith("Bold")
    assert sizes  # (read)


def test_the_results_report_shows_the_stored_ranking(documents_world):
    w = documents_world
    reader = pdf(w, "results")
    text = [t.replace(" ", "") for page in reader.pages for _y, t in lines(page)]
    for s in Standing.objects.filter(run__emulation_year=w.year, run__is_current=True):
        parts = [s.total, s.regular, s.bonus, s.deduction]
        cells = "".join(f"{x:.2f}".replace(".", ",") for x in parts) + f"{s.met_count}{s.band}"
        cells = cells.replace(" ", "")
        row = [t for t in text if t.startswith(f"{s.rank}{s.unit.name}".replace(" ", ""))]
        assert len(row) == 1, (s.unit.name, text)
        assert cells in row[0], (cells, row[0])
    assert "BÁOCÁO" in text


def test_the_minutes_vote_table_shows_the_vote_order(documents_world):
    reader = pdf(documents_world, "minutes")
    text = [t for page in reader.pages for _y, t in lines(page)]
    assert "1Liên minh HTX A24\u00a080\u00a0%Trúng cử" in [t.replace(" ", "") for t in text] or any(
        t.startswith("1") and "Liên minh HTX A2" in t and "Trúng cử" in t for t in text
    )
    assert not any(t.startswith("2") and "Liên minh HTX A2" in t and "Trúng cử" in t for t in text)
    assert any("Hội nghị kết thúc vào 11 giờ 30 phút" in t for t in text)


SIGNATURE_LINES = {
    "THƯ KÝ",
    "CHỦ TỌA",
    "Nơi nhận:",
    "- Lưu: VT.",
    "Trần Thị Bình",
    "Nguyễn Văn An",
    "CỤM TRƯỞNG",
}


def halves(page) -> list[str]:
    """The page's lines in its left half, then in its right half: the two signatures of a block
    stand side by side on one baseline."""
    middle = 30 * MM + (PAGE_W - 45 * MM) / 2
    return [t for _y, t in lines(page, right=middle)] + [t for _y, t in lines(page, left=middle)]


def signature_only(page_lines: list[str]) -> bool:
    """Whether a page's text is nothing but a signature block (with its recipients)."""
    rest = [
        t
        for t in page_lines
        if t not in SIGNATURE_LINES
        and not t.startswith(("- ", "TM. ", "CHỦ TỊCH"))
        and not t.isdigit()
    ]
    return not rest


@pytest.mark.parametrize("attendees", range(0, 44, 3))
def test_no_page_holds_only_the_signature_block(documents_world, attendees):
    """The minutes with more and more attendees listed, so that the end of the text crosses a
    page break at every point: the signature block always shares its page with the closing
    paragraph."""
    prepared = document_contexts(emulation_year=documents_world.year, kind="minutes")[0]
    context = {**prepared.context, "attendees": [f"Khách mời số {n}" for n in range(attendees)]}
    reader = PdfReader(io.BytesIO(pdf_render("minutes", context)))
    pages = [halves(page) for page in reader.pages]
    for page in pages:
        assert not signature_only(page), pages
    last = pages[-1]
    assert any(t.startswith("Hội nghị kết thúc vào") for t in last)
    assert "Trần Thị Bình" in last


@pytest.mark.parametrize("kind", ["results", "score_sheet", "proposal"])
def test_the_closing_paragraph_shares_the_signatures_page(documents_world, kind):
    reader = pdf(documents_world, kind)
    pages = [halves(page) for page in reader.pages]
    with_signature = [p for p in pages if "Nguyễn Văn An" in p]
    assert len(with_signature) == 1
    assert any(t.endswith("./.") for t in with_signature[0])
    assert not any(signature_only(p) for p in pages)
