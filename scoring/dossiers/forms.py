"""Forms of the award dossier's path: making a dossier, its documents and steps, the queue's
filters, an awarding body's council, its members and ballot results, and its deadlines. Numbers
and dates are typed the Vietnamese way (scoring/fields.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.fields import LocalDateField, LocalIntegerField, PlainIntegerField
from scoring.models import CouncilMember, Dossier

REASON_MAX = 4000


def _count(label):
    return LocalIntegerField(label=label, min_value=0, max_value=999, initial=0)


class DossierCreateForm(forms.Form):
    proposal = forms.TypedChoiceField(
        label=_("Đề nghị của hội nghị"), coerce=int, required=False, empty_value=None
    )
    unit = forms.TypedChoiceField(
        label=_("Hoặc đơn vị được đề nghị"), coerce=int, required=False, empty_value=None
    )
    award_code = forms.ChoiceField(label=_("Hình thức khen thưởng (theo bộ quy tắc)"))
    body = forms.TypedChoiceField(label=_("Gửi đến cơ quan khen thưởng"), coerce=int)

    def __init__(self, *args, proposals, members, awards, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [("", "—")] + [
            (p.pk, f"{p.award_kind.name}: {p.unit.name}") for p in proposals
        ]
        self.fields["unit"].choices = [("", "—")] + [(u.pk, u.name) for u in members]
        self.fields["award_code"].choices = awards
        self.fields["body"].choices = [(b.pk, b.name) for b in bodies]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("proposal") and not data.get("unit"):
            self.add_error("unit", _("Chọn đề nghị của hội nghị hoặc đơn vị được đề nghị."))
        return data


class DocumentForm(forms.Form):
    item_code = forms.ChoiceField(label=_("Mục hồ sơ"))
    file = forms.FileField(
        label=_("Tệp (PDF hoặc Word .docx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    number = forms.CharField(
        label=_("Số, ký hiệu văn bản"),
        max_length=60,
        required=False,
        help_text=_("Ví dụ 12/TTr-LMHTX"),
    )
    issued_on = LocalDateField(label=_("Ngày văn bản"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = items


class GeneratedForm(forms.Form):
    item_code = forms.ChoiceField(label=_("Mục hồ sơ"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = items


class DocumentRemoveForm(forms.Form):
    document = PlainIntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppraiseForm(forms.Form):
    note = forms.CharField(
        label=_("Ý kiến thẩm định"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi đơn vị chưa đủ điều kiện theo bộ quy tắc: ghi rõ căn cứ."),
    )


class DecideForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = LocalDateField(label=_("Ngày quyết định"))
    deciding_body = forms.CharField(label=_("Cơ quan quyết định"), max_length=200)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class QueueForm(forms.Form):
    """The queue's filters (GET), for their labels and choices: the page writes the inputs
    itself and reads the address leniently (anything unknown is ignored, never refused)."""

    award = forms.ChoiceField(label=_("Hình thức"), required=False)
    cum = forms.CharField(label=_("Cụm, khối (tên có chứa)"), max_length=100, required=False)
    state = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + Dossier.State.choices
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("han", _("Ít ngày làm việc còn lại trước")),
            ("-han", _("Nhiều ngày làm việc còn lại trước")),
            ("nhan", _("Mới nhận trước")),
            ("cum", _("Theo cụm")),
            ("hinh-thuc", _("Theo hình thức")),
        ],
    )
    qua_han = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].choices = [("", _("Tất cả"))] + list(awards)


class CouncilForm(forms.Form):
    year = LocalIntegerField(label=_("Năm thành tích xét"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Tên hội đồng"), max_length=200)


class CouncilMemberForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=120)
    title = forms.CharField(label=_("Chức vụ, đơn vị công tác"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Vai trò trong hội đồng"), choices=CouncilMember.Role.choices)


class MemberRemoveForm(forms.Form):
    member = PlainIntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class CouncilResultForm(forms.Form):
    dossier = forms.TypedChoiceField(label=_("Đề nghị"), coerce=int)
    met_on = LocalDateField(label=_("Ngày họp"))
    present = _count(_("Số thành viên có mặt"))
    yes = _count(_("Phiếu đồng ý"))
    no = _count(_("Phiếu không đồng ý"))
    invalid = _count(_("Phiếu không hợp lệ"))
    written_yes = _count(_("Thành viên vắng mặt đồng ý bằng văn bản"))
    written_no = _count(_("Thành viên vắng mặt không đồng ý bằng văn bản"))
    scan = forms.FileField(
        label=_("Bản scan ý kiến bằng văn bản (PDF, JPEG, PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    reason = forms.CharField(
        label=_("Lý do sửa kết quả (khi ghi lại)"), max_length=REASON_MAX, required=False
    )

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = dossiers


class DeadlineForm(forms.Form):
    award_code = forms.ChoiceField(label=_("Hình thức khen thưởng"))
    year = LocalIntegerField(label=_("Năm thành tích"), min_value=2000, max_value=2100)
    due_on = LocalDateField(label=_("Hạn gửi hồ sơ"))
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_code"].choices = awards
