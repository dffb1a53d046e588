from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from scoring.engine.numbers import format_decimal
from scoring.formatting import page_language as _language
from scoring.reporting.selectors import report_status_label

register = template.Library()

NBSP = "\u00a0"


def _grouped(number: Decimal, places: int, language: str) -> str:
    """Half up to `places` decimals, trailing zeros trimmed, thousands grouped."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, language)


@register.filter
def vn_number(value, places: int = 2) -> str:
    """`{{ x|vn_number }}` — a number as the page's language writes it: "127.529", "62,5" (in
    English "127,529", "62.5"); at most `places` decimals (2 unless told, e.g. `vn_number:4` for
    a reported figure), trailing zeros trimmed; "—" for none."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            return str(value)
        return _grouped(number, int(places), _language())
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


@register.filter
def percent(share) -> str:
    """`{{ 0.5|percent }}` → "50 %": a share written as a per cent, as Vietnamese writes it."""
    if share is None or share == "":
        return "—"
    return f"{vn_number(Decimal(str(share)) * 100)}{NBSP}%"


@register.filter
def with_unit(value, unit) -> str:
    """`{{ x|with_unit:"HTX" }}` — the number and its unit kept on one line by a non-breaking
    space, also before "%", as Vietnamese writes it ("62,5 %", "20 HTX")."""
    text = vn_number(value)
    return f"{text}{NBSP}{unit}" if unit and value is not None and value != "" else text


@register.filter
def element_name(code, elements) -> str:
    """`{{ comment.element_code|element_name:elements }}` — a data element's name from the
    scheme's elements (objects with `code` and `name`); the code itself if it has none."""
    for element in elements or ():
        if element.code == code:
            return element.name
    return code


@register.filter
def report_status(report) -> str:
    """`{{ report|report_status }}` — the one label of a report's state (None: not started)."""
    return report_status_label(report)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` — a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def form_field(field):
    """`{% form_field field %}` — one form field in Bootstrap 5's markup (what crispy-forms
    writes: label, widget, errors, help), written in Python rather than through an included
    template per field, which took a third of the report page's rendering. The widget carries
    its classes (scoring.forms.BootstrapFields); every text is escaped."""
    auto_id = field.auto_id
    errors = format_html_join(
        "",
        '<span id="error_{}_{}" class="invalid-feedback d-block"><strong>{}</strong></span>',
        ((number, auto_id, error) for number, error in enumerate(field.errors, 1)),
    )
    help_text = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, field.help_text)
        if field.help_text
        else ""
    )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        auto_id,
        field.id_for_label,
        field.label,
        field,
        errors,
        help_text,
    )


# What each recorded action is called, for pages in a language other than the one the audit
# trail's summaries are written in (Vietnamese, with the names and numbers of the moment).
AUDIT_ACTIONS = {
    "admin.add": gettext_lazy("Thêm trong trang quản trị"),
    "admin.change": gettext_lazy("Sửa trong trang quản trị"),
    "admin.delete": gettext_lazy("Xoá trong trang quản trị"),
    "award_kind.create": gettext_lazy("Tạo hình thức khen thưởng"),
    "ballot.close": gettext_lazy("Kết thúc bỏ phiếu"),
    "ballot.open": gettext_lazy("Mở bỏ phiếu"),
    "ballot.paper_vote": gettext_lazy("Nhập phiếu giấy"),
    "ballot.reopen": gettext_lazy("Mở lại bỏ phiếu"),
    "conference.election": gettext_lazy("Bầu cụm trưởng, cụm phó"),
    "conference.flag": gettext_lazy("Bàn giao cờ luân lưu"),
    "document.sign": gettext_lazy("Ký số văn bản"),
    "evidence.add": gettext_lazy("Đính kèm minh chứng"),
    "evidence.delete": gettext_lazy("Xoá minh chứng"),
    "figures.import": gettext_lazy("Nhập số liệu từ tệp"),
    "manual.delete": gettext_lazy("Xoá điểm chấm tay"),
    "manual.set": gettext_lazy("Nhập điểm chấm tay"),
    "objection.answer": gettext_lazy("Trả lời kiến nghị"),
    "objection.file": gettext_lazy("Gửi kiến nghị"),
    "pledge.lock": gettext_lazy("Khoá giao ước"),
    "pledge.publish": gettext_lazy("Công bố giao ước"),
    "pledge.sign": gettext_lazy("Ký giao ước"),
    "report.paper_entry": gettext_lazy("Ban thư ký nhập thay báo cáo giấy"),
    "report.reopen_late": gettext_lazy("Cho phép nộp muộn"),
    "report.return": gettext_lazy("Trả lại báo cáo"),
    "report.save": gettext_lazy("Lưu nháp báo cáo"),
    "report.submit": gettext_lazy("Nộp báo cáo"),
    "report.verify": gettext_lazy("Thẩm định báo cáo"),
    "scheme.version": gettext_lazy("Phiên bản thang điểm mới"),
    "targets.amend": gettext_lazy("Sửa chỉ tiêu"),
    "year.offices": gettext_lazy("Cụm trưởng, cụm phó"),
    "year.open": gettext_lazy("Mở năm thi đua"),
    "year.remind": gettext_lazy("Nhắc nộp báo cáo"),
    "year.reopen": gettext_lazy("Mở lại năm thi đua"),
    "year.status": gettext_lazy("Chuyển trạng thái năm"),
}


@register.filter
def audit_summary(entry) -> str:
    """`{{ entry|audit_summary }}` — the entry's own summary in Vietnamese; in another language,
    what the action is called there."""
    if _language() == "vi":
        return entry.summary
    return str(AUDIT_ACTIONS.get(entry.action, entry.action))
