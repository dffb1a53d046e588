from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scoring.admin.clusters import AuditedAdmin, FrozenInline, FrozenWhenPublished
from scoring.dossiers.services.dossiers import dossiers_reclock
from scoring.models import (
    AwardKind,
    AwardProposal,
    Ballot,
    BallotVoter,
    Band,
    ConferenceDetails,
    Criterion,
    CriterionGroup,
    DataElement,
    DocumentTemplate,
    EvidenceFile,
    GeneratedDocument,
    ManualPoints,
    MemberTarget,
    Objection,
    Pledge,
    PledgeSignature,
    RecomputeBatch,
    Report,
    ReportComment,
    ReportValue,
    Scheme,
    Score,
    ScoringRun,
    Standing,
    WorkCalendarDay,
)
from scoring.ranking.services.dirty import figures_mark_dirty, year_mark_dirty


class MarksYearDirty:
    """Admin edits of scoring inputs go through the same rule as every other change: the year is
    marked dirty and recomputed after commit."""

    def year_ids_of(self, obj) -> set[int]:
        year_id = getattr(obj, "emulation_year_id", None)
        if year_id is None and hasattr(obj, "report"):
            year_id = obj.report.emulation_year_id
        return {year_id} if year_id else set()

    def _mark(self, year_ids) -> None:
        for year_id in year_ids:
            year_mark_dirty(emulation_year_id=year_id)

    def save_model(self, request, obj, form, change):
        before = self.year_ids_of(type(obj).objects.get(pk=obj.pk)) if change else set()
        super().save_model(request, obj, form, change)
        self._mark(before | self.year_ids_of(obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for f in formsets):
            self._mark(self.year_ids_of(form.instance))

    def delete_model(self, request, obj):
        years = self.year_ids_of(obj)
        super().delete_model(request, obj)
        self._mark(years)

    def delete_queryset(self, request, queryset):
        years = set().union(*(self.year_ids_of(o) for o in queryset)) if queryset else set()
        super().delete_queryset(request, queryset)
        self._mark(years)


class ImmutableAdmin(admin.ModelAdmin):
    """Shown, never edited here: a scheme changes by a new version (import or amendment), with a
    reason, so that what a year was scored with stays on record."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DataElementInline(ReadOnlyInline):
    model = DataElement
    extra = 0
    fields = ["position", "code", "name", "type", "min_value", "max_value", "max_element"]


class GroupInline(ReadOnlyInline):
    model = CriterionGroup
    extra = 0


class BandInline(ReadOnlyInline):
    model = Band
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(ImmutableAdmin):
    list_display = [
        "name",
        "emulation_year",
        "version",
        "in_force",
        "scale",
        "created_at",
        "created_by",
    ]
    list_filter = ["in_force", "emulation_year__cluster", "emulation_year__year"]
    search_fields = ["name", "reason"]
    list_select_related = ["emulation_year__cluster", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    inlines = [DataElementInline, GroupInline, BandInline]


@admin.register(Criterion)
class CriterionAdmin(ImmutableAdmin):
    list_display = [
        "code",
        "name",
        "scheme",
        "group",
        "target",
        "points",
        "kind",
        "rule",
        "knockout",
    ]
    list_filter = ["kind", "rule", "knockout", "scheme__emulation_year__year"]
    search_fields = ["code", "name", "definition", "measure"]
    list_select_related = ["scheme", "group"]


@admin.register(MemberTarget)
class MemberTargetAdmin(AuditedAdmin, FrozenWhenPublished, MarksYearDirty, admin.ModelAdmin):
    list_display = ["emulation_year", "unit", "criterion_code", "target"]
    list_filter = ["emulation_year__cluster", "emulation_year__year"]
    search_fields = ["unit__name", "criterion_code"]
    list_select_related = ["emulation_year__cluster", "unit"]


class SignatureInline(FrozenInline, admin.TabularInline):
    model = PledgeSignature
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Pledge)
class PledgeAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["title", "emulation_year", "published_at", "locked_at"]
    list_filter = ["emulation_year__cluster"]
    search_fields = ["title", "text"]
    inlines = [SignatureInline]


class ValueInline(FrozenInline, admin.TabularInline):
    model = ReportValue
    extra = 0


class CommentInline(FrozenInline, admin.TabularInline):
    model = ReportComment
    extra = 0


class EvidenceInline(FrozenInline, admin.TabularInline):
    model = EvidenceFile
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Report)
class ReportAdmin(AuditedAdmin, FrozenWhenPublished, MarksYearDirty, admin.ModelAdmin):
    """A corrected (verified) figure here feeds the next year's prev() and successors' years too."""

    def save_related(self, request, form, formsets, change):
        admin.ModelAdmin.save_related(self, request, form, formsets, change)
        if any(f.has_changed() for f in formsets):
            figures_mark_dirty(
                emulation_year_id=form.instance.emulation_year_id, unit_ids={form.instance.unit_id}
            )

    list_display = ["unit", "emulation_year", "status", "version", "submitted_at", "verified_at"]
    list_filter = ["status", "emulation_year__cluster", "emulation_year__year"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "emulation_year__cluster"]
    readonly_fields = ["version", "submitted_at", "submitted_by", "verified_at", "verified_by"]
    inlines = [ValueInline, CommentInline, EvidenceInline]


@admin.register(ManualPoints)
class ManualPointsAdmin(AuditedAdmin, FrozenWhenPublished, MarksYearDirty, admin.ModelAdmin):
    list_display = [
        "emulation_year",
        "unit",
        "criterion_code",
        "points",
        "proposed_points",
        "entered_by",
    ]
    list_filter = ["emulation_year__cluster", "emulation_year__year"]
    search_fields = ["unit__name", "criterion_code", "reason"]
    list_select_related = ["emulation_year__cluster", "unit", "entered_by"]


@admin.register(Objection)
class ObjectionAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["emulation_year", "unit", "criterion_code", "status", "filed_at"]
    list_filter = ["status", "emulation_year__cluster"]
    search_fields = ["unit__name", "criterion_code", "text", "answer"]
    list_select_related = ["emulation_year__cluster", "unit"]


class StandingInline(admin.TabularInline):
    model = Standing
    extra = 0
    can_delete = False
    fields = (
        "rank",
        "unit",
        "total",
        "regular",
        "bonus",
        "deduction",
        "met_count",
        "band",
        "eligible",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecomputeBatch)
class RecomputeBatchAdmin(ImmutableAdmin):
    """Recomputes of many years (manage.py recompute_all): how many years are left, shown, never
    edited (the workers count them)."""

    list_display = (
        "id",
        "created_at",
        "reason",
        "years_total",
        "years_done",
        "years_left",
        "years_written",
        "chunks_total",
        "finished_at",
    )
    readonly_fields = list_display

    @admin.display(description=_("số năm còn lại"))
    def years_left(self, obj: RecomputeBatch) -> int:
        return obj.years_left


@admin.register(ScoringRun)
class ScoringRunAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    """Runs are written only by the engine; the admin shows them. The current run of a year is
    never deleted here (its ranking would be gone, and a published year is not recomputed);
    neither is any run of a published year."""

    list_display = [
        "emulation_year",
        "id",
        "status",
        "is_current",
        "input_version",
        "started_at",
        "duration_ms",
    ]
    list_filter = ["status", "is_current", "emulation_year__cluster"]
    list_select_related = ["emulation_year__cluster"]
    readonly_fields = [f.name for f in ScoringRun._meta.fields]
    inlines = [StandingInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_current:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Score)
class ScoreAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    """Lines of a current run or of a published year are never deleted here."""

    year_path = "run.emulation_year_id"
    audit_year_path = "run.emulation_year_id"

    list_display = ["run", "unit", "criterion_code", "actual", "target", "ratio", "met", "points"]
    list_filter = ["met", "run__emulation_year__cluster"]
    search_fields = ["unit__name", "criterion_code", "explanation"]
    list_select_related = ["run__emulation_year__cluster", "unit"]
    readonly_fields = [f.name for f in Score._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.run.is_current:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AwardKind)
class AwardKindAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "cluster",
        "award_code",
        "min_band",
        "cap_count",
        "cap_percent",
        "tie_rule",
    ]
    list_filter = ["cluster"]
    search_fields = ["name", "code"]


class VoterInline(ReadOnlyInline):
    """Who voted, and how (in the browser or from a paper ballot) — never what they chose."""

    model = BallotVoter
    fields = ("unit", "voted_at", "on_paper")
    readonly_fields = fields


@admin.register(Ballot)
class BallotAdmin(ImmutableAdmin):
    """Read-only: a ballot opens, closes and reopens (with a reason) only through the conference
    page, where each step is recorded; its choices are never listed here."""

    list_display = ["emulation_year", "purpose", "award_kind", "status", "opened_at", "closed_at"]
    list_filter = ["purpose", "status"]
    list_select_related = ["emulation_year__cluster", "award_kind"]
    inlines = [VoterInline]


@admin.register(AwardProposal)
class AwardProposalAdmin(ImmutableAdmin):
    """Read-only: proposals follow from a closed ballot's tally."""

    list_display = ["emulation_year", "award_kind", "unit", "votes", "rank"]
    list_filter = ["award_kind"]
    list_select_related = ["emulation_year__cluster", "award_kind", "unit"]


@admin.register(ConferenceDetails)
class ConferenceDetailsAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    """The year's document and conference details (the secretariat types them on the documents
    page, also after publication; here, like everything of a published year, read-only)."""

    list_display = ["emulation_year", "place", "agency_symbol", "venue", "started_at"]
    list_select_related = ["emulation_year__cluster"]
    readonly_fields = ["updated_by"]


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ImmutableAdmin):
    """Read-only: a template is uploaded (and checked) on a year's documents page, as a new
    version; a version never changes, documents name the one that made them."""

    list_display = ["kind", "cluster", "version", "file_name", "uploaded_at", "uploaded_by"]
    list_filter = ["kind", "cluster"]
    exclude = ["content"]


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ImmutableAdmin):
    """Read-only: documents are generated on a year's documents page; a published year's are
    its archive. The files are downloaded there, with the permission checks."""

    list_display = ["emulation_year", "kind", "unit", "number", "issued_on", "archived"]
    list_filter = ["kind", "archived"]
    list_select_related = ["emulation_year__cluster", "unit"]
    exclude = ["docx", "pdf"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(AuditedAdmin, admin.ModelAdmin):
    """The days off and worked that the award dossiers' legal clocks count beyond Vietnam's
    public holidays. Every change is audited like the admin's others, and moves the deadlines
    of the dossiers whose clocks are running (`dossiers_reclock`)."""

    audit_year_path = ""  # a day belongs to no emulation year
    list_display = ["day", "working", "note"]
    list_filter = ["working"]
    ordering = ["-day"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        dossiers_reclock()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        dossiers_reclock()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        dossiers_reclock()
