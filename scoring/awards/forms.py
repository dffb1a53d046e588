"""Forms of the award register: a decision with its recipients, a file of past decisions, a hold."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.models import Unit
from scoring.fields import LocalDateField, LocalIntegerField
from scoring.models import UnitHold


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = LocalDateField(label=_("Ngày quyết định"))
    deciding_body = forms.CharField(label=_("Cơ quan quyết định"), max_length=200)
    award_code = forms.ChoiceField(label=_("Hình thức khen thưởng"))
    achievement_year = LocalIntegerField(label=_("Năm thành tích"), min_value=1945, max_value=2200)
    units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị được khen thưởng"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, award_choices, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_code"].choices = award_choices
        self.fields["units"].queryset = units


class DecisionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp quyết định đã có (.xlsx hoặc .csv)"),
        help_text=_(
            "Mỗi dòng một đơn vị được khen: decision, date, body, award, year, unit (mã đơn vị), "
            "note. Tệp có lỗi không được nhập dòng nào."
        ),
    )


class HoldForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Lý do tạm hoãn"), choices=UnitHold.Kind.choices)
    since = LocalDateField(label=_("Từ ngày"))
    until = LocalDateField(label=_("Đến ngày"), required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RuleSetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp bộ quy tắc (.yaml)"),
        help_text=_(
            "Định dạng award-rules/1 (docs/awards.md). Cùng mã với một bộ quy tắc đang có: phiên "
            "bản mới thay thế; mã mới: thêm bộ quy tắc (thời gian áp dụng không được trùng)."
        ),
    )
    note = forms.CharField(label=_("Lý do, căn cứ"), max_length=300, required=False)
