"""Forms: one field per data element of the scheme in force, with its definition beside it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .engine.numbers import NumberFormatError, format_decimal, parse_decimal
from .formatting import page_language as _language
from .models import Criterion, DataElement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BOOLEAN_CHOICES = [("", "—"), ("1", _("Có")), ("0", _("Không"))]


def normalize_number(text: str) -> str:
    """A typed number in the plain form Python reads ("1.234,5" → "1234.5"), by the rule of
    `scoring.engine.numbers.parse_decimal` in the active language. Raises NumberFormatError."""
    return str(parse_decimal(text, _language()))


# What NUMBER columns (18 digits, 4 decimals) can hold: larger input is refused on its field.
MAX_NUMBER = Decimal("99999999999999.9999")


def display_number(value, *, grouping: bool = True) -> str:
    """A stored figure as a person writes it in the active language: "127.529" not 127529.0000,
    "6,1" in Vietnamese, "1.000.000" (grouped unless `grouping` is off)."""
    text = format_decimal(Decimal(value), _language())
    if not grouping:
        text = text.replace("." if _language() == "vi" else ",", "")
    return text


class _LocalNumber:
    """A number typed the Vietnamese way (or the English way in English), in a text input:
    browsers' number inputs rewrite what a person types ("3155,5" arrived as 31555) before the
    server sees it. Limits and errors are written as people write numbers."""

    integer = False

    def __init__(self, *args, **kwargs):
        if kwargs.get("max_value") is None:
            kwargs["max_value"] = int(MAX_NUMBER) if self.integer else MAX_NUMBER
        if kwargs.get("min_value") is None:
            kwargs["min_value"] = -int(MAX_NUMBER) if self.integer else -MAX_NUMBER
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric" if self.integer else "decimal", "autocomplete": "off"}
            ),
        )
        super().__init__(*args, **kwargs)
        # Limits are checked in validate(), with the limit written as people write numbers.
        self.validators = [
            v for v in self.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]

    def widget_attrs(self, widget):
        # No min/max/step on a text input: the server checks them, with the messages below.
        return {
            key: value
            for key, value in super().widget_attrs(widget).items()
            if key not in ("min", "max", "step")
        }

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            return super().to_python(value)
        if len(value) > 60:
            raise forms.ValidationError(self._invalid_message(), code="invalid")
        try:
            number = parse_decimal(value, _language())
        except NumberFormatError:
            raise forms.ValidationError(self._invalid_message(), code="invalid") from None
        if self.integer:
            if number != number.to_integral_value():
                raise forms.ValidationError(self._invalid_message(), code="invalid")
            return int(number)
        return number

    def _invalid_message(self) -> StrOrPromise:
        if self.integer:
            return _("Nhập một số nguyên, ví dụ 1.250.")
        return _(
            "Nhập một số, ví dụ 1.234,5 (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần "
            "thập phân)."
        )

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise forms.ValidationError(
                _("Nhập một số không nhỏ hơn %(limit)s.")
                % {"limit": display_number(self.min_value)},
                code="min_value",
            )
        if self.max_value is not None and value > self.max_value:
            raise forms.ValidationError(
                _("Nhập một số không lớn hơn %(limit)s.")
                % {"limit": display_number(self.max_value)},
                code="max_value",
            )

    def prepare_value(self, value):
        # A stored number is shown as a person writes it; what was typed is shown as typed.
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return display_number(value)
        return value


class LocalIntegerField(_LocalNumber, forms.IntegerField):
    integer = True


class LocalDecimalField(_LocalNumber, forms.DecimalField):
    pass


class LocalDateField(forms.DateField):
    """One date widget everywhere: a text input read as dd/mm/yyyy (ISO also accepted), shown
    back as dd/mm/yyyy whatever the browser's locale (a browser's date input shows mm/dd/yyyy
    on an English computer)."""

    input_formats = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            ),
        )
        kwargs.setdefault("help_text", _("ngày/tháng/năm, ví dụ 15/12/2025"))
        super().__init__(*args, **kwargs)


def _bound(value):
    return None if value is None else Decimal(value)


class FastInput:
    """An <input> written in Python from the widget's own context (value formatting and
    attributes as Django computes them) instead of through the widget templates: ~1 ms less a
    field, forty fields on a report page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        final = {"type": widget["type"], "name": widget["name"], **widget["attrs"]}
        if widget["value"] is not None:
            final["value"] = widget["value"]
        # As flatatt writes them: True a bare attribute, False or None none, the rest escaped.
        written = "".join(
            f" {key}" if attr is True else f' {key}="{escape(attr)}"'
            for key, attr in final.items()
            if attr is not False and attr is not None
        )
        return mark_safe(f"<input{written}>")  # noqa: S308 — every value escaped above


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastTextInput(FastInput, forms.TextInput):
    pass


FAST_WIDGETS = {forms.NumberInput: FastNumberInput, forms.TextInput: FastTextInput}


class BootstrapFields:
    """Bootstrap's classes on the widgets themselves, for forms whose fields the template writes
    out ({% form_field %} in scoring_extras) instead of crispy-forms' per-field templates; plain inputs are
    written without the widget templates (FastInput)."""

    fields: dict[str, forms.Field]  # mixed into forms

    def bootstrap_widgets(self) -> None:
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
            fast = FAST_WIDGETS.get(type(field.widget))
            if fast is not None:
                field.widget.__class__ = fast

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class ReportForm(BootstrapFields, forms.Form):
    """The year report. `elements` are the scheme's data elements in order; `version` is the report
    version the form was opened at (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
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


class ReturnForm(BootstrapFields, forms.Form):
    """The secretariat's comments per figure when returning a report."""

    version = forms.IntegerField(widget=forms.HiddenInput)
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


def _is_id(value) -> bool:
    """An id as the URLs take it (emulation/urls.py): 1 to 18 ASCII digits, so it fits the
    database's key (a larger one made the query raise OverflowError: a 500)."""
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


class _UnitChoice(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class _UnitChoices(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not _is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class YearOpenForm(forms.Form):
    """Open a cluster's next emulation year."""

    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
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


class SignatureForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    signed_by = forms.CharField(label=_("Người ký"), max_length=200)
    title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    signed_on = LocalDateField(label=_("Ngày ký"))
    scan = forms.FileField(label=_("Bản scan (PDF, JPEG, PNG; tối đa 10 MB)"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


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

    scheme = forms.IntegerField(widget=forms.HiddenInput)  # the version the form was opened at

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
