"""Forms of a year's setup: opening it, targets, the pledge and its signatures."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.fields import (
    LocalDateField,
    LocalDecimalField,
    PlainIntegerField,
    _UnitChoice,
    _UnitChoices,
    display_number,
)


class YearOpenForm(forms.Form):
    """Open a cluster's next emulation year."""

    year = PlainIntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    reporting_deadline = LocalDateField(label=_("Hạn nộp báo cáo"), required=False)
    members = _UnitChoices(
        label=_("Thành viên"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mang sang từ năm trước, đã thay các đơn vị sáp nhập bằng đơn vị kế thừa."),
    )
    head = _UnitChoice(label=_("Cụm trưởng"), queryset=None)
    deputies = _UnitChoices(
        label=_("Cụm phó"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    copy_scheme = forms.BooleanField(
        label=_("Sao chép thang điểm năm trước"), required=False, initial=True
    )

    def __init__(self, *args, units, **kwargs):
        """`units`: the units the cluster may take in (services.setup.units_open_to_cluster);
        any other id, posted by hand or too large for the database, is a field error."""
        super().__init__(*args, **kwargs)
        outside = _(
            "Đơn vị %(value)s không thuộc cụm này: chỉ được chọn thành viên các năm trước, đơn vị "
            "kế thừa của họ và đơn vị được quản trị hệ thống gắn vào cụm."
        )
        for name in ("members", "head", "deputies"):
            field = self.fields[name]
            field.queryset = units
            field.error_messages["invalid_choice"] = outside
            field.error_messages["invalid_pk_value"] = outside.replace("%(value)s", "%(pk)s")

    def clean(self):
        cleaned = super().clean()
        members = set(cleaned.get("members") or [])
        head = cleaned.get("head")
        deputies = set(cleaned.get("deputies") or [])
        if head is not None and members and head not in members:
            self.add_error("head", _("Cụm trưởng phải là thành viên."))
        if deputies - members:
            self.add_error("deputies", _("Cụm phó phải là thành viên."))
        if head is not None and head in deputies:
            self.add_error("deputies", _("Cụm trưởng không đồng thời là cụm phó."))
        return cleaned


class TargetsForm(forms.Form):
    """Members' own targets: a grid of member × criterion, blank for the scheme's default."""

    reason = forms.CharField(
        label=_("Lý do sửa đổi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi giao ước đã được ký đủ."),
    )
    upload = forms.FileField(
        label=_("Hoặc tải tệp chỉ tiêu (CSV/XLSX: unit,criterion,target)"), required=False
    )

    def __init__(self, *args, units, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.criteria = units, criteria
        for unit in units:
            for criterion in criteria:
                self.fields[self.cell(unit.pk, criterion.code)] = LocalDecimalField(
                    show_hidden_initial=True,
                    label=f"{unit.label} — {criterion.code}",
                    required=False,
                    max_digits=18,
                    decimal_places=4,
                    widget=forms.TextInput(
                        attrs={
                            "placeholder": ""
                            if criterion.target is None
                            else display_number(criterion.target),
                            "inputmode": "decimal",
                            "size": 6,
                        }
                    ),
                )

    @staticmethod
    def cell(unit_id: int, code: str) -> str:
        return f"t_{unit_id}_{code}"

    @classmethod
    def initial_for(cls, targets: dict[tuple[int, str], Decimal]) -> dict[str, str]:
        """The members' own targets ((unit id, criterion code) → target) as the cells show them."""
        return {cls.cell(u, c): display_number(v) for (u, c), v in targets.items()}

    def rows(self) -> list[tuple]:
        """The grid for the page: each member with its (criterion, cell) pairs."""
        return [
            (u, [(c, self[self.cell(u.pk, c.code)]) for c in self.criteria]) for u in self.units
        ]

    def grid(self) -> dict[tuple[int, str], Decimal | None]:
        """Only the cells this user changed (against what the form showed when it was opened), so
        that two people editing the grid never put back each other's old values."""
        changed = set(self.changed_data)
        return {
            (unit.pk, c.code): self.cleaned_data.get(self.cell(unit.pk, c.code))
            for unit in self.units
            for c in self.criteria
            if self.cell(unit.pk, c.code) in changed
        }


class PledgeForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    text = forms.CharField(label=_("Nội dung giao ước"), widget=forms.Textarea(attrs={"rows": 6}))

    @classmethod
    def for_pledge(cls, pledge, year) -> PledgeForm:
        """The published pledge's title and text, or a title to start from."""
        if pledge is not None:
            return cls(initial={"title": pledge.title, "text": pledge.text})
        title = _("Giao ước thi đua năm %(year)s") % {"year": year.year}
        return cls(initial={"title": title, "text": ""})


class SignatureForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    signed_by = forms.CharField(label=_("Người ký"), max_length=200)
    title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    signed_on = LocalDateField(label=_("Ngày ký"))
    scan = forms.FileField(label=_("Bản scan (PDF, JPEG, PNG; tối đa 10 MB)"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
