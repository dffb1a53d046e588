"""Who competes: units, their successions, clusters, emulation years, memberships, year offices,
the rotating flag, who may act for whom, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROVINCIAL_ALLIANCE = "alliance", _("Liên minh HTX tỉnh")
        DEPARTMENT = "department", _("Phòng, ban")
        CREDIT_FUND = "credit_fund", _("Quỹ tín dụng nhân dân")
        COOPERATIVE = "cooperative", _("Hợp tác xã")
        SUPERVISING_BODY = "supervising", _("Cơ quan chỉ đạo")
        OTHER = "other", _("Khác")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class UnitSuccession(models.Model):
    """A unit merged into (or was renamed to) another on a date. Many predecessors may share one
    successor (An Giang + Kiên Giang → An Giang on 2025-07-01); a unit has at most one successor."""

    predecessor = models.OneToOneField(
        Unit, verbose_name=_("đơn vị cũ"), on_delete=models.PROTECT, related_name="succession"
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị kế thừa"),
        on_delete=models.PROTECT,
        related_name="predecessor_links",
    )
    effective_on = models.DateField(_("ngày hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        ordering = ["effective_on", "predecessor__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="succession_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class Cluster(models.Model):
    class Kind(models.TextChoices):
        CLUSTER = "cum", _("Cụm thi đua")
        BLOCK = "khoi", _("Khối thi đua")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.CLUSTER)
    supervising_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị chỉ đạo"),
        on_delete=models.PROTECT,
        related_name="supervised_clusters",
    )
    description = models.TextField(_("mô tả"), blank=True)
    # Who a secretariat may add to a new year beyond the cluster's previous members and their
    # successors: a unit joining for the first time is attached here by a system administrator,
    # so that no secretariat can pull another cluster's unit (and its figures) into its year.
    extra_units = models.ManyToManyField(
        Unit,
        verbose_name=_("đơn vị được gắn thêm"),
        blank=True,
        related_name="attached_clusters",
        help_text=_(
            "Đơn vị mà Ban thư ký được thêm vào năm thi đua mới của cụm, ngoài thành viên các năm "
            "trước và đơn vị kế thừa của họ."
        ),
    )

    class Meta:
        verbose_name = _("cụm, khối thi đua")
        verbose_name_plural = _("cụm, khối thi đua")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmulationYear(models.Model):
    """One cluster's competition in one calendar year."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Xây dựng chỉ tiêu")
        PLEDGED = "pledged", _("Đã ký giao ước")
        REPORTING = "reporting", _("Đang báo cáo")
        VERIFICATION = "verification", _("Đang thẩm định")
        SCORED = "scored", _("Đã chấm điểm")
        PUBLISHED = "published", _("Đã công bố")

    # The order of the life cycle; a year moves forward one step at a time (or back by a recorded
    # reopening).
    LIFE_CYCLE = [s.value for s in Status]

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cụm"), on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNING
    )
    reporting_deadline = models.DateField(_("hạn nộp báo cáo"), null=True, blank=True)
    # The scheme in force is the scoring side's to say (`Scheme.in_force`): this app knows nothing
    # of scoring, not even by a foreign key.
    # Every change of a scoring input bumps input_version; a finished recompute records the
    # version it read in scored_version. The year is dirty while they differ.
    input_version = models.PositiveIntegerField(_("phiên bản dữ liệu"), default=0)
    scored_version = models.PositiveIntegerField(_("phiên bản đã chấm"), default=0)
    dirty_since = models.DateTimeField(_("cần tính lại từ"), null=True, blank=True)

    class Meta:
        verbose_name = _("năm thi đua")
        verbose_name_plural = _("năm thi đua")
        ordering = ["cluster__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "year"], name="one_emulation_year_per_cluster"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="emulation_year_in_range"
            ),
            models.CheckConstraint(
                condition=Q(scored_version__lte=F("input_version")),
                name="scored_version_not_ahead_of_input",
            ),
        ]
        indexes = [models.Index(fields=["dirty_since"], name="year_dirty_idx")]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.year}"

    @property
    def is_dirty(self) -> bool:
        return self.scored_version < self.input_version

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Membership(models.Model):
    emulation_year = models.ForeignKey(
        EmulationYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField(_("tham gia từ"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["emulation_year_id", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "unit"], name="one_membership_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.emulation_year}"


class YearOffice(models.Model):
    """Cluster head (cụm trưởng) or deputy (cụm phó) for one year."""

    class Role(models.TextChoices):
        HEAD = "head", _("Cụm trưởng")
        DEPUTY = "deputy", _("Cụm phó")

    emulation_year = models.ForeignKey(
        EmulationYear,
        verbose_name=_("năm thi đua"),
        on_delete=models.CASCADE,
        related_name="offices",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("chức danh"), max_length=10, choices=Role.choices)
    elected_on = models.DateField(_("ngày bầu"), null=True, blank=True)

    class Meta:
        verbose_name = _("cụm trưởng, cụm phó")
        verbose_name_plural = _("cụm trưởng, cụm phó")
        ordering = ["emulation_year_id", "role", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "unit"], name="one_office_per_unit_and_year"
            ),
            models.UniqueConstraint(
                fields=["emulation_year"], condition=Q(role="head"), name="one_head_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit} ({self.emulation_year.year})"


class FlagHandover(models.Model):
    """The rotating flag (cờ luân lưu) handed from the outgoing head to the new one."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cụm"), on_delete=models.PROTECT, related_name="flag_handovers"
    )
    emulation_year = models.ForeignKey(
        EmulationYear,
        verbose_name=_("năm tổng kết"),
        on_delete=models.PROTECT,
        related_name="flag_handovers",
        help_text=_("Năm thi đua được tổng kết tại hội nghị bàn giao cờ."),
    )
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị bàn giao"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị nhận"), on_delete=models.PROTECT, related_name="+"
    )
    handed_on = models.DateField(_("ngày bàn giao"))
    occasion = models.CharField(_("hội nghị"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bàn giao cờ luân lưu")
        verbose_name_plural = _("bàn giao cờ luân lưu")
        ordering = ["cluster_id", "handed_on"]
        constraints = [
            models.UniqueConstraint(fields=["emulation_year"], name="one_flag_handover_per_year"),
            models.CheckConstraint(
                condition=~Q(from_unit=F("to_unit")), name="flag_to_another_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit} ({self.handed_on:%d/%m/%Y})"


class RoleGrant(models.Model):
    """Who may act for whom: a user reports for a unit, is the secretariat of a cluster, views
    everything under a supervising unit as leadership, or handles the award dossiers addressed to
    an awarding body (its emulation and commendation staff)."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("Cán bộ báo cáo của đơn vị")
        SECRETARIAT = "secretariat", _("Thư ký cụm")
        LEADERSHIP = "leadership", _("Lãnh đạo theo dõi")
        AWARDING = "awarding", _("Cán bộ thi đua – khen thưởng cấp trên")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        help_text=_(
            "Đơn vị báo cáo (cán bộ báo cáo), đơn vị chỉ đạo (lãnh đạo) hoặc cơ quan khen thưởng "
            "(cán bộ thi đua – khen thưởng cấp trên)."
        ),
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cụm"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
        help_text=_("Cụm mà thư ký phụ trách."),
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(role="reporter") & Q(unit__isnull=False) & Q(cluster__isnull=True))
                    | (Q(role="secretariat") & Q(unit__isnull=True) & Q(cluster__isnull=False))
                    | (Q(role="leadership") & Q(unit__isnull=False) & Q(cluster__isnull=True))
                    | (Q(role="awarding") & Q(unit__isnull=False) & Q(cluster__isnull=True))
                ),
                name="role_grant_names_its_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="role_grant_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "cluster"],
                condition=Q(cluster__isnull=False),
                name="role_grant_cluster_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}: {self.unit or self.cluster}"


