"""Forms of the targets' helpers (copy last year's targets) and of the bulk actions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class TargetsCopyForm(forms.Form):
    overwrite = forms.BooleanField(
        label=_("Ghi đè cả các ô đã có chỉ tiêu khác năm trước"), required=False
    )
    reason = forms.CharField(
        label=_("Lý do sửa đổi"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi giao ước đã được ký đủ."),
    )


def bulk_selection(data) -> dict[int, int]:
    """The reports ticked on the bulk-verify confirmation as {report id: version the page showed}
    (the ids are checked against the year by the service, which says which it skipped)."""
    result = {}
    for raw in data.getlist("report"):
        version = data.get(f"version-{raw}", "")
        if not (raw.isdigit() and version.isdigit() and len(raw) < 10 and len(version) < 10):
            raise ValidationError(_("Danh sách báo cáo không hợp lệ: hãy tải lại trang."))
        result[int(raw)] = int(version)
    if not result:
        raise ValidationError(_("Chưa chọn báo cáo nào để thẩm định."))
    return result
