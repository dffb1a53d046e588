"""Forms of the scoring scheme: importing a version, amending a criterion."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.fields import LocalDecimalField, PlainIntegerField, display_number
from scoring.models import Criterion


class SchemeImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp thang điểm (YAML hoặc JSON, định dạng emulation-scheme/1)"))
    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi năm đã có thang điểm: đây là sửa đổi giao ước."),
    )


class CriterionForm(forms.Form):
    """Edit one criterion: saved as a new scheme version with a reason."""

    scheme = PlainIntegerField(widget=forms.HiddenInput)  # the version the form was opened at

    name = forms.CharField(label=_("Tên"), max_length=500)
    definition = forms.CharField(
        label=_("Định nghĩa tử số, mẫu số"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measure = forms.CharField(label=_("Công thức đo"), required=False, max_length=2000)
    target = LocalDecimalField(label=_("Chỉ tiêu"), required=False, max_digits=18, decimal_places=4)
    unit = forms.CharField(label=_("Đơn vị tính"), required=False, max_length=40)
    direction = forms.ChoiceField(label=_("Chiều"), choices=Criterion.Direction.choices)
    points = LocalDecimalField(label=_("Điểm tối đa"), min_value=0, max_digits=18, decimal_places=4)
    kind = forms.ChoiceField(label=_("Loại"), choices=Criterion.Kind.choices)
    rule = forms.ChoiceField(label=_("Cách chấm"), choices=Criterion.Rule.choices)
    knockout = forms.BooleanField(label=_("Tiêu chí bắt buộc"), required=False)
    reason = forms.CharField(label=_("Lý do sửa đổi"), widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_criterion(cls, criterion: Criterion) -> CriterionForm:
        """The criterion as stored, its numbers as a person would type them, opened at its
        scheme version."""
        initial = {
            f: getattr(criterion, f)
            for f in (
                "name",
                "definition",
                "measure",
                "unit",
                "direction",
                "kind",
                "rule",
                "knockout",
            )
        }
        initial.update(
            target=None if criterion.target is None else display_number(criterion.target),
            points=display_number(criterion.points),
            scheme=criterion.scheme_id,
        )
        return cls(initial=initial)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "definition": data["definition"],
            "measure": data["measure"],
            "target": None if data["target"] is None else float(data["target"]),
            "unit": data["unit"] or None,
            "direction": data["direction"],
            "points": float(data["points"]),
            "kind": data["kind"],
            "rule": data["rule"],
            "knockout": data["knockout"],
        }