class AuditTrailImmutable(Exception):
    """An attempt to change or delete a row of the audit trail."""


class AuditEntryQuerySet(models.QuerySet):
    """Rows are only ever added: bulk updates and deletes are refused here, before the database
    trigger would refuse them too."""

    def update(self, **kwargs):
        raise AuditTrailImmutable("The audit trail is append-only: its rows cannot be changed.")

    def delete(self):
        raise AuditTrailImmutable("The audit trail is append-only: its rows cannot be deleted.")

    # Django's manager convention (queryset_only): not copied onto the manager. A function
    # attribute, which mypy does not know of.
    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AuditEntry(models.Model):
    """Append-only record of every user-visible change (figures, targets, schemes, scores,
    signatures, statuses). Never edited or deleted by the app: save() of an existing row,
    delete() and the queryset's update()/delete() raise AuditTrailImmutable, the admin has no
    change or delete permission, and a database trigger (migration 0003) refuses UPDATE and
    DELETE on the table. Nothing cascades onto it: a user who acted and a year with entries are
    protected from deletion (deactivate the user instead)."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        # Not SET_NULL: that would rewrite history (an UPDATE the trigger refuses anyway).
        on_delete=models.PROTECT,
        related_name="+",
    )
    emulation_year = models.ForeignKey(
        EmulationYear,
        verbose_name=_("năm thi đua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    action = models.CharField(_("thao tác"), max_length=60, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=60)
    object_id = models.CharField(_("mã đối tượng"), max_length=60, blank=True)
    summary = models.CharField(_("tóm tắt"), max_length=500)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}: {self.summary}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutable("The audit trail is append-only: its rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable("The audit trail is append-only: its rows cannot be deleted.")


class ScopeGeneration(models.Model):
    """One row whose value moves on with every change of a role grant or a unit, in the same
    transaction (clusters/apps.py). Every process reads it with the user at each request
    (clusters/permissions.py), and trusts a scope it cached only if stamped with this value: a
    revocation holds at the next request in every worker, whatever the cache — one local-memory
    cache per gunicorn worker, or a Redis that was down when the grant was deleted."""

    value = models.BigIntegerField(_("thế hệ phân quyền"), default=1)

    class Meta:
        verbose_name = _("thế hệ phân quyền")
        verbose_name_plural = _("thế hệ phân quyền")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="scope_generation_one_row")]

    def __str__(self) -> str:
        return str(self.value)
