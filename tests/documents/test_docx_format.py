"""Every kind of document as Word: opened with python-docx, checked against NĐ 30/2020, Phụ lục I
(docs/documents.md) — page, margins, page numbers from page 2, the letterhead (the issuing body,
the national title and the motto each on one line, in a column wide enough), number, place and
date, title, body, fonts and sizes, the signature block kept with the text before it — and the
numbers against the engine's stored results."""

from __future__ import annotations

import re

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import ImageFont

from scoring.documents import layout as L
from scoring.documents.services import documents_generate
from scoring.models import GeneratedDocument, Score, Standing
from tests.documents.conftest import docx_of

pytestmark = pytest.mark.django_db

KINDS = ["pledge", "results", "score_sheet", "minutes", "proposal"]
FONT_FILES = {
    False: "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    True: "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
}


def generate(world, kind, **options) -> GeneratedDocument:
    return documents_generate(emulation_year=world.year, kind=kind, number="12", **options)[0]


def effective(paragraph, attribute: str):
    """A paragraph-format attribute as Word applies it: the paragraph's own, else its style's,
    else the base styles'."""
    value = getattr(paragraph.paragraph_format, attribute)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, attribute)
        style = style.base_style
    return value


def run_font(paragraph, run, attribute: str):
    """A run's font attribute as Word applies it (run, paragraph style, base styles)."""
    value = getattr(run.font, attribute)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.font, attribute)
        style = style.base_style
    return value


def size_pt(paragraph) -> float:
    sizes = {run_font(paragraph, r, "size").pt for r in paragraph.runs if r.text.strip()}
    assert len(sizes) == 1, (paragraph.text, sizes)
    return sizes.pop()


def flag(paragraph, attribute: str) -> bool:
    values = {bool(run_font(paragraph, r, attribute)) for r in paragraph.runs if r.text.strip()}
    assert len(values) == 1, (paragraph.text, attribute, values)
    return values.pop()


def text_width_pt(text: str, size: float, *, bold: bool) -> float:
    """The width of a line of text in Liberation Serif (Times New Roman's metrics)."""
    font = ImageFont.truetype(FONT_FILES[bold], 1000)
    return font.getlength(text) / 1000 * size


def letterhead(document):
    table = document.tables[0]
    return table.rows[0].cells, table.rows[1].cells


