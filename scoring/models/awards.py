"""The year-end conference: award kinds, secret ballots, proposals, and elections of the next
head and deputies (behaviour: scoring/services/conference.py).

Secrecy is a property of storage (docs/security.md, "Ballot secrecy"): while a ballot is open,
the choices of the votes cast in the browser exist only as one sealed aggregate in the ballot's
own row (`Ballot.sealed`, rewritten by each vote), never as a row of their own; who voted
(`BallotVoter`) is kept apart. At close the choices are written all at once, in random order, in
one transaction, under random keys and with no timestamp (`BallotChoice`), so nothing — id,
row order, xmin, time — ties a choice to a voter."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AwardKind(models.Model):
    """An award a cluster proposes (emulation flag, certificate of merit), with who is eligible
    and how many may be proposed."""

    class TieRule(models.TextChoices):
        VOTE = "vote", _("Số phiếu quyết định")
        RANKING = "ranking", _("Thứ hạng quyết định")

    cluster = models.ForeignKey(
        "clusters.Cluster", on_delete=models.CASCADE, related_name="award_kinds"
    )
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=200)
    conferred_by = models.CharField(_("cấp khen thưởng"), max_length=200, blank=True)
    min_band = models.CharField(_("xếp loại tối thiểu"), max_length=100, blank=True)
    requires_knockouts = models.BooleanField(_("phải đạt các tiêu chí bắt buộc"), default=True)
    min_rank = models.PositiveSmallIntegerField(_("thứ hạng tối thiểu"), null=True, blank=True)
    cap_count = models.PositiveSmallIntegerField(_("số lượng tối đa"), null=True, blank=True)
    cap_percent = models.DecimalField(
        _("tỷ lệ tối đa (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tỷ lệ trên số thành viên, làm tròn xuống, ít nhất 1."),
    )
    tie_rule = models.CharField(
        _("khi bằng nhau"), max_length=10, choices=TieRule.choices, default=TieRule.RANKING
    )
    allow_self_vote = models.BooleanField(_("được bỏ phiếu cho mình"), default=False)
    leads_cluster = models.BooleanField(
        _("đơn vị dẫn đầu cụm"),
        default=False,
        help_text=_("Đơn vị được đề nghị là đơn vị dẫn đầu cụm (Cờ thi đua)."),
    )
    # The rule set's award this kind proposes for (scoring/awards/rule_sets/): its conditions —
    # history, holds — are judged with the cluster's own at the conference.
    award_code = models.CharField(
        _("đề nghị hình thức khen thưởng (theo quy định)"),
        max_length=60,
        blank=True,
        help_text=_(
            "Hình thức khen thưởng của bộ quy tắc đang áp dụng mà cụm đề nghị: đơn vị còn phải "
            "đạt mọi điều kiện của hình thức đó (lịch sử khen thưởng, tạm hoãn xét)."
        ),
    )
    min_vote_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ phiếu cần có (%)"),
        default=50,
        help_text=_(
            "Đơn vị được đề nghị phải được trên tỷ lệ này của số đơn vị bỏ phiếu (50: quá bán; "
            "0: chỉ cần một phiếu)."
        ),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ thành viên phải bỏ phiếu (%)"),
        default=50,
        help_text=_(
            "Chỉ kết thúc bỏ phiếu khi số đơn vị đã bỏ phiếu đạt ít nhất tỷ lệ này của số thành "
            "viên (làm tròn lên), và không dưới 2 đơn vị."
        ),
    )

    class Meta:
        verbose_name = _("hình thức khen thưởng")
        verbose_name_plural = _("hình thức khen thưởng")
        ordering = ["cluster_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "code"], name="award_kind_code_unique"),
            models.CheckConstraint(
                condition=Q(cap_count__isnull=True) | Q(cap_percent__isnull=True),
                name="award_kind_one_cap",
            ),
            models.CheckConstraint(
                condition=Q(cap_percent__isnull=True)
                | (Q(cap_percent__gt=0) & Q(cap_percent__lte=100)),
                name="award_kind_cap_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(min_vote_percent__lte=100), name="award_kind_vote_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(cap_count__isnull=True) | Q(cap_count__gte=1),
                name="award_kind_cap_count_positive",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="award_kind_quorum_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    """A vote at the conference: for an award kind, or to elect next year's head or deputies."""

    class Purpose(models.TextChoices):
        AWARD = "award", _("Bình xét khen thưởng")
        HEAD = "head", _("Bầu cụm trưởng")
        DEPUTY = "deputy", _("Bầu cụm phó")

    class Status(models.TextChoices):
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kết thúc")

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.PROTECT, related_name="ballots"
    )
    purpose = models.CharField(_("nội dung"), max_length=10, choices=Purpose.choices)
    award_kind = models.ForeignKey(
        AwardKind, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )
    seats = models.PositiveSmallIntegerField(_("số người được chọn"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("mở lúc"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)
    allow_self_vote = models.BooleanField(_("được bỏ phiếu cho mình"), default=False)
    # Empty: every eligible member (an award) or every member (an election). A run-off names the
    # members tied at the cap.
    candidate_ids = models.JSONField(_("ứng viên"), default=list, blank=True)
    # While open: the browser votes' choices as one sealed aggregate (scoring/services/
    # ballot_seal.py), rewritten under the row lock by each vote; empty once closed.
    sealed = models.TextField(_("phiếu đã niêm phong"), blank=True, editable=False)

    class Meta:
        verbose_name = _("phiếu bầu")
        verbose_name_plural = _("phiếu bầu")
        ordering = ["emulation_year_id", "opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(purpose="award") & Q(award_kind__isnull=False))
                | (~Q(purpose="award") & Q(award_kind__isnull=True)),
                name="ballot_award_kind_iff_award",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="ballot_seats_positive"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="closed_ballot_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.emulation_year}"


class BallotVoter(models.Model):
    """That a member voted (once), never what it chose."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="voters")
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    voted_at = models.DateTimeField(_("bỏ phiếu lúc"), auto_now_add=True)
    on_paper = models.BooleanField(_("phiếu giấy do thư ký nhập"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A paper ballot: required by the service (paper ballots recorded before 0007 have none),
    # the scan of the signed paper (the member sees it and may contest it before
    # the close), and — until the close merges it into the shuffled choices — what the
    # secretariat entered from it, sealed.
    scan = models.FileField(_("bản scan phiếu giấy"), upload_to="ballots/%Y/", blank=True)
    paper_choices = models.TextField(_("lựa chọn trên phiếu giấy"), blank=True, editable=False)

    class Meta:
        verbose_name = _("đơn vị đã bỏ phiếu")
        verbose_name_plural = _("đơn vị đã bỏ phiếu")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "unit"], name="one_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.unit} ✓"


class BallotChoice(models.Model):
    """One candidate chosen on one ballot paper of a closed ballot; deliberately not linked to its
    voter: written only at the close, all of a ballot's at once in random order (one transaction,
    so one xmin), under a random key, with no timestamp."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="choices")
    candidate = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("lựa chọn")
        verbose_name_plural = _("lựa chọn")

    def __str__(self) -> str:
        return str(self.candidate)


class AwardProposal(models.Model):
    """A member proposed for an award, following eligibility, the vote, the cap and the tie rule."""

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.PROTECT, related_name="proposals"
    )
    award_kind = models.ForeignKey(AwardKind, on_delete=models.PROTECT, related_name="proposals")
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    ballot = models.ForeignKey(
        Ballot, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    votes = models.PositiveSmallIntegerField(_("số phiếu"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("thứ hạng"), null=True, blank=True)
    decided_at = models.DateTimeField(_("quyết định lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        ordering = ["emulation_year_id", "award_kind_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "award_kind", "unit"], name="one_proposal_per_award"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_kind}: {self.unit}"
