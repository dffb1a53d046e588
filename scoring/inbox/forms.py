from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(
        label=_("Gửi thư điện tử cho tôi khi có việc cần làm"),
        required=False,
        help_text=_(
            "Báo cáo bị trả lại, báo cáo chờ thẩm định, kiến nghị, bỏ phiếu, kết quả công bố. "
            "Danh sách việc cần làm trên trang chủ không thay đổi."
        ),
    )


class ContactsForm(forms.Form):
    """One e-mail field per member unit (named `email_<unit id>`)."""

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            contact = getattr(unit, "contact", None)
            self.fields[f"email_{unit.pk}"] = forms.EmailField(
                label=unit.name,
                required=False,
                initial=contact.email if contact else "",
                max_length=254,
            )

    def emails(self) -> dict[int, str]:
        return {unit.pk: self.cleaned_data[f"email_{unit.pk}"] for unit in self.units}


class InviteForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int)
    email = forms.EmailField(label=_("Thư điện tử của cán bộ báo cáo"), max_length=254)
    name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [("", "—")] + [(u.pk, u.name) for u in units]