def all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_is_a4_with_the_decrees_margins_and_numbers_from_page_two(documents_world, kind):
    section = docx_of(generate(documents_world, kind)).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    # Page numbers from page 2: an empty first-page header, a PAGE field in the others, centred.
    assert section.different_first_page_header_footer
    assert not section.first_page_header.paragraphs[0].text.strip()
    number = section.header.paragraphs[0]
    assert " PAGE " in "".join(t.text for t in number._p.iter(qn("w:instrText")))
    assert effective(number, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    assert 13 <= number.style.font.size.pt <= 14


@pytest.mark.parametrize("kind", KINDS)
def test_the_letterhead_follows_the_decree(documents_world, kind):
    document = docx_of(generate(documents_world, kind))
    (left, right), (number, place) = letterhead(document)
    parent, agency = left.paragraphs[0], left.paragraphs[1]
    assert parent.text == "CƠ QUAN CHỈ ĐẠO A" and not flag(parent, "bold")
    assert agency.text == "CỤM A" and flag(agency, "bold")
    assert 12 <= size_pt(parent) <= 13 and 12 <= size_pt(agency) <= 13
    # A short rule under the issuing body: a bottom border on a paragraph 1/3–1/2 of the column.
    rule = left.paragraphs[2]
    assert rule._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None
    column = left.width
    drawn = column - rule.paragraph_format.left_indent - rule.paragraph_format.right_indent
    assert column / 3.2 <= drawn <= column / 2
    national, motto = right.paragraphs[0], right.paragraphs[1]
    # The national title and the motto each one paragraph of one run: one line, no break.
    for paragraph, text, low, high in (
        (national, L.NATIONAL_TITLE, 12, 13),
        (motto, L.MOTTO, 13, 14),
    ):
        assert paragraph.text == text
        assert len([r for r in paragraph.runs if r.text]) == 1
        assert paragraph._p.find(f".//{qn('w:br')}") is None
        assert flag(paragraph, "bold") and low <= size_pt(paragraph) <= high
        assert effective(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
        # The column is wide enough for the line (cell margins of 1.9 mm each side).
        width = text_width_pt(text, size_pt(paragraph), bold=True)
        assert width < right.width.pt - 2 * Mm(1.9).pt, (text, width, right.width.pt)
    assert national.text == national.text.upper()
    # The motto's rule is as long as its line: the run is underlined.
    assert motto.runs[0].font.underline
    assert re.fullmatch(r"Số: 12/(GƯTĐ|BC|BB|TTr)-CTĐA|Số: 05/BB-CTĐA", number.paragraphs[0].text)
    assert size_pt(number.paragraphs[0]) == 13
    line = place.paragraphs[0]
    assert re.fullmatch(r"Cần Thơ, ngày \d\d tháng (0[12]|[3-9]|1[012]) năm \d{4}", line.text)
    assert flag(line, "italic") and 13 <= size_pt(line) <= 14


@pytest.mark.parametrize("kind", KINDS)
def test_title_body_fonts_and_signature_block(documents_world, kind):
    document = docx_of(generate(documents_world, kind))
    titles = [p for p in document.paragraphs if p.style.name == "ND30 Title"]
    assert len(titles) == 1
    title = titles[0]
    assert title.text == title.text.upper() and flag(title, "bold")
    assert 13 <= size_pt(title) <= 14
    body = [p for p in document.paragraphs if p.style.name == "ND30 Body" and p.text.strip()]
    assert body
    for paragraph in body:
        assert effective(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert Mm(10) <= effective(paragraph, "first_line_indent") <= Mm(12.7)
        assert effective(paragraph, "space_after").pt >= 6
        assert 13 <= size_pt(paragraph) <= 14
    # Times New Roman for every script, on every run (Liberation Serif stands in for PDF only).
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {L.FONT}
    for paragraph in all_paragraphs(document):
        for run in paragraph.runs:
            assert run_font(paragraph, run, "name") == L.FONT
    # Nothing of the template's tags is left.
    text = "\n".join(p.text for p in all_paragraphs(document))
    assert "{{" not in text and "{%" not in text
    # The signature block: a row that never splits, after a paragraph kept with it.
    signature = document.tables[-1]
    assert signature.rows[-1]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    closing = [p for p in document.paragraphs if p.style.name == "ND30 Closing"]
    assert closing and effective(closing[-1], "keep_with_next")
    signs = [p for p in all_paragraphs(document) if p.style.name == "ND30 Signature" and p.text]
    assert signs and all(flag(p, "bold") and 13 <= size_pt(p) <= 14 for p in signs)
    head = [p for p in all_paragraphs(document) if p.text == "Nơi nhận:"]
    assert len(head) == 1 and flag(head[0], "bold") and flag(head[0], "italic")
    assert size_pt(head[0]) == 12
    listed = [p for p in all_paragraphs(document) if p.style.name == "ND30 Recipients" and p.text]
    assert listed[-1].text == "- Lưu: VT." and all(size_pt(p) == 11 for p in listed)


def test_the_results_report_has_the_stored_ranking_with_parts_and_bands(documents_world):
    w = documents_world
    document = docx_of(generate(w, "results"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Hạng")
    shown = [[c.text for c in row.cells] for row in table.rows[1:]]
    stored = Standing.objects.filter(run__emulation_year=w.year, run__is_current=True).order_by(
        "rank", "unit__code"
    )

    def points(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    assert shown == [
        [
            str(s.rank),
            s.unit.name,
            points(s.total),
            points(s.regular),
            points(s.bonus),
            points(s.deduction),
            str(s.met_count),
            s.band,
            "Có" if s.eligible else "Không",
        ]
        for s in stored
    ]
    assert shown[0][:3] == ["1", "Liên minh HTX A1", "100,00"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "- Xuất sắc: tổng điểm từ 90,00." in text
    assert "Liên minh HTX A2: Tốt." in text  # each member's band explained
    assert "Đơn vị dẫn đầu: Liên minh HTX A1 (100,00 điểm)" in text


def test_a_score_sheet_has_the_members_stored_lines(documents_world):
    w = documents_world
    unit = w.units["a3"]
    document = docx_of(generate(w, "score_sheet", unit_ids=[unit.pk]))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    scores = Score.objects.filter(run__emulation_year=w.year, run__is_current=True, unit=unit)
    assert {s.criterion_code for s in scores} == {"1.1", "2.1"}
    for score in scores:
        row = rows[score.criterion_code]
        assert row[4].startswith(f"{score.points:.2f}".replace(".", ",") + "/")
        assert row[5] == score.explanation
    assert rows["1.1"][2:4] == ["10", "20"]  # reported new cooperatives, the target
    intro = next(p.text for p in document.paragraphs if p.text.startswith("Kết quả:"))
    assert "70,00 điểm" in intro and "xếp hạng 3/5" in intro and "xếp loại: Tốt" in intro


def test_the_minutes_vote_table_shows_the_vote_order_not_the_scoring_rank(documents_world):
    document = docx_of(generate(documents_world, "minutes"))
    votes = [t for t in document.tables if t.rows[0].cells[0].text == "Thứ tự theo số phiếu"]
    assert len(votes) == 2  # the award ballot, the head's election
    election = {row.cells[1].text: [c.text for c in row.cells] for row in votes[1].rows[1:]}
    # Liên minh HTX A2 is 2nd in the ranking but first in the vote: 4 of the 5 votes.
    assert election["Liên minh HTX A2"] == ["1", "Liên minh HTX A2", "4", "80\u00a0%", "Trúng cử"]
    assert election["Liên minh HTX A3"][:3] == ["2", "Liên minh HTX A3", "1"]
    assert {row[0] for row in election.values()} == {"1", "2", "3"}  # 0 votes share 3rd place
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Bầu cụm trưởng năm 2026: 5/5 đơn vị bỏ phiếu (0 phiếu giấy)" in text
    assert "phải được trên 50 % số phiếu; số được đề nghị tối đa: 1" in text
    assert "Đề nghị khen thưởng: Liên minh HTX A1 — Cờ thi đua của Cơ quan chỉ đạo A." in text
    assert "Thời gian bắt đầu: 08 giờ 00 phút, ngày 27 tháng 01 năm 2026." in text
    assert "Địa điểm: Hội trường Liên minh HTX A1." in text
    assert "Hội nghị kết thúc vào 11 giờ 30 phút, ngày 27 tháng 01 năm 2026./." in text
    assert "Liên minh HTX A1 bàn giao cờ luân lưu cho Liên minh HTX A2 ngày 27 tháng 01" in text
    assert "…" not in text and "...." not in text  # nothing left as dots
    signature = document.tables[-1].rows[0].cells
    assert [p.text for p in signature[0].paragraphs if p.text][:2] == ["THƯ KÝ", "Trần Thị Bình"]
    assert "Nguyễn Văn An" in [p.text for p in signature[1].paragraphs]


def test_the_proposal_names_each_proposed_member_with_its_rank_and_votes(documents_world):
    document = docx_of(generate(documents_world, "proposal"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Đơn vị")
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [
        ["Liên minh HTX A1", "1", "100,00", "Xuất sắc", "4/5"]
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kính gửi: Cơ quan chỉ đạo A." in text
    assert "1. Cờ thi đua của Cơ quan chỉ đạo A (Cơ quan A)" in text


def test_the_pledge_lists_the_criteria_and_every_signatory(documents_world):
    document = docx_of(generate(documents_world, "pledge"))
    criteria = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
    codes = [r.cells[0].text for r in criteria.rows[1:] if r.cells[0].text]
    assert codes == ["1.1", "2.1"]
    row = next(r for r in criteria.rows if r.cells[0].text == "2.1")
    assert [c.text for c in row.cells][2:] == ["8\u00a0%", "40,00"]
    names = {p.text for cell in document.tables[-1]._cells for p in cell.paragraphs}
    assert {f"Người ký A{i}" for i in range(1, 6)} <= names


def test_names_with_markup_characters_stay_text_in_both_files(documents_world):
    """A value is escaped, never read as XML or HTML: a unit named with "&" and "<" comes out
    as typed, in a Word file that opens and a PDF."""
    import io

    from pypdf import PdfReader

    w = documents_world
    w.units["a2"].name = "Liên minh HTX A2 & <B>"
    w.units["a2"].save(update_fields=["name"])
    document = generate(w, "results")
    table = next(t for t in docx_of(document).tables if t.rows[0].cells[0].text == "Hạng")
    assert "Liên minh HTX A2 & <B>" in [row.cells[1].text for row in table.rows[1:]]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(document.pdf))).pages)
    assert "A2 & <B>" in text
