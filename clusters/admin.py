from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEntry,
    Cluster,
    EmulationYear,
    FlagHandover,
    Membership,
    RoleGrant,
    Unit,
    UnitSuccession,
    YearOffice,
)


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("sáp nhập vào")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Successions edited inline change prev() of the unit's years: those are recomputed."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for f in formsets):
            from scoring.services.years import units_mark_dirty

            unit_ids = {form.instance.pk}
            for formset in formsets:
                for inline_form in formset.forms:
                    successor = (
                        inline_form.cleaned_data.get("successor")
                        if hasattr(inline_form, "cleaned_data")
                        else None
                    )
                    if successor is not None:
                        unit_ids.add(successor.pk)
            units_mark_dirty(unit_ids=unit_ids)

    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]


class MarksMembersDirty:
    """A succession changes prev() of the successor's years: they are recomputed after commit."""

    def _mark(self, unit_ids) -> None:
        from scoring.services.years import units_mark_dirty

        units_mark_dirty(unit_ids=set(unit_ids))

    def save_model(self, request, obj, form, change):
        before = set()
        if change:
            old = (
                type(obj)
                .objects.filter(pk=obj.pk)
                .values_list("predecessor_id", "successor_id")
                .first()
            )
            before = set(old or ())
        super().save_model(request, obj, form, change)
        self._mark(before | {obj.predecessor_id, obj.successor_id})

    def delete_model(self, request, obj):
        units = {obj.predecessor_id, obj.successor_id}
        super().delete_model(request, obj)
        self._mark(units)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(MarksMembersDirty, admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_on"]
    list_filter = ["effective_on"]
    search_fields = ["predecessor__name", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]


class YearInline(admin.TabularInline):
    model = EmulationYear
    extra = 0
    fields = ["year", "status", "reporting_deadline"]
    show_change_link = True


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "supervising_unit"]
    list_filter = ["kind", "supervising_unit"]
    search_fields = ["code", "name"]
    # extra_units: the units a secretariat may add to a new year beyond the previous members.
    autocomplete_fields = ["supervising_unit", "extra_units"]
    inlines = [YearInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


class OfficeInline(admin.TabularInline):
    model = YearOffice
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(EmulationYear)
class EmulationYearAdmin(admin.ModelAdmin):
    """Memberships and the scheme in force are scoring inputs: a change marks the year dirty."""

    list_display = ["cluster", "year", "status", "reporting_deadline", "scheme", "is_dirty"]
    list_filter = ["status", "year", "cluster"]
    search_fields = ["cluster__name", "cluster__code"]
    list_select_related = ["cluster", "scheme"]
    readonly_fields = ["input_version", "scored_version", "dirty_since"]
    inlines = [MembershipInline, OfficeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(f.has_changed() for f in formsets):
            from scoring.services.years import year_mark_dirty

            year_mark_dirty(emulation_year_id=form.instance.pk)

    @admin.display(boolean=True, description=_("cần tính lại"))
    def is_dirty(self, obj: EmulationYear) -> bool:
        return obj.is_dirty

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the year's own scheme versions may be put in force.
        if db_field.name == "scheme":
            from scoring.models import Scheme

            year_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = Scheme.objects.filter(emulation_year_id=year_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(FlagHandover)
class FlagHandoverAdmin(admin.ModelAdmin):
    list_display = ["cluster", "handed_on", "from_unit", "to_unit", "occasion"]
    list_filter = ["cluster"]
    autocomplete_fields = ["from_unit", "to_unit"]
    list_select_related = ["cluster", "from_unit", "to_unit"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "cluster"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "cluster__name"]
    autocomplete_fields = ["unit", "cluster"]
    list_select_related = ["user", "unit", "cluster"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be edited or deleted from the app."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "object_id", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
