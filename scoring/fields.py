"""Form fields and widgets every room's forms share: numbers and dates typed the Vietnamese way, Bootstrap classes, unit choices by id."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from scoring.engine.numbers import NumberFormatError, format_decimal, parse_decimal
from scoring.formatting import page_language as _language

BOOLEAN_CHOICES = [("", "—"), ("1", _("Có")), ("0", _("Không"))]

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


class PlainIntegerField(forms.IntegerField):
    """An integer that is not a figure (a year, a form's version): ASCII digits only. Python's
    int(), which Django's IntegerField uses, reads "２０２６", "٢٠٢٦" and "2_026" as 2026 — taken
    silently before (issue #14, finding 13); here they are refused."""

    default_error_messages = {"invalid": _("Nhập một số nguyên bằng các chữ số 0–9.")}

    def to_python(self, value):
        if (
            isinstance(value, str)
            and value.strip()
            and not re.fullmatch(r"[+-]?[0-9]+", value.strip())
        ):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


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
    attributes as Django computes them) instead of through the widget templates."""

    # Kept, measured (#15): the demo's 15-field report form renders in 3.9–6.6 ms with it, 8.6–14.9
    # ms with Django's widget templates (docs/performance.md, "Tricks kept").

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
            if fast is not None:  # the same widget, written without its template (FastInput)
                field.widget.__class__ = fast

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


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
