"""The default Word templates, made with python-docx: the NĐ 30/2020 frame (scoring/documents/
layout.py) with the Jinja tags docxtpl fills (the context of each kind: scoring/documents/
selectors.py). `manage.py build_document_templates` writes them to scoring/documents/docx/, where
the app reads them; a test checks that the files shipped are exactly what this module makes.

A secretariat edits these files in Word (docs/documents.md says which tags each kind knows), so
the layout is carried by named paragraph styles ("ND30 …") rather than by formatting repeated on
every paragraph."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips

from scoring.documents import layout as L

# Fixed, so that the same code makes the same bytes (zip entries and core properties).
_STAMP = datetime(2026, 1, 1)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


# --- styles -------------------------------------------------------------------------------------


def _fonts(rpr_owner, size: float | None = None, *, bold=None, italic=None) -> None:
    """Times New Roman for every script (Word picks the font by script: Vietnamese letters are
    "ascii"/"hAnsi", but a missing eastAsia/cs entry lets a theme font creep in)."""
    font = rpr_owner.font
    font.name = L.FONT
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), L.FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def _paragraph_style(document, name: str, *, size: float, **options):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    _fonts(style, size, bold=options.get("bold"), italic=options.get("italic"))
    fmt = style.paragraph_format
    fmt.alignment = options.get("align", WD_ALIGN_PARAGRAPH.CENTER)
    fmt.space_before = Pt(options.get("before", 0))
    fmt.space_after = Pt(options.get("after", 0))
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Cm(options["indent"]) if options.get("indent") else None
    fmt.keep_with_next = options.get("keep_with_next")
    fmt.widow_control = True
    return style


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _fonts(normal, L.BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # The language of the text: Vietnamese (Word's spelling and hyphenation).
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    justify, left = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT
    _paragraph_style(document, "ND30 Agency Parent", size=L.AGENCY_PT)
    _paragraph_style(document, "ND30 Agency", size=L.AGENCY_PT, bold=True)
    _paragraph_style(document, "ND30 National Title", size=L.NATIONAL_TITLE_PT, bold=True)
    _paragraph_style(document, "ND30 Motto", size=L.MOTTO_PT, bold=True)
    _paragraph_style(document, "ND30 Number", size=L.NUMBER_PT, before=6)
    _paragraph_style(document, "ND30 Place Date", size=L.PLACE_DATE_PT, italic=True, before=6)
    _paragraph_style(document, "ND30 Title", size=L.TITLE_PT, bold=True, before=18)
    _paragraph_style(document, "ND30 Summary", size=L.TITLE_PT, bold=True)
    _paragraph_style(document, "ND30 Addressee", size=L.BODY_PT, before=6, after=6)
    _paragraph_style(
        document,
        "ND30 Body",
        size=L.BODY_PT,
        align=justify,
        indent=L.FIRST_LINE_INDENT_CM,
        after=L.PARAGRAPH_AFTER_PT,
    )
    _paragraph_style(
        document,
        "ND30 Heading",
        size=L.BODY_PT,
        bold=True,
        align=justify,
        indent=L.FIRST_LINE_INDENT_CM,
        before=6,
        after=L.PARAGRAPH_AFTER_PT,
        keep_with_next=True,
    )
    # The last paragraph before a signature block stays on its page (docs/documents.md).
    _paragraph_style(
        document,
        "ND30 Closing",
        size=L.BODY_PT,
        align=justify,
        indent=L.FIRST_LINE_INDENT_CM,
        after=L.PARAGRAPH_AFTER_PT,
        keep_with_next=True,
    )
    _paragraph_style(document, "ND30 Table", size=L.TABLE_PT, align=left)
    _paragraph_style(document, "ND30 Table Center", size=L.TABLE_PT)
    _paragraph_style(document, "ND30 Table Number", size=L.TABLE_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph_style(document, "ND30 Table Head", size=L.TABLE_PT, bold=True)
    _paragraph_style(document, "ND30 Table Small", size=L.TABLE_SMALL_PT, align=left)
    _paragraph_style(
        document, "ND30 Signature", size=L.SIGNATURE_PT, bold=True, keep_with_next=True
    )
    _paragraph_style(
        document, "ND30 Signature Note", size=L.SIGNATURE_PT, italic=True, keep_with_next=True
    )
    _paragraph_style(
        document,
        "ND30 Recipients Head",
        size=L.RECIPIENTS_HEAD_PT,
        bold=True,
        italic=True,
        align=left,
        before=12,
        keep_with_next=True,
    )
    _paragraph_style(
        document, "ND30 Recipients", size=L.RECIPIENTS_PT, align=left, keep_with_next=True
    )
    _paragraph_style(document, "ND30 Page Number", size=L.PAGE_NUMBER_PT)


# --- page and frame ----------------------------------------------------------------------------


def _mm(millimetres: float) -> Twips:
    """A length in whole twips (Word's unit for margins), rounded up: 15 mm is 850.4 twips, and
    850 would be 14.99 mm, outside the decree's range."""
    return Twips(math.ceil(millimetres * 1440 / 25.4))


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(L.PAGE_WIDTH_MM), Mm(L.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = _mm(L.MARGIN_TOP_MM), _mm(L.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = _mm(L.MARGIN_LEFT_MM), _mm(L.MARGIN_RIGHT_MM)
    section.header_distance = Mm(L.HEADER_DISTANCE_MM)
    section.footer_distance = Mm(L.HEADER_DISTANCE_MM)
    # Page numbers from page 2 (Phụ lục I, I.7): the first page's header stays empty.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.style = document.styles["ND30 Page Number"]
    _field(paragraph, "PAGE", "2")


def _field(paragraph, instruction: str, shown: str) -> None:
    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    table._tbl.tblPr.append(borders)


def _fixed(table, widths_mm: list[float]) -> None:
    """Column widths that Word and LibreOffice keep (a fixed layout, every cell's width)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _no_split(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    properties.append(element)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    properties.append(element)


def _rule(paragraph, width_mm: float, column_mm: float) -> None:
    """A short solid rule centred under the line above: an empty paragraph's bottom border,
    indented to `width_mm` (Phụ lục I, II.2.b and II.5.b: 1/3 to 1/2 of the line above)."""
    fmt = paragraph.paragraph_format
    side = Mm((column_mm - width_mm) / 2)
    fmt.left_indent, fmt.right_indent = side, side
    fmt.space_after = Pt(6)
    fmt.line_spacing = Pt(2)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)


def _text(cell, text: str, style: str, document):
    """A paragraph of `text` in `style` in a table cell (a new cell's one empty paragraph is
    used first)."""
    paragraphs = cell.paragraphs
    if len(paragraphs) == 1 and not paragraphs[0].text and paragraphs[0].style.name == "Normal":
        paragraph = paragraphs[0]
        paragraph.text = text
    else:
        paragraph = cell.add_paragraph(text)
    paragraph.style = document.styles[style]
    return paragraph


def _letterhead(document) -> None:
    """Cells 1–4 of Phụ lục I, IV: the issuing body (its parent above it) with a short rule, the
    national title and motto (the motto underlined: a rule exactly its length), the number and
    symbol, the place and date on the same line as the number."""
    table = document.add_table(rows=2, cols=2)
    _borderless(table)
    _fixed(table, [L.LETTERHEAD_LEFT_MM, L.LETTERHEAD_RIGHT_MM])
    left, right = table.rows[0].cells
    _text(left, "{{ agency_parent }}", "ND30 Agency Parent", document)
    _text(left, "{{ agency_name }}", "ND30 Agency", document)
    _rule(left.add_paragraph(), 24, L.LETTERHEAD_LEFT_MM - 4)
    _text(right, L.NATIONAL_TITLE, "ND30 National Title", document)
    motto = right.add_paragraph()
    motto.style = document.styles["ND30 Motto"]
    motto.add_run(L.MOTTO).underline = True
    number, place = table.rows[1].cells
    _text(number, "Số: {{ number }}", "ND30 Number", document)
    _text(place, "{{ place_date }}", "ND30 Place Date", document)


def _title(document, kind_title: str, summary: str | None) -> None:
    document.add_paragraph(kind_title, style="ND30 Title")
    if summary:
        document.add_paragraph(summary, style="ND30 Summary")
    _rule(document.add_paragraph(), 40, L.TEXT_WIDTH_MM)


def _grid(document, headers: list[str], widths_mm: list[float]):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    _fixed(table, widths_mm)
    _repeat_header(table.rows[0])
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _text(cell, header, "ND30 Table Head", document)
    return table


def _looped_table(
    document, headings: list[str], widths: list[float], loop: str, cells: list[tuple[str, str]]
) -> None:
    """A table of `headings` with one row of `cells` repeated by docxtpl's `{%tr for loop %}`."""
    table = _grid(document, headings, widths)
    _tag_row(table, document, f"{{%tr for {loop} %}}")
    _row(table, document, cells)
    _tag_row(table, document, "{%tr endfor %}")


def _criteria_by_group(
    document, headings: list[str], widths: list[float], cells: list[tuple[str, str]]
) -> None:
    """A table of the scheme's criteria under their groups (`groups`, each with its `rows`): a
    row naming the group, then a row a criterion — its code and name, then `cells`."""
    table = _grid(document, headings, widths)
    _tag_row(table, document, "{%tr for g in groups %}")
    blanks = [("", "ND30 Table")] * (len(headings) - 2)
    _row(table, document, [("", "ND30 Table"), ("{{ g.name }}", "ND30 Table Head"), *blanks])
    _tag_row(table, document, "{%tr for c in g.rows %}")
    _row(
        table,
        document,
        [("{{ c.code }}", "ND30 Table"), ("{{ c.name }}", "ND30 Table"), *cells],
    )
    _tag_row(table, document, "{%tr endfor %}")
    _tag_row(table, document, "{%tr endfor %}")


def _tag_row(table, document, tag: str) -> None:
    """A row that holds only a docxtpl row tag ({%tr … %}): docxtpl replaces the whole row."""
    row = table.add_row()
    _text(row.cells[0], tag, "ND30 Table", document)


def _row(table, document, cells: list[tuple[str, str]]) -> None:
    row = table.add_row()
    _no_split(row)
    for cell, (text, style) in zip(row.cells, cells, strict=True):
        _text(cell, text, style, document)


def _loop(document, variable: str, collection: str, text: str, style: str) -> None:
    document.add_paragraph(f"{{%p for {variable} in {collection} %}}", style=style)
    document.add_paragraph(text, style=style)
    document.add_paragraph("{%p endfor %}", style=style)


def _signature(document, left: list[tuple[str, str]], right: list[tuple[str, str]]) -> None:
    """The signature block (cells 7a–7c, 9b): one row that never splits, every paragraph kept
    with the next, so that it moves to a new page with the closing paragraph before it rather
    than stand there alone."""
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    _fixed(table, [L.TEXT_WIDTH_MM / 2 - 5, L.TEXT_WIDTH_MM / 2 + 5])
    _no_split(table.rows[0])
    for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
        for text, style in lines:
            _text(cell, text, style, document)


def _recipients(extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [
        ("Nơi nhận:", "ND30 Recipients Head"),
        ("{%p for r in recipients %}", "ND30 Recipients"),
        ("- {{ r }};", "ND30 Recipients"),
        ("{%p endfor %}", "ND30 Recipients"),
        ("- Lưu: VT.", "ND30 Recipients"),
        *(extra or []),
    ]


def _head_signs() -> list[tuple[str, str]]:
    return [
        ("{{ signer.authority }}", "ND30 Signature"),
        ("{{ signer.title }}", "ND30 Signature"),
        ("{{ signer.office }}", "ND30 Signature"),
        ("", "ND30 Signature"),
        ("", "ND30 Signature"),
        ("", "ND30 Signature"),
        ("{{ signer.name }}", "ND30 Signature"),
    ]


# --- the kinds ---------------------------------------------------------------------------------


def _pledge(document) -> None:
    _letterhead(document)
    _title(document, "GIAO ƯỚC THI ĐUA NĂM {{ year }}", "{{ pledge.title }}")
    document.add_paragraph(
        "Căn cứ kết quả {{ pledge.signed_at_event }}, các đơn vị thành viên {{ cluster }} "
        "thống nhất ký kết giao ước thi đua năm {{ year }} với các nội dung sau:",
        style="ND30 Body",
    )
    _loop(document, "text", "pledge.paragraphs", "{{ text }}", "ND30 Body")
    document.add_paragraph(
        "1. Các chỉ tiêu và thang điểm (“{{ scheme.name }}”, thang {{ scheme.scale }} điểm)",
        style="ND30 Heading",
    )
    _criteria_by_group(
        document,
        ["Mã", "Tiêu chí", "Chỉ tiêu", "Điểm tối đa"],
        [14, 101, 26, 24],
        [("{{ c.target }}", "ND30 Table Number"), ("{{ c.points }}", "ND30 Table Number")],
    )
    document.add_paragraph("{%p if member_targets %}", style="ND30 Body")
    document.add_paragraph("2. Chỉ tiêu riêng của các đơn vị", style="ND30 Heading")
    _looped_table(
        document,
        ["Đơn vị", "Mã", "Tiêu chí", "Chỉ tiêu"],
        [55, 14, 70, 26],
        "t in member_targets",
        [
            ("{{ t.unit }}", "ND30 Table"),
            ("{{ t.code }}", "ND30 Table"),
            ("{{ t.name }}", "ND30 Table"),
            ("{{ t.target }}", "ND30 Table Number"),
        ],
    )
    document.add_paragraph("{%p endif %}", style="ND30 Body")
    document.add_paragraph(
        "Các đơn vị thành viên cam kết thực hiện đầy đủ các chỉ tiêu trên; mọi thay đổi chỉ "
        "tiêu sau khi ký được ghi nhận kèm lý do.",
        style="ND30 Closing",
    )
    document.add_paragraph("ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN", style="ND30 Signature")
    table = document.add_table(rows=0, cols=2)
    _borderless(table)
    _fixed(table, [L.TEXT_WIDTH_MM / 2, L.TEXT_WIDTH_MM / 2])
    _tag_row(table, document, "{%tr for pair in signatories %}")
    row = table.add_row()
    _no_split(row)
    for cell, side in zip(row.cells, ("left", "right"), strict=True):
        for text, style in (
            (f"{{{{ pair.{side}.unit }}}}", "ND30 Signature"),
            (f"{{{{ pair.{side}.title }}}}", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("", "ND30 Signature"),
            (f"{{{{ pair.{side}.name }}}}", "ND30 Signature"),
        ):
            _text(cell, text, style, document)
    _tag_row(table, document, "{%tr endfor %}")
    for text, style in _recipients():
        document.add_paragraph(text, style=style)


def _results(document) -> None:
    _letterhead(document)
    _title(
        document,
        "BÁO CÁO",
        "Kết quả chấm điểm, xếp hạng thi đua năm {{ year }} của {{ cluster }}",
    )
    document.add_paragraph("Kính gửi: {{ addressee }}.", style="ND30 Addressee")
    document.add_paragraph(
        "Thực hiện giao ước thi đua năm {{ year }}, trên cơ sở báo cáo của {{ members_count }} "
        "đơn vị thành viên đã được thẩm định, {{ head }} (đơn vị cụm trưởng) báo cáo kết quả chấm "
        "điểm, xếp hạng theo “{{ scheme.name }}” (thang {{ scheme.scale }} điểm) như sau:",
        style="ND30 Body",
    )
    document.add_paragraph("1. Bảng xếp hạng", style="ND30 Heading")
    _looped_table(
        document,
        [
            "Hạng",
            "Đơn vị",
            "Tổng điểm",
            "Điểm tiêu chí",
            "Điểm thưởng",
            "Điểm trừ",
            "Số chỉ tiêu đạt",
            "Xếp loại",
            "Đủ điều kiện",
        ],
        [14, 38, 17, 17, 16, 15, 15, 18, 15],
        "s in standings",
        [
            ("{{ s.rank }}", "ND30 Table Center"),
            ("{{ s.unit }}", "ND30 Table"),
            ("{{ s.total }}", "ND30 Table Number"),
            ("{{ s.regular }}", "ND30 Table Number"),
            ("{{ s.bonus }}", "ND30 Table Number"),
            ("{{ s.deduction }}", "ND30 Table Number"),
            ("{{ s.met_count }}", "ND30 Table Center"),
            ("{{ s.band }}", "ND30 Table"),
            ("{{ s.eligible }}", "ND30 Table Center"),
        ],
    )
    document.add_paragraph("2. Xếp loại và lý do", style="ND30 Heading")
    document.add_paragraph("Điều kiện của từng mức xếp loại:", style="ND30 Body")
    _loop(document, "b", "bands", "- {{ b.name }}: {{ b.rule }}.", "ND30 Body")
    _loop(
        document,
        "s",
        "explained",
        "- {{ s.unit }}: {{ s.band_explained }}",
        "ND30 Body",
    )
    document.add_paragraph("3. Cảnh báo về khả năng đạt chỉ tiêu", style="ND30 Heading")
    document.add_paragraph("{%p if warnings %}", style="ND30 Body")
    _loop(document, "w", "warnings", "- {{ w.subject }}: {{ w.message }}", "ND30 Body")
    document.add_paragraph("{%p else %}", style="ND30 Body")
    document.add_paragraph("Không có cảnh báo.", style="ND30 Body")
    document.add_paragraph("{%p endif %}", style="ND30 Body")
    document.add_paragraph(
        "Đơn vị dẫn đầu: {{ leader }}. Kết quả chi tiết của từng đơn vị tại phiếu chấm điểm kèm "
        "theo. Kính báo cáo./.",
        style="ND30 Closing",
    )
    _signature(document, _recipients(), _head_signs())


def _score_sheet(document) -> None:
    _letterhead(document)
    _title(document, "PHIẾU CHẤM ĐIỂM THI ĐUA NĂM {{ year }}", "{{ unit }}")
    document.add_paragraph(
        "Kết quả: {{ total }} điểm (điểm tiêu chí {{ regular }}, điểm thưởng {{ bonus }}, điểm "
        "trừ {{ deduction }}); đạt {{ met_count }} chỉ tiêu; xếp hạng {{ rank }}/{{ members_count }}; "
        "xếp loại: {{ band_name }}; đủ điều kiện xét khen thưởng: {{ eligible }}.",
        style="ND30 Body",
    )
    _criteria_by_group(
        document,
        ["Mã", "Tiêu chí", "Thực hiện", "Chỉ tiêu", "Điểm đạt/tối đa", "Diễn giải"],
        [11, 40, 20, 20, 25, 49],
        [
            ("{{ c.actual }}", "ND30 Table Number"),
            ("{{ c.target }}", "ND30 Table Number"),
            ("{{ c.points }}/{{ c.max_points }}", "ND30 Table Number"),
            ("{{ c.explanation }}", "ND30 Table Small"),
        ],
    )
    document.add_paragraph("{%p if band_reasons %}", style="ND30 Body")
    document.add_paragraph("Lý do xếp loại:", style="ND30 Heading")
    _loop(document, "reason", "band_reasons", "- {{ reason }}", "ND30 Body")
    document.add_paragraph("{%p endif %}", style="ND30 Body")
    document.add_paragraph(
        "Phiếu chấm điểm lập từ kết quả tính điểm của ứng dụng, theo số liệu đã thẩm định./.",
        style="ND30 Closing",
    )
    _signature(document, _recipients(), _head_signs())


def _minutes(document) -> None:
    _letterhead(document)
    _title(
        document, "BIÊN BẢN", "Hội nghị tổng kết công tác thi đua năm {{ year }} của {{ cluster }}"
    )
    for text in (
        "Thời gian bắt đầu: {{ conference.started }}.",
        "Địa điểm: {{ conference.venue }}.",
        "Thành phần tham dự: {{ members_count }} đơn vị thành viên: {{ members }}.",
    ):
        document.add_paragraph(text, style="ND30 Body")
    _loop(document, "a", "attendees", "- {{ a }};", "ND30 Body")
    for text in (
        "Chủ trì (chủ tọa): {{ conference.chair }}.",
        "Thư ký (người ghi biên bản): {{ conference.secretary }}.",
    ):
        document.add_paragraph(text, style="ND30 Body")
    document.add_paragraph("Chương trình hội nghị:", style="ND30 Body")
    _loop(document, "item", "agenda", "- {{ item }};", "ND30 Body")
    document.add_paragraph("NỘI DUNG", style="ND30 Heading")
    document.add_paragraph("1. Kết quả chấm điểm, xếp hạng", style="ND30 Heading")
    document.add_paragraph(
        "Hội nghị thống nhất kết quả chấm điểm, xếp hạng thi đua năm {{ year }} theo “{{ "
        "scheme.name }}”. Đơn vị dẫn đầu: {{ leader }}.",
        style="ND30 Body",
    )
    _looped_table(
        document,
        ["Hạng", "Đơn vị", "Tổng điểm", "Xếp loại"],
        [16, 91, 28, 30],
        "s in standings",
        [
            ("{{ s.rank }}", "ND30 Table Center"),
            ("{{ s.unit }}", "ND30 Table"),
            ("{{ s.total }}", "ND30 Table Number"),
            ("{{ s.band }}", "ND30 Table"),
        ],
    )
    document.add_paragraph("2. Kết quả bình xét, suy tôn khen thưởng", style="ND30 Heading")
    _votes(document, "award_ballots")
    document.add_paragraph("Đề nghị khen thưởng: {{ proposals_text }}.", style="ND30 Body")
    document.add_paragraph("3. Bầu cụm trưởng, cụm phó năm {{ next_year }}", style="ND30 Heading")
    _votes(document, "election_ballots")
    document.add_paragraph("Kết quả bầu: {{ elected_text }}.", style="ND30 Body")
    document.add_paragraph("4. Bàn giao cờ luân lưu", style="ND30 Heading")
    document.add_paragraph("{{ handover }}", style="ND30 Body")
    document.add_paragraph(
        "Biên bản được lập và thông qua tại hội nghị; các đơn vị thành viên thống nhất với nội "
        "dung trên.",
        style="ND30 Body",
    )
    document.add_paragraph("Hội nghị kết thúc vào {{ conference.ended }}./.", style="ND30 Closing")
    _signature(
        document,
        [
            ("THƯ KÝ", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("{{ conference.secretary_name }}", "ND30 Signature"),
            *_recipients(),
        ],
        [
            ("CHỦ TỌA", "ND30 Signature"),
            ("{{ conference.chair_title_upper }}", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("", "ND30 Signature"),
            ("{{ conference.chair_name }}", "ND30 Signature"),
        ],
    )


def _votes(document, collection: str) -> None:
    """Each ballot: who voted, the rule, and the count per candidate by the VOTE's order (never
    the scoring rank: the minutes record the vote)."""
    document.add_paragraph(f"{{%p for b in {collection} %}}", style="ND30 Body")
    document.add_paragraph(
        "{{ b.title }}: {{ b.voters }}/{{ b.members }} đơn vị bỏ phiếu ({{ b.on_paper }} phiếu "
        "giấy); {{ b.rule }}.",
        style="ND30 Body",
    )
    _looped_table(
        document,
        ["Thứ tự theo số phiếu", "Đơn vị", "Số phiếu", "Tỷ lệ", "Kết quả"],
        [24, 71, 20, 20, 30],
        "t in b.lines",
        [
            ("{{ t.vote_rank }}", "ND30 Table Center"),
            ("{{ t.unit }}", "ND30 Table"),
            ("{{ t.votes }}", "ND30 Table Number"),
            ("{{ t.share }}", "ND30 Table Number"),
            ("{{ t.outcome }}", "ND30 Table"),
        ],
    )
    document.add_paragraph("{%p endfor %}", style="ND30 Body")
    document.add_paragraph(f"{{%p if not {collection} %}}", style="ND30 Body")
    document.add_paragraph("Không tổ chức bỏ phiếu.", style="ND30 Body")
    document.add_paragraph("{%p endif %}", style="ND30 Body")


def _proposal(document) -> None:
    _letterhead(document)
    _title(
        document,
        "TỜ TRÌNH",
        "Đề nghị khen thưởng thành tích thi đua năm {{ year }} của {{ cluster }}",
    )
    document.add_paragraph("Kính gửi: {{ addressee }}.", style="ND30 Addressee")
    document.add_paragraph(
        "Căn cứ kết quả chấm điểm, xếp hạng thi đua năm {{ year }} và kết quả bình xét, suy tôn "
        "bằng phiếu kín tại Hội nghị tổng kết {{ conference_date }}, {{ head }} (đơn vị cụm "
        "trưởng) kính trình {{ addressee }} xem xét, khen thưởng các đơn vị sau:",
        style="ND30 Body",
    )
    document.add_paragraph("{%p for a in awards %}", style="ND30 Body")
    document.add_paragraph(
        "{{ a.number }}. {{ a.name }} ({{ a.conferred_by }})", style="ND30 Heading"
    )
    _looped_table(
        document,
        ["Đơn vị", "Hạng", "Tổng điểm", "Xếp loại", "Số phiếu"],
        [65, 16, 28, 28, 28],
        "p in a.rows",
        [
            ("{{ p.unit }}", "ND30 Table"),
            ("{{ p.rank }}", "ND30 Table Center"),
            ("{{ p.total }}", "ND30 Table Number"),
            ("{{ p.band }}", "ND30 Table"),
            ("{{ p.votes }}", "ND30 Table Number"),
        ],
    )
    document.add_paragraph("{%p endfor %}", style="ND30 Body")
    document.add_paragraph("{%p if not awards %}", style="ND30 Body")
    document.add_paragraph("Hội nghị chưa có kết quả bình xét.", style="ND30 Body")
    document.add_paragraph("{%p endif %}", style="ND30 Body")
    document.add_paragraph(
        "Hồ sơ kèm theo: báo cáo kết quả chấm điểm, xếp hạng; biên bản hội nghị tổng kết; phiếu "
        "chấm điểm của các đơn vị được đề nghị. Kính trình {{ addressee }} xem xét, quyết "
        "định./.",
        style="ND30 Closing",
    )
    _signature(
        document,
        _recipients([]),
        _head_signs(),
    )


# What python-docx's blank document carries and no template here uses: 800 KB of table styles,
# their Word 2010 copy, a thumbnail, custom XML, numbering, web settings. Every document parses
# and writes its template's parts: without them a score sheet's Word file took half the time.
_UNUSED_PARTS = ("stylesWithEffects", "customXml", "numbering", "webSettings", "thumbnail")
_KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid", "Header"}


def _slim(document) -> None:
    for rels in (document.part.rels, document.part.package.rels):
        for rId, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in _UNUSED_PARTS:
                rels.pop(rId)
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        name = style.get(qn("w:styleId"))
        if name not in _KEPT_STYLES and not name.startswith("ND30"):
            styles.remove(style)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


BUILDERS: dict[str, Callable] = {
    "pledge": _pledge,
    "results": _results,
    "score_sheet": _score_sheet,
    "minutes": _minutes,
    "proposal": _proposal,
}


def build_template(kind: str) -> bytes:
    """The default template of `kind` as .docx bytes, the same bytes every time."""
    document = Document()
    _styles(document)
    _page(document)
    # The default document starts with one empty paragraph: the letterhead goes before it.
    body = document.element.body
    first = body.find(qn("w:p"))
    BUILDERS[kind](document)
    if first is not None:
        body.remove(first)
    _slim(document)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "thi-dua"
    properties.created = properties.modified = _STAMP
    properties.revision = 1
    properties.title = "{{ title }}"
    stream = io.BytesIO()
    document.save(stream)
    return _deterministic(stream.getvalue())


def _deterministic(data: bytes) -> bytes:
    """The same zip with fixed entry times (python-docx stamps each with the clock)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
