"""Forms of the documents room: the year's document and conference details, a generation, an
uploaded Word template."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring.fields import LocalDateField, _UnitChoice
from scoring.models import ConferenceDetails, DocumentKind


class TimeOfDayField(forms.TimeField):
    """A time typed as 08:00 (or 8h00, 8g00, as offices write it), in a text input."""

    input_formats = ["%H:%M", "%Hh%M", "%Hg%M", "%H.%M"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TimeInput(
                format="%H:%M",
                attrs={"placeholder": "08:00", "inputmode": "numeric", "autocomplete": "off"},
            ),
        )
        kwargs.setdefault("help_text", _("giờ:phút, ví dụ 08:00"))
        super().__init__(*args, **kwargs)


class ConferenceDetailsForm(forms.ModelForm):
    """What the documents say that the app cannot know; the conference's times are a day and two
    times of that day."""

    held_on = LocalDateField(label=_("Ngày họp"), required=False)
    starts_at = TimeOfDayField(label=_("Giờ bắt đầu"), required=False)
    ends_at = TimeOfDayField(label=_("Giờ kết thúc"), required=False)

    class Meta:
        model = ConferenceDetails
        fields = [
            "place",
            "agency_symbol",
            "signer_name",
            "signer_title",
            "minutes_number",
            "venue",
            "held_on",
            "starts_at",
            "ends_at",
            "chair_name",
            "chair_title",
            "secretary_name",
            "secretary_title",
            "attendees",
            "agenda",
        ]
        widgets = {
            "attendees": forms.Textarea(attrs={"rows": 4}),
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.started_at:
            start = timezone.localtime(instance.started_at)
            self.initial.setdefault("held_on", start.date())
            self.initial.setdefault("starts_at", start.time().replace(second=0, microsecond=0))
        if instance.pk and instance.ended_at:
            self.initial.setdefault(
                "ends_at",
                timezone.localtime(instance.ended_at).time().replace(second=0, microsecond=0),
            )

    def clean(self):
        cleaned = super().clean()
        day, start, end = (cleaned.get(k) for k in ("held_on", "starts_at", "ends_at"))
        if (start or end) and not day:
            self.add_error("held_on", _("Nhập ngày họp cùng giờ bắt đầu, giờ kết thúc."))
        if start and end and end < start:
            self.add_error("ends_at", _("Giờ kết thúc phải sau giờ bắt đầu."))
        return cleaned

    def times(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The conference's start and end as aware datetimes (None where not given)."""
        day = self.cleaned_data.get("held_on")

        def at(time):
            if day is None or time is None:
                return None
            return timezone.make_aware(dt.datetime.combine(day, time))

        return at(self.cleaned_data.get("starts_at")), at(self.cleaned_data.get("ends_at"))


class GenerateForm(forms.Form):
    """A document to generate now: its kind, the member for a score sheet (none: every member),
    the number registered by the records office (none: left blank) and its date."""

    kind = forms.ChoiceField(
        label=_("Loại văn bản"),
        choices=[
            ("pack", _("Hồ sơ hội nghị: biên bản, báo cáo kết quả, phiếu chấm điểm các đơn vị")),
            *DocumentKind.choices,
        ],
    )
    unit = _UnitChoice(
        label=_("Đơn vị (phiếu chấm điểm)"),
        queryset=None,
        required=False,
        empty_label=_("Tất cả đơn vị"),
    )
    number = forms.CharField(
        label=_("Số văn bản"),
        max_length=20,
        required=False,
        help_text=_("Số đăng ký tại văn thư; để trống nếu chưa có (biên bản lấy số đã nhập)."),
    )
    issued_on = LocalDateField(
        label=_("Ngày văn bản"),
        required=False,
        help_text=_("Để trống: hôm nay (biên bản: ngày họp)."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if cleaned.get("number") and kind in ("pack", DocumentKind.MINUTES):
            self.add_error(
                "number",
                _(
                    "Biên bản mang số đã nhập trong thông tin hội nghị; hồ sơ hội nghị gồm nhiều "
                    "văn bản nên không nhận một số chung. Hãy sửa số biên bản ở thông tin hội "
                    "nghị, hoặc để trống ô này."
                ),
            )
        return cleaned


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("Mẫu Word đã sửa (.docx)"))
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    for_every_cluster = forms.BooleanField(
        label=_("Mẫu chung cho mọi cụm (quản trị hệ thống)"), required=False
    )

    def __init__(self, *args, may_set_default: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_set_default:
            del self.fields["for_every_cluster"]


class SignForm(forms.Form):
    """A signer's certificate for one signing: the PKCS#12 file and its password are used for
    this request only, never stored (scoring/documents/signing)."""

    pkcs12 = forms.FileField(
        label=_("Tệp chứng thư số (.p12, .pfx)"),
        help_text=_("Chỉ dùng cho lần ký này, không được lưu lại."),
    )
    password = forms.CharField(
        label=_("Mật khẩu của tệp chứng thư"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        max_length=200,
    )
    signer_name = forms.CharField(label=_("Họ và tên người ký"), max_length=200)
    signer_title = forms.CharField(
        label=_("Chức vụ, quyền hạn"), max_length=200, help_text=_("Ví dụ: Chủ trì hội nghị.")
    )
    reason = forms.CharField(label=_("Lý do ký"), max_length=200, required=False)
    location = forms.CharField(label=_("Nơi ký"), max_length=200, required=False)
