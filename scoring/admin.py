from __future__ import annotations

from django.contrib import admin

from .models import (
    Band,
    Criterion,
    CriterionGroup,
    DataElement,
    EvidenceFile,
    ManualPoints,
    MemberTarget,
    Objection,
    Pledge,
    PledgeSignature,
    Report,
    ReportComment,
    ReportValue,
    Scheme,
    Score,
    ScoringRun,
    Standing,
)


class DataElementInline(admin.TabularInline):
    model = DataElement
    extra = 0
    fields = ["position", "code", "name", "type", "min_value", "max_value", "max_element"]


class GroupInline(admin.TabularInline):
    model = CriterionGroup
    extra = 0


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "emulation_year", "version", "scale", "created_at", "created_by"]
    list_filter = ["emulation_year__cluster", "emulation_year__year"]
    search_fields = ["name", "reason"]
    list_select_related = ["emulation_year__cluster", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    inlines = [DataElementInline, GroupInline, BandInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
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
class MemberTargetAdmin(admin.ModelAdmin):
    list_display = ["emulation_year", "unit", "criterion_code", "target"]
    list_filter = ["emulation_year__cluster", "emulation_year__year"]
    search_fields = ["unit__name", "criterion_code"]
    list_select_related = ["emulation_year__cluster", "unit"]


class SignatureInline(admin.TabularInline):
    model = PledgeSignature
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["title", "emulation_year", "published_at", "locked_at"]
    list_filter = ["emulation_year__cluster"]
    search_fields = ["title", "text"]
    inlines = [SignatureInline]


class ValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0


class CommentInline(admin.TabularInline):
    model = ReportComment
    extra = 0


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["unit", "emulation_year", "status", "version", "submitted_at", "verified_at"]
    list_filter = ["status", "emulation_year__cluster", "emulation_year__year"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "emulation_year__cluster"]
    readonly_fields = ["version", "submitted_at", "submitted_by", "verified_at", "verified_by"]
    inlines = [ValueInline, CommentInline, EvidenceInline]


@admin.register(ManualPoints)
class ManualPointsAdmin(admin.ModelAdmin):
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
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["emulation_year", "unit", "criterion_code", "status", "filed_at"]
    list_filter = ["status", "emulation_year__cluster"]
    search_fields = ["unit__name", "criterion_code", "text", "answer"]
    list_select_related = ["emulation_year__cluster", "unit"]


class StandingInline(admin.TabularInline):
    model = Standing
    extra = 0
    can_delete = False
    fields = [
        "rank",
        "unit",
        "total",
        "regular",
        "bonus",
        "deduction",
        "met_count",
        "band",
        "eligible",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    """Runs are written only by the engine; the admin shows them."""

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


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["run", "unit", "criterion_code", "actual", "target", "ratio", "met", "points"]
    list_filter = ["met", "run__emulation_year__cluster"]
    search_fields = ["unit__name", "criterion_code", "explanation"]
    list_select_related = ["run__emulation_year__cluster", "unit"]
    readonly_fields = [f.name for f in Score._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
