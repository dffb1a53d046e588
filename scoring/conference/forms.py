"""Forms of the year-end conference page."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from clusters.models import Unit
from scoring.awards.rule_sets import rule_set_on
from scoring.errors import ScoringError
from scoring.fields import LocalDateField, LocalDecimalField, LocalIntegerField
from scoring.models import AwardKind, Ballot
from scoring.setup.services.pledges import scan_check


def _local_number_field(db_field, **kwargs):
    """Numbers typed the Vietnamese way in text inputs (see scoring.forms._LocalNumber)."""
    if isinstance(db_field, models.PositiveSmallIntegerField):
        return db_field.formfield(form_class=LocalIntegerField, **kwargs)
    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(form_class=LocalDecimalField, **kwargs)
    return db_field.formfield(**kwargs)


class AwardKindForm(forms.ModelForm):
    class Meta:
        model = AwardKind
        formfield_callback = _local_number_field
        fields = [
            "name",
            "code",
            "conferred_by",
            "leads_cluster",
            "award_code",
            "min_band",
            "requires_knockouts",
            "min_rank",
            "cap_count",
            "cap_percent",
            "min_vote_percent",
            "quorum_percent",
            "tie_rule",
            "allow_self_vote",
        ]

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.cluster = cluster
        # Left empty: the model's default (half the members).
        self.fields["quorum_percent"].required = False
        # The award kinds of the rule set in force today, by name in the page's language.
        self.rule_set = rule_set_on(timezone.localdate())
        english = get_language() == "en"
        self.fields["award_code"].widget = forms.Select(
            choices=[("", _("— Không (chỉ theo điều kiện của cụm) —"))]
            + [
                (code, kind.name_en if english else kind.name)
                for code, kind in self.rule_set.awards.items()
            ]
        )

    def clean_award_code(self):
        code = (self.cleaned_data.get("award_code") or "").strip()
        if code and code not in self.rule_set.awards:
            raise forms.ValidationError(
                _("Bộ quy tắc đang áp dụng (%(rules)s) không có hình thức khen thưởng “%(code)s”.")
                % {"rules": self.rule_set.name, "code": code[:60]}
            )
        return code

    def clean_quorum_percent(self):
        value = self.cleaned_data.get("quorum_percent")
        return AwardKind._meta.get_field("quorum_percent").default if value is None else value

    def clean_code(self):
        code = self.cleaned_data["code"]
        if AwardKind.objects.filter(cluster=self.cluster, code=code).exists():
            raise forms.ValidationError(_("Cụm đã có hình thức khen thưởng với mã này."))
        return code

    def clean(self):
        data = super().clean()
        count, percent = data.get("cap_count"), data.get("cap_percent")
        if count is not None and percent is not None:
            raise forms.ValidationError(
                _("Chỉ ghi một trong hai: số lượng tối đa hoặc tỷ lệ tối đa.")
            )
        if count is None and percent is None and "cap_count" not in self.errors:
            self.add_error(
                "cap_count", _("Cần ghi số lượng tối đa hoặc tỷ lệ tối đa được đề nghị.")
            )
        if percent is not None and not 0 < percent <= 100:
            self.add_error("cap_percent", _("Tỷ lệ phải lớn hơn 0 và không quá 100."))
        if data.get("min_vote_percent") is not None and data["min_vote_percent"] > 100:
            self.add_error("min_vote_percent", _("Tỷ lệ không quá 100."))
        if data.get("quorum_percent") is not None and data["quorum_percent"] > 100:
            self.add_error("quorum_percent", _("Tỷ lệ không quá 100."))
        return data

    def save(self, commit=True):
        self.instance.cluster = self.cluster
        return super().save(commit)


class BallotOpenForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Nội dung"), choices=Ballot.Purpose.choices)
    award_kind = forms.ModelChoiceField(
        label=_("Hình thức khen thưởng"), queryset=AwardKind.objects.none(), required=False
    )
    seats = LocalIntegerField(
        label=_("Mỗi phiếu chọn tối đa"), min_value=1, max_value=10, initial=1
    )
    allow_self_vote = forms.BooleanField(label=_("Được bỏ phiếu cho mình (bầu cử)"), required=False)

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_kind"].queryset = AwardKind.objects.filter(cluster=cluster)

    def clean(self):
        data = super().clean()
        if data.get("purpose") == Ballot.Purpose.AWARD and not data.get("award_kind"):
            self.add_error("award_kind", _("Bình xét khen thưởng cần chọn hình thức khen thưởng."))
        if data.get("purpose") != Ballot.Purpose.AWARD:
            data["award_kind"] = None
        return data


class VoteForm(forms.Form):
    """One ballot paper: up to `seats` candidates; the secretariat also names the member whose
    paper ballot it records."""

    choices = forms.MultipleChoiceField(
        label=_("Đơn vị được chọn"), widget=forms.CheckboxSelectMultiple
    )
    voter = forms.ChoiceField(label=_("Đơn vị bỏ phiếu"))

    def __init__(self, *args, candidates, voters, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        self.voters = {str(u.pk): u for u in voters}
        self.fields["choices"].choices = [(str(u.pk), u.name) for u in candidates]
        self.fields["voter"].choices = [(str(u.pk), u.name) for u in voters]
        if len(voters) == 1:
            self.fields["voter"].widget = forms.HiddenInput()
            self.fields["voter"].initial = str(voters[0].pk)

    def clean_choices(self):
        chosen = self.cleaned_data["choices"]
        if len(chosen) > self.seats:
            raise forms.ValidationError(
                ngettext(
                    "Chỉ được chọn tối đa %(n)s đơn vị.",
                    "Chỉ được chọn tối đa %(n)s đơn vị.",
                    self.seats,
                )
                % {"n": self.seats}
            )
        return [int(c) for c in chosen]

    def voter_unit(self) -> Unit:
        """The member unit the (valid) vote is cast for."""
        return self.voters[self.cleaned_data["voter"]]


class PaperVoteForm(VoteForm):
    """A paper ballot entered by the secretariat: the scan of the member's signed paper is
    required (the member sees it, and may contest the entry before the close)."""

    scan = forms.FileField(label=_("Bản scan phiếu giấy có chữ ký (PDF, JPEG, PNG; tối đa 10 MB)"))

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        try:
            scan_check(scan)
        except ScoringError as error:
            raise forms.ValidationError(str(error)) from None
        return scan


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại (mọi phiếu đã bỏ sẽ bị huỷ, các đơn vị bỏ phiếu lại từ đầu)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do khiếu nại phiếu giấy"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ElectionForm(forms.Form):
    """Next year's head and deputies recorded directly (a cluster that rotates by turn)."""

    head = forms.ChoiceField(label=_("Cụm trưởng"))
    deputies = forms.MultipleChoiceField(
        label=_("Cụm phó"), required=False, widget=forms.CheckboxSelectMultiple
    )
    elected_on = LocalDateField(label=_("Ngày bầu"), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(u.pk): u for u in members}
        self.fields["head"].choices = [(str(u.pk), u.name) for u in members]
        self.fields["deputies"].choices = [(str(u.pk), u.name) for u in members]

    def clean(self):
        data = super().clean()
        if data.get("head") and data.get("head") in (data.get("deputies") or []):
            self.add_error("deputies", _("Một đơn vị không thể vừa là cụm trưởng vừa là cụm phó."))
        return data

    def head_unit(self) -> Unit:
        return self.members[self.cleaned_data["head"]]

    def deputy_units(self) -> list[Unit]:
        return [self.members[pk] for pk in self.cleaned_data["deputies"]]


class FlagForm(forms.Form):
    from_unit = forms.ChoiceField(label=_("Đơn vị bàn giao"))
    to_unit = forms.ChoiceField(label=_("Đơn vị nhận"))
    handed_on = LocalDateField(label=_("Ngày bàn giao"))
    occasion = forms.CharField(label=_("Hội nghị"), required=False, max_length=300)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["from_unit"].choices = [(str(u.pk), u.name) for u in units]
        self.fields["to_unit"].choices = [(str(u.pk), u.name) for u in units]

    def clean(self):
        data = super().clean()
        if data.get("from_unit") and data.get("from_unit") == data.get("to_unit"):
            self.add_error("to_unit", _("Đơn vị nhận cờ phải khác đơn vị bàn giao."))
        return data

    def from_to_units(self) -> tuple[Unit, Unit]:
        """The units that hand over and receive the flag (after is_valid)."""
        return self.units[self.cleaned_data["from_unit"]], self.units[self.cleaned_data["to_unit"]]
