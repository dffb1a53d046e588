"""The NĐ 30/2020/NĐ-CP layout (Phụ lục I) as numbers, shared by the Word templates' builder and
the PDF style sheet's context, so that both say the same (docs/documents.md names each rule).

Within each range the decree allows, the value chosen is the one its own examples use (Phụ lục I,
V: "Mẫu chữ và chi tiết trình bày"), except where noted."""

from __future__ import annotations

PAGE_WIDTH_MM = 210  # I.1: A4, portrait (I.2)
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 20  # I.3: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15
HEADER_DISTANCE_MM = 10  # the page number sits in the top margin (I.7)
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165

FONT = "Times New Roman"  # I.4; Liberation Serif (metric-compatible) stands in for PDF
PDF_FONT = "Liberation Serif"

AGENCY_PT = 12  # II.2.b: 12–13, capitals; the issuing body bold, its parent upright
NATIONAL_TITLE_PT = 12  # II.1.a: 12–13, bold capitals, on one line
MOTTO_PT = 13  # II.1.b: 13–14, bold, a rule as long as the line beneath
NUMBER_PT = 13  # II.3.c: 13
PLACE_DATE_PT = 14  # II.4.c: 13–14, italic
TITLE_PT = 14  # II.5.b: 13–14, bold capitals; the summary 13–14 bold below it
BODY_PT = 14  # II.6.e: 13–14, justified, first line 1 cm or 1.27 cm, ≥ 6 pt between paragraphs
FIRST_LINE_INDENT_CM = 1.27
PARAGRAPH_AFTER_PT = 6
SIGNATURE_PT = 14  # II.7.đ: authority and office 13–14 bold capitals; the name 13–14 bold
RECIPIENTS_HEAD_PT = 12  # II.9: "Nơi nhận:" 12 bold italic; the list 11 upright
RECIPIENTS_PT = 11
PAGE_NUMBER_PT = 13  # I.7: 13–14, centred in the top margin, not on the first page
# Tables are not a part the decree sizes; 12 pt keeps a ranking of nine columns on A4 upright.
TABLE_PT = 12
TABLE_SMALL_PT = 11

# The letterhead's two columns (Phụ lục I, IV: cells 2 and 1). The right one must hold
# "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in 12 pt bold on one line (about 89 mm).
LETTERHEAD_LEFT_MM = 62
LETTERHEAD_RIGHT_MM = TEXT_WIDTH_MM - LETTERHEAD_LEFT_MM  # 103

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
