"""From proposal to decision (#17): the awarding body's council and the result of its secret
ballot on each proposal, the award dossier with its documents and its legal clocks, the deadlines
the awarding body sets, and the days off and worked that the working-day clocks add to Vietnam's
public holidays (scoring/engine/awards/dossier.py has the path, workdays.py the calendar).

Ballot secrecy (docs/security.md, "The council's secret ballot"): a council's result is counts
only — ballots for, against and invalid, members present, absent members' written opinions for
and against — entered from the tally sheet; nothing ties a member to a ballot, and no member is
linked to the result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Council(models.Model):
    """The emulation and commendation council (Hội đồng Thi đua – Khen thưởng) of an awarding
    body for the proposals of one achievement year."""

    body = models.ForeignKey(
        "clusters.Unit",
        verbose_name=_("cơ quan khen thưởng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm thành tích xét"))
    name = models.CharField(_("tên hội đồng"), max_length=200)
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("hội đồng thi đua – khen thưởng")
        verbose_name_plural = _("hội đồng thi đua – khen thưởng")
        ordering = ["body_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="one_council_per_body_and_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="council_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class CouncilMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chủ tịch Hội đồng")
        VICE_CHAIR = "vice_chair", _("Phó Chủ tịch Hội đồng")
        STANDING = "standing", _("Ủy viên thường trực")
        MEMBER = "member", _("Ủy viên")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("họ và tên"), max_length=120)
    title = models.CharField(_("chức vụ, đơn vị công tác"), max_length=200, blank=True)
    role = models.CharField(_("vai trò trong hội đồng"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("thành viên hội đồng")
        ordering = ["council_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council"], condition=Q(role="chair"), name="one_chair_per_council"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class DossierQuerySet(models.QuerySet):
    def awaiting(self):
        return self.filter(state__in=Dossier.AWAITING)


class Dossier(models.Model):
    """A proposal at the awarding level (hồ sơ đề nghị khen thưởng): a unit of a cluster's year
    for an award kind of the rule sets, addressed to an awarding body — from a proposal of the
    year's conference, or made by the cluster's secretariat."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Đang chuẩn bị")
        SUBMITTED = "submitted", _("Đã gửi")
        RETURNED = "returned", _("Bị trả lại")
        RESUBMITTED = "resubmitted", _("Đã gửi lại")
        APPRAISED = "appraised", _("Đã thẩm định")
        DECIDED = "decided", _("Đã có quyết định")
        REVOKED = "revoked", _("Đã thu hồi")

    AWAITING = ("submitted", "resubmitted", "appraised")

    body = models.ForeignKey(
        "clusters.Unit",
        verbose_name=_("cơ quan khen thưởng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    emulation_year = models.ForeignKey(
        "clusters.EmulationYear",
        verbose_name=_("năm thi đua"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    unit = models.ForeignKey(
        "clusters.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    award_code = models.SlugField(_("mã hình thức khen thưởng"), max_length=60)
    award_name = models.CharField(_("hình thức khen thưởng"), max_length=200)
    proposal = models.OneToOneField(
        "scoring.AwardProposal",
        verbose_name=_("đề nghị của hội nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier",
    )
    # Whether the unit leads its cluster in the year (the proposal's award kind names the leading
    # unit, or it ranked first): the leaders a cap "of leaders" counts.
    leads_cluster = models.BooleanField(_("đơn vị dẫn đầu cụm"), default=False)
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    # The first receipt fixes the law that judges it (the rule set in force that day); every
    # receipt (a resubmission too) starts the awarding level's clocks again.
    received_on = models.DateField(_("ngày tiếp nhận lần đầu"), null=True, blank=True)
    rule_set_code = models.SlugField(_("bộ quy tắc áp dụng"), max_length=60, blank=True)
    last_received_on = models.DateField(_("ngày tiếp nhận"), null=True, blank=True)
    return_by = models.DateField(_("hạn trả lại hồ sơ"), null=True, blank=True)
    appraise_by = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    appraised_on = models.DateField(_("ngày thẩm định"), null=True, blank=True)
    forward_by = models.DateField(_("hạn chuyển quyết định"), null=True, blank=True)
    # The deadline of the clock running now (appraisal, then forwarding): the queue sorts on it.
    due_on = models.DateField(_("hạn hiện tại"), null=True, blank=True, db_index=True)
    late = models.BooleanField(_("gửi sau hạn"), default=False)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    appraisal_note = models.TextField(_("ý kiến thẩm định"), blank=True)
    # The engine's verdict when it was appraised: "eligible", "not_eligible" (appraised with a
    # reason) — "held" is never appraised.
    appraisal_verdict = models.CharField(_("kết quả xét điều kiện"), max_length=20, blank=True)
    decision = models.ForeignKey(
        "scoring.AwardDecision",
        verbose_name=_("quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    revoke_reason = models.TextField(_("lý do thu hồi"), blank=True)
    is_sample = models.BooleanField(_("dữ liệu mẫu"), default=False)
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ đề nghị khen thưởng")
        verbose_name_plural = _("hồ sơ đề nghị khen thưởng")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "unit", "award_code", "body"],
                name="one_dossier_per_unit_award_and_body",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(received_on__isnull=False),
                name="dossier_sent_has_receipt",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["decided", "revoked"]) | Q(decision__isnull=False),
                name="dossier_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="dossier_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state="revoked") | ~Q(revoke_reason=""),
                name="dossier_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(appraise_by__isnull=True) | Q(appraise_by__gte=F("last_received_on")),
                name="dossier_clock_after_receipt",
            ),
        ]
        indexes = [
            models.Index(fields=["body", "state", "due_on"], name="dossier_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.award_name}: {self.unit} ({self.emulation_year_id})"


class DossierDocument(models.Model):
    """A document of the dossier's checklist: a file uploaded (PDF or DOCX), or a document the
    documents room generated from the year's data (`generated_document`: its Word and PDF files,
    archived with the published year), whose number, date, PDF digest, size and page count are
    copied here as an upload's are."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    item_code = models.SlugField(_("mục hồ sơ"), max_length=40)
    generated = models.BooleanField(_("tạo từ dữ liệu"), default=False)
    # The documents room's record (its column is the former hook `generated_document_id`, with
    # the same meaning). PROTECT: what a dossier filed is never deleted from under it — and it
    # is always an archived document, which the documents room never replaces.
    generated_document = models.ForeignKey(
        "scoring.GeneratedDocument",
        verbose_name=_("văn bản được tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_documents",
    )
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/", blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    content_type = models.CharField(_("loại tệp"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("dung lượng"), default=0)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    number = models.CharField(_("số, ký hiệu văn bản"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày văn bản"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tài liệu hồ sơ")
        verbose_name_plural = _("tài liệu hồ sơ")
        ordering = ["dossier_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "item_code"], name="one_document_per_item"),
            models.CheckConstraint(
                condition=Q(generated=True) | ~Q(file=""), name="uploaded_document_has_file"
            ),
            models.CheckConstraint(
                condition=Q(generated=True) | Q(generated_document__isnull=True),
                name="only_generated_document_names_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.original_name or '—'}"


class CouncilResult(models.Model):
    """The council's secret ballot on one dossier's proposal, as counts from the tally sheet."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="results")
    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="council_result")
    met_on = models.DateField(_("ngày họp"))
    members = models.PositiveSmallIntegerField(_("tổng số thành viên"))
    present = models.PositiveSmallIntegerField(_("số thành viên có mặt"))
    yes = models.PositiveSmallIntegerField(_("phiếu đồng ý"))
    no = models.PositiveSmallIntegerField(_("phiếu không đồng ý"))
    invalid = models.PositiveSmallIntegerField(_("phiếu không hợp lệ"), default=0)
    written_yes = models.PositiveSmallIntegerField(_("ý kiến bằng văn bản đồng ý"), default=0)
    written_no = models.PositiveSmallIntegerField(_("ý kiến bằng văn bản không đồng ý"), default=0)
    # The absent members' signed written opinions (a scan): they are not secret — the law has
    # them recorded in the minutes.
    opinions_scan = models.FileField(
        _("bản scan ý kiến bằng văn bản"), upload_to="councils/%Y/", blank=True
    )
    threshold_percent = models.DecimalField(_("tỷ lệ cần đạt (%)"), max_digits=5, decimal_places=2)
    base = models.CharField(_("căn cứ tính tỷ lệ"), max_length=20)
    passed = models.BooleanField(_("đạt"))
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("kết quả bỏ phiếu của hội đồng")
        verbose_name_plural = _("kết quả bỏ phiếu của hội đồng")
        ordering = ["council_id", "dossier_id"]
        constraints = [
            # Every member present casts one ballot (a blank one is invalid).
            models.CheckConstraint(
                condition=Q(present=F("yes") + F("no") + F("invalid")),
                name="council_ballots_of_those_present",
            ),
            models.CheckConstraint(
                condition=Q(present__lte=F("members")), name="council_present_of_members"
            ),
            models.CheckConstraint(
                condition=Q(written_yes__lte=F("members") - F("present") - F("written_no")),
                name="council_written_opinions_of_the_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.yes}/{self.members}"


class DossierDeadline(models.Model):
    """The day the awarding body takes an award kind's dossiers for a year's achievements by
    (e.g. 10 December): a dossier first sent after it is marked late."""

    body = models.ForeignKey(
        "clusters.Unit",
        verbose_name=_("cơ quan khen thưởng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    award_code = models.SlugField(_("mã hình thức khen thưởng"), max_length=60)
    year = models.PositiveSmallIntegerField(_("năm thành tích"))
    due_on = models.DateField(_("hạn gửi hồ sơ"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("hạn gửi hồ sơ khen thưởng")
        verbose_name_plural = _("hạn gửi hồ sơ khen thưởng")
        ordering = ["body_id", "-year", "award_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "award_code", "year"], name="one_deadline_per_award_and_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_code} {self.year}: {self.due_on:%d/%m/%Y}"


class WorkCalendarDay(models.Model):
    """A day the legal clocks count otherwise than Vietnam's public holidays say: an extra day
    off (a province's own, a decision the `holidays` package does not know yet) or an extra day
    worked."""

    day = models.DateField(_("ngày"), unique=True)
    working = models.BooleanField(
        _("ngày làm việc"),
        default=False,
        help_text=_("Đánh dấu nếu là ngày làm việc bù; để trống nếu là ngày nghỉ thêm."),
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"
