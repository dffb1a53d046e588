"""Forms of a member's report: the figures, returning it with comments, manual points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.fields import (
    BOOLEAN_CHOICES,
    BootstrapFields,
    LocalDecimalField,
    LocalIntegerField,
    PlainIntegerField,
    _bound,
    display_number,
)
from scoring.models import DataElement


class ReportForm(BootstrapFields, forms.Form):
    """The year report. `elements` are the scheme's data elements in order; `version` is the report
    version the form was opened at (optimistic lock)."""

    version = PlainIntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Ghi chú chung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, elements: list[DataElement], **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        for element in elements:
            self.fields[self.field_name(element.code)] = self._field(element)
        self.bootstrap_widgets()

    def show_last_year(self, previous: dict[str, Decimal]) -> None:
        """Last year's figures in the fields' help, for the page (a save that succeeds redirects
        and never reads them)."""
        for element in self.elements:
            last_year = previous.get(element.code)
            if last_year is not None:
                field = self.fields[self.field_name(element.code)]
                text = _("Năm trước: %(value)s") % {"value": display_number(last_year)}
                field.help_text = " · ".join(str(p) for p in (field.help_text, text) if p)

    @staticmethod
    def field_name(code: str) -> str:
        return f"e_{code}"

    @classmethod
    def for_report(cls, elements: list[DataElement], stored: dict, report, **kwargs) -> ReportForm:
        """The unbound form of a report: its stored figures and note, at its version (1 before
        its first save)."""
        initial = cls.initial_for(elements, stored)
        initial.update(version=report.version if report else 1, note=report.note if report else "")
        return cls(initial=initial, elements=elements, **kwargs)

    @classmethod
    def initial_for(cls, elements: list[DataElement], stored: dict[str, Decimal | None]) -> dict:
        """Stored figures as a person would type them: 1200, not 1200.0000; 6,1 in Vietnamese."""
        initial = {}
        for element in elements:
            value = stored.get(element.code)
            if value is None:
                continue
            if element.type == DataElement.Type.BOOLEAN and value == value.to_integral_value():
                text = str(int(value))
            else:
                text = display_number(value)
            initial[cls.field_name(element.code)] = text
        return initial

    def _field(self, element: DataElement) -> forms.Field:
        common: dict[str, Any] = {
            "label": element.name,
            "required": False,
            "help_text": element.definition or "",
        }
        lo, hi = _bound(element.min_value), _bound(element.max_value)
        if element.type == DataElement.Type.BOOLEAN:
            return forms.TypedChoiceField(
                choices=BOOLEAN_CHOICES, coerce=Decimal, empty_value=None, **common
            )
        if element.type == DataElement.Type.INTEGER:
            return LocalIntegerField(min_value=lo, max_value=hi, **common)
        if element.type == DataElement.Type.PERCENT:
            lo = Decimal(0) if lo is None else lo
            hi = Decimal(100) if hi is None else hi
        return LocalDecimalField(
            min_value=lo, max_value=hi, max_digits=18, decimal_places=4, **common
        )

    def clean(self):
        cleaned = super().clean()
        by_code = {e.code: e for e in self.elements}
        for element in self.elements:
            if not element.max_element or element.max_element not in by_code:
                continue
            value = cleaned.get(self.field_name(element.code))
            limit = cleaned.get(self.field_name(element.max_element))
            if value is not None and limit is not None and value > limit:
                self.add_error(
                    self.field_name(element.code),
                    _("Không thể lớn hơn “%(other)s” (%(limit)s): tử số không vượt mẫu số.")
                    % {
                        "other": by_code[element.max_element].name,
                        "limit": display_number(limit),
                    },
                )
        return cleaned

    def values(self) -> dict[str, Decimal | None]:
        result = {}
        for element in self.elements:
            value = self.cleaned_data.get(self.field_name(element.code))
            result[element.code] = None if value is None else Decimal(value)
        return result

    def understood(self) -> list[tuple[str, str]]:
        """Each figure as the server read it, written back the Vietnamese way ("3.155,5")."""
        values = self.values()
        return [
            (e.name, "—" if values.get(e.code) is None else display_number(values[e.code]))
            for e in self.elements
        ]

    def formatted(self) -> ReportForm:
        """The same figures, each shown as it was understood, so that a person sees that "3155,5"
        was read as 3.155,5 before anything is saved."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a bound form's QueryDict
        for element in self.elements:
            name = self.field_name(element.code)
            value = self.cleaned_data.get(name)
            if value is not None:
                data[name] = (
                    str(int(value))
                    if element.type == element.Type.BOOLEAN
                    else display_number(value)
                )
        formatted = ReportForm(data, elements=self.elements)
        formatted.is_valid()
        return formatted


def posted_answers(data) -> dict[int, str]:
    """The reporter's answers to the secretariat's comments, posted as `answer_<comment id>`."""
    return {
        int(key.removeprefix("answer_")): value
        for key, value in data.items()
        if key.startswith("answer_") and key.removeprefix("answer_").isdigit()
    }


class ReturnForm(BootstrapFields, forms.Form):
    """The secretariat's comments per figure when returning a report."""

    version = PlainIntegerField(widget=forms.HiddenInput)
    general = forms.CharField(
        label=_("Nhận xét chung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, elements: list[DataElement], **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        for element in elements:
            self.fields[f"c_{element.code}"] = forms.CharField(
                label=f"{element.name} ({element.code})", required=False, max_length=2000
            )
        self.bootstrap_widgets()

    def comments(self) -> dict[str, str]:
        result = {"": self.cleaned_data.get("general", "")}
        for element in self.elements:
            result[element.code] = self.cleaned_data.get(f"c_{element.code}", "")
        return result


class ManualPointsForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    criterion = forms.ChoiceField(label=_("Tiêu chí"))
    points = LocalDecimalField(label=_("Điểm"), min_value=0, max_digits=18, decimal_places=4)
    proposed = LocalDecimalField(
        label=_("Điểm đơn vị tự chấm"), required=False, min_value=0, max_digits=18, decimal_places=4
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["criterion"].choices = [
            (
                c.code,
                _("%(code)s. %(name)s (%(rule)s, tối đa %(points)s điểm)")
                % {
                    "code": c.code,
                    "name": c.name,
                    "rule": c.get_rule_display(),
                    "points": display_number(c.points),
                },
            )
            for c in criteria
        ]
