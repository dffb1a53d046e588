"""Results of a recompute: the run (what it read), a score line per member and criterion, and
a standing per member. A year shows the lines of its one current run; a run's results appear
all at once, in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from scoring.engine import BandExplanation, band_explanation_lines


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Đang tính")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")
        SUPERSEDED = "superseded", _("Đã có kết quả mới hơn")

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="runs"
    )
    scheme = models.ForeignKey("scoring.Scheme", on_delete=models.PROTECT, related_name="runs")
    input_version = models.PositiveIntegerField(_("phiên bản dữ liệu"))
    input_hash = models.CharField(_("mã băm dữ liệu"), max_length=64)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    is_current = models.BooleanField(_("đang áp dụng"), default=False)
    warnings = models.JSONField(_("cảnh báo"), default=list, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt chấm điểm")
        verbose_name_plural = _("lượt chấm điểm")
        ordering = ["emulation_year_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year"],
                condition=Q(is_current=True),
                name="one_current_run_per_year",
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="done"), name="current_run_is_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emulation_year} #{self.pk} ({self.get_status_display()})"


class RunInputs(models.Model):
    """What the engine read for a run — the members, their figures of the year and the year
    before, targets, manual points and successions — packed (zlib-compressed JSON, see
    `scoring/ranking/selectors.py: YearInputs.pack`). With the run's scheme version, which never
    changes, they let the engine write the run's sentences again in any language for exactly the
    numbers shown, also after the year's inputs have moved on (a figure changed and the year not
    recomputed yet, or a published year whose previous year changed). A table of its own so that
    the pages that read a run never load it. Missing for runs written before it existed."""

    run = models.OneToOneField(
        ScoringRun, on_delete=models.CASCADE, primary_key=True, related_name="kept_inputs"
    )
    data = models.BinaryField(_("dữ liệu đầu vào"))

    class Meta:
        verbose_name = _("dữ liệu đầu vào của lượt chấm")
        verbose_name_plural = _("dữ liệu đầu vào của lượt chấm")

    def __str__(self) -> str:
        return f"{self.run_id}"


class Score(models.Model):
    """One explanation line: a member's result on one criterion."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=40)
    actual = models.FloatField(_("thực hiện"), null=True, blank=True)
    target = models.FloatField(_("chỉ tiêu"), null=True, blank=True)
    ratio = models.FloatField(_("tỷ lệ hoàn thành"), null=True, blank=True)
    met = models.BooleanField(_("đạt"), default=False)
    points = models.FloatField(_("điểm"))
    explanation = models.TextField(_("diễn giải"))

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "unit", "criterion_code"], name="one_score_per_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.criterion_code}: {self.points}"


class Standing(models.Model):
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="standings")
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    total = models.FloatField(_("tổng điểm"))
    regular = models.FloatField(_("điểm tiêu chí"))
    bonus = models.FloatField(_("điểm thưởng"))
    deduction = models.FloatField(_("điểm trừ"))
    met_count = models.PositiveSmallIntegerField(_("số chỉ tiêu đạt"))
    rank = models.PositiveSmallIntegerField(_("xếp hạng"))
    band = models.CharField(_("xếp loại"), max_length=100, blank=True)
    eligible = models.BooleanField(_("đủ điều kiện xét khen thưởng"))
    group_points = models.JSONField(_("điểm theo nội dung"), default=dict)
    # The engine's BandExplanation as plain data (numbers and criterion codes, no sentences),
    # written with the run, so every page shows it in its reader's language without reading
    # the score lines again. Null for runs written before it existed.
    band_explanation = models.JSONField(_("giải thích xếp loại"), null=True, blank=True)

    class Meta:
        verbose_name = _("xếp hạng")
        verbose_name_plural = _("xếp hạng")
        ordering = ["run_id", "rank", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="one_standing_per_member"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="standing_rank_positive"),
            models.CheckConstraint(
                condition=Q(regular__gte=0) & Q(bonus__gte=0) & Q(deduction__gte=0),
                name="standing_parts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit} ({self.total:.2f})"

    def band_reasons(self) -> list[str]:
        """Why this band (and not a higher one), in the active language: one sentence a line."""
        language = "en" if (get_language() or "vi").startswith("en") else "vi"
        lines = band_explanation_lines(BandExplanation.from_dict(self.band_explanation), language)
        # On a page a line must not wrap between a number and its "%" or its "≥".
        return [line.replace(" %", "\u00a0%").replace("≥ ", "≥\u00a0") for line in lines]


class RecomputeBatch(models.Model):
    """A recompute of many years (a national sweep, a scheme change above many clusters), split
    into chunks queued as Celery tasks on the bulk queue so that every worker shares it; each
    chunk is atomic and idempotent like any recompute. Its progress is counted here."""

    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    force = models.BooleanField(_("tính lại cả khi không đổi"), default=False)
    years_total = models.PositiveIntegerField(_("số năm"))
    years_done = models.PositiveIntegerField(_("số năm đã tính"), default=0)
    years_written = models.PositiveIntegerField(_("số năm có kết quả mới"), default=0)
    chunks_total = models.PositiveIntegerField(_("số phần"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("đợt tính lại")
        verbose_name_plural = _("đợt tính lại")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(years_done__lte=models.F("years_total")),
                name="recompute_batch_done_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.years_done}/{self.years_total}"

    @property
    def years_left(self) -> int:
        return self.years_total - self.years_done
