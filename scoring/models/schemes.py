"""The year's scoring rules as data: a versioned scheme of data elements, criteria in groups,
classification bands and the tie-break order; and the per-member targets."""

from __future__ import annotations

from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class _Precision(TypedDict):
    max_digits: int
    decimal_places: int


NUMBER: _Precision = {"max_digits": 18, "decimal_places": 4}


class Scheme(models.Model):
    """One version of an emulation year's scoring scheme. A new version is made for every change
    (an amendment), with a reason; `in_force` marks the one the year is scored with (at most one a
    year, held by a constraint)."""

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear",
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="schemes",
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    name = models.CharField(_("tên"), max_length=300)
    format = models.CharField(_("định dạng"), max_length=40, default="emulation-scheme/1")
    scale = models.DecimalField(_("thang điểm"), **NUMBER)
    tie_break = models.JSONField(_("thứ tự xét khi bằng điểm"), default=list, blank=True)
    source = models.TextField(
        _("tệp gốc"), blank=True, help_text=_("Nội dung tệp thang điểm khi nhập.")
    )
    reason = models.TextField(_("lý do thay đổi"), blank=True)
    in_force = models.BooleanField(_("đang áp dụng"), default=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("thang điểm")
        verbose_name_plural = _("thang điểm")
        ordering = ["emulation_year_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "version"], name="scheme_version_unique"
            ),
            models.UniqueConstraint(
                fields=["emulation_year"],
                condition=Q(in_force=True),
                name="scheme_one_in_force_per_year",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="scheme_version_positive"),
            models.CheckConstraint(condition=Q(scale__gt=0), name="scheme_scale_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class DataElement(models.Model):
    """A figure members report every year. The code is stable across years and versions (report
    values are keyed by it); the definition is versioned with the scheme."""

    class Type(models.TextChoices):
        INTEGER = "integer", _("Số nguyên")
        DECIMAL = "decimal", _("Số thập phân")
        PERCENT = "percent", _("Phần trăm")
        BOOLEAN = "boolean", _("Có/Không")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="data_elements")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.SlugField(_("mã"), max_length=60)
    name = models.CharField(_("tên"), max_length=300)
    definition = models.TextField(_("định nghĩa"), blank=True)
    type = models.CharField(_("kiểu"), max_length=10, choices=Type.choices, default=Type.INTEGER)
    min_value = models.DecimalField(_("nhỏ nhất"), null=True, blank=True, **NUMBER)
    max_value = models.DecimalField(_("lớn nhất"), null=True, blank=True, **NUMBER)
    max_element = models.SlugField(
        _("không vượt quá chỉ số"),
        max_length=60,
        blank=True,
        help_text=_("Mã của chỉ số mà chỉ số này không thể vượt quá (tử số ≤ mẫu số)."),
    )

    class Meta:
        verbose_name = _("chỉ số báo cáo")
        verbose_name_plural = _("chỉ số báo cáo")
        ordering = ["scheme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="data_element_code_unique"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="data_element_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class CriterionGroup(models.Model):
    """A scoring content (nội dung chấm điểm): criteria are grouped, in file order."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên"), max_length=300)

    class Meta:
        verbose_name = _("nội dung chấm điểm")
        verbose_name_plural = _("nội dung chấm điểm")
        ordering = ["scheme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="criterion_group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("Càng cao càng tốt")
        LOWER = "lower", _("Càng thấp càng tốt")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Tiêu chí chấm điểm")
        BONUS = "bonus", _("Điểm thưởng")
        DEDUCTION = "deduction", _("Điểm trừ")

    class Rule(models.TextChoices):
        THRESHOLD = "threshold", _("Đạt / không đạt")
        PROPORTIONAL = "proportional", _("Theo tỷ lệ hoàn thành")
        BANDS = "bands", _("Theo bậc")
        RELATIVE = "relative", _("So với đơn vị cao nhất")
        FORMULA = "formula", _("Theo công thức")
        MANUAL = "manual", _("Thư ký chấm")
        PER_ITEM = "per_item", _("Điểm cho mỗi lần, có mức tối đa")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    group = models.ForeignKey(CriterionGroup, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.CharField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=500)
    definition = models.TextField(_("định nghĩa tử số, mẫu số"), blank=True)
    measure = models.CharField(_("công thức đo"), max_length=2000, blank=True)
    target = models.DecimalField(_("chỉ tiêu"), null=True, blank=True, **NUMBER)
    unit = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    direction = models.CharField(
        _("chiều"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    points = models.DecimalField(_("điểm tối đa"), **NUMBER)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    rule = models.CharField(
        _("cách chấm"), max_length=20, choices=Rule.choices, default=Rule.PROPORTIONAL
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    knockout = models.BooleanField(
        _("tiêu chí bắt buộc"),
        default=False,
        help_text=_("Đơn vị không đạt tiêu chí này không đủ điều kiện xét khen thưởng."),
    )

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["scheme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="criterion_points_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="criterion_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["regular", "bonus", "deduction"]), name="criterion_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    rule__in=[
                        "threshold",
                        "proportional",
                        "bands",
                        "relative",
                        "formula",
                        "manual",
                        "per_item",
                    ]
                ),
                name="criterion_rule_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Band(models.Model):
    """A classification band (Xuất sắc, Tốt, …): the first band whose conditions hold."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("xếp loại"), max_length=100)
    min_total = models.DecimalField(_("tổng điểm tối thiểu"), default=0, **NUMBER)
    min_each = models.DecimalField(
        _("tỷ lệ điểm tối thiểu mỗi tiêu chí"),
        null=True,
        blank=True,
        max_digits=5,
        decimal_places=4,
        help_text=_("Mỗi tiêu chí phải đạt ít nhất tỷ lệ này của điểm tối đa (0–1)."),
    )

    class Meta:
        verbose_name = _("xếp loại")
        verbose_name_plural = _("xếp loại")
        ordering = ["scheme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="band_name_unique"),
            models.CheckConstraint(
                condition=Q(min_each__isnull=True) | (Q(min_each__gte=0) & Q(min_each__lte=1)),
                name="band_min_each_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberTarget(models.Model):
    """A member's own target for a criterion, overriding the scheme's default. Keyed by the
    criterion code so it survives scheme amendments."""

    emulation_year = models.ForeignKey(
        "clusters.EmulationYear", on_delete=models.CASCADE, related_name="member_targets"
    )
    unit = models.ForeignKey("clusters.Unit", on_delete=models.PROTECT, related_name="+")
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=40)
    target = models.DecimalField(_("chỉ tiêu"), **NUMBER)

    class Meta:
        verbose_name = _("chỉ tiêu của đơn vị")
        verbose_name_plural = _("chỉ tiêu của đơn vị")
        ordering = ["emulation_year_id", "unit_id", "criterion_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "unit", "criterion_code"], name="member_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.criterion_code}: {self.target}"
