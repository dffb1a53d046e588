"""The admin of the clusters' models. It lives with the scoring's admin because a year's parts
(its memberships, offices, flag handovers, the successions that change prev()) are frozen by the
scoring's guard once the year is published, and their changes mark years for recompute: the
clusters app itself imports nothing of the scoring (the import contract in pyproject.toml)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clusters.audit import audit_record, audit_values
from clusters.models import (
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
from scoring.errors import YearLocked
from scoring.guards import year_assert_open
from scoring.models import Scheme
from scoring.ranking.services.dirty import units_mark_dirty, year_mark_dirty
from scoring.schemes.selectors import scheme_in_force, with_scheme_in_force

if TYPE_CHECKING:
    # The mixins below are only ever mixed into these admin classes: typed as such.
    _ModelAdmin = admin.ModelAdmin
    _InlineAdmin = admin.options.InlineModelAdmin
else:
    _ModelAdmin = _InlineAdmin = object


class _OfAYear(Protocol):
    year_path: str


def _year_locked(emulation_year_id: int | None, *, lock: bool = False) -> str | None:
    """The guard's refusal for a published year (None when the year is open or there is none).
    With `lock`, inside a transaction, the year's row is held until commit."""
    if emulation_year_id is None:
        return None
    try:
        year_assert_open(
            emulation_year_id=emulation_year_id,
            lock=lock and transaction.get_connection().in_atomic_block,
        )
    except YearLocked as refusal:
        return str(refusal)
    return None


def year_id_of(obj, path: str) -> int | None:
    """The id of the emulation year an object belongs to, along `path` (dotted attributes)."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


class FrozenYearForm(forms.ModelForm):
    """An admin form whose object belongs to an emulation year: a published year is refused
    through the one guard, on the field that names the year (an add, or a move into it)."""

    # The form field naming the year, and the path from its value to the year's id.
    frozen_field = "emulation_year"
    frozen_path = "pk"

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get(self.frozen_field)
        refusal = _year_locked(year_id_of(chosen, self.frozen_path)) if chosen else None
        if refusal:
            self.add_error(self.frozen_field if self.frozen_field in self.fields else None, refusal)
        return cleaned


class FrozenWhenPublished(_ModelAdmin):
    """Inputs and results of a published year are shown here, never changed, added or deleted:
    the year is frozen for everyone, and reopening it (in the app, with a reason) is the only
    way back. `year_path` leads from an object to its year's id."""

    year_path = "emulation_year_id"
    form: type[forms.ModelForm] = FrozenYearForm

    def year_frozen(self: _OfAYear, request, obj) -> bool:
        year_id = year_id_of(obj, self.year_path)
        if year_id is None:
            return False
        # Read once per request from the database (not from an object a form may have changed).
        known = request.__dict__.setdefault("_published_years", {})
        if year_id not in known:
            known[year_id] = EmulationYear.objects.filter(
                pk=year_id, status=EmulationYear.Status.PUBLISHED
            ).exists()
        return known[year_id]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self.year_frozen(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and self.year_frozen(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def _assert_open(self, obj) -> None:
        # The last word, under the admin's transaction: a publication committed after the
        # permission check still stops the write (refused, not a server error).
        if _year_locked(year_id_of(obj, self.year_path), lock=True):
            raise PermissionDenied

    def save_model(self, request, obj, form, change):
        if change:
            self._assert_open(type(obj).objects.get(pk=obj.pk))
        self._assert_open(obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self._assert_open(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._assert_open(obj)
        super().delete_queryset(request, queryset)


class FrozenInline(_InlineAdmin):
    """An inline of an object of a year: read-only when its parent's year is published."""

    year_path = "emulation_year_id"  # from the parent object

    def _frozen(self, request, obj) -> bool:
        return obj is not None and FrozenWhenPublished.year_frozen(self, request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._frozen(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._frozen(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._frozen(request, obj) and super().has_delete_permission(request, obj)


class AuditedAdmin:
    """Every change made in the admin writes an audit row like the app's own changes: who, when,
    and the values of the changed fields before and after (Django's own admin log keeps only the
    field names). Inline rows are recorded one by one, under their parent's year."""

    audit_year_path = "emulation_year_id"

    VERBS = {"admin.add": "thêm", "admin.change": "sửa", "admin.delete": "xoá"}

    def _audit(self, request, action, obj, *, year_id, object_id=None, before=None, after=None):
        # Summaries are kept in Vietnamese whatever the admin's language, like the app's own.
        with translation.override("vi"):
            summary = f"Trang quản trị: {self.VERBS[action]} {obj._meta.verbose_name} “{obj}”"
        audit_record(
            actor=request.user,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(object_id if object_id is not None else obj.pk),
            summary=summary,
            emulation_year_id=year_id,
            before=before,
            after=after,
        )

    @staticmethod
    def _stored_fields(obj) -> list[str]:
        return [f.name for f in obj._meta.concrete_fields if f.name != obj._meta.pk.name]

    def save_model(self, request, obj, form, change):
        old = type(obj).objects.filter(pk=obj.pk).first() if change and obj.pk else None
        super().save_model(request, obj, form, change)
        year_id = year_id_of(obj, self.audit_year_path)
        if not change:
            after = audit_values(obj, self._stored_fields(obj))
            self._audit(request, "admin.add", obj, year_id=year_id, after=after)
            return
        changed = [name for name in form.changed_data if name in audit_values(obj, [name])]
        if changed:
            self._audit(
                request,
                "admin.change",
                obj,
                year_id=year_id,
                before=audit_values(old, changed),
                after=audit_values(obj, changed),
            )

    def delete_model(self, request, obj):
        pk, before = obj.pk, audit_values(obj, self._stored_fields(obj))
        year_id = year_id_of(obj, self.audit_year_path)
        super().delete_model(request, obj)
        self._audit(request, "admin.delete", obj, year_id=year_id, object_id=pk, before=before)

    def delete_queryset(self, request, queryset):
        rows = [
            (
                obj,
                obj.pk,
                year_id_of(obj, self.audit_year_path),
                audit_values(obj, self._stored_fields(obj)),
            )
            for obj in queryset
        ]
        super().delete_queryset(request, queryset)
        for obj, pk, year_id, before in rows:
            self._audit(request, "admin.delete", obj, year_id=year_id, object_id=pk, before=before)

    def save_formset(self, request, form, formset, change):
        # The rows as stored before the save (the forms' instances already hold the new values).
        olds = formset.model._default_manager.in_bulk(
            [f.instance.pk for f in formset.initial_forms if f.instance.pk]
        )
        deleting = {
            id(f.instance): (
                f.instance.pk,
                audit_values(olds.get(f.instance.pk), self._stored_fields(f.instance)),
            )
            for f in formset.deleted_forms
            if f.instance.pk
        }
        super().save_formset(request, form, formset, change)
        year_id = year_id_of(form.instance, self.audit_year_path)
        for obj in formset.new_objects:
            after = audit_values(obj, self._stored_fields(obj))
            self._audit(request, "admin.add", obj, year_id=year_id, after=after)
        for obj, changed in formset.changed_objects:
            self._audit(
                request,
                "admin.change",
                obj,
                year_id=year_id,
                before=audit_values(olds.get(obj.pk), changed),
                after=audit_values(obj, changed),
            )
        for obj in formset.deleted_objects:
            pk, before = deleting.get(id(obj), (None, None))
            self._audit(request, "admin.delete", obj, year_id=year_id, object_id=pk, before=before)


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("sáp nhập vào")


@admin.register(Unit)
class UnitAdmin(AuditedAdmin, admin.ModelAdmin):
    """Successions edited inline change prev() of the unit's years: those are recomputed."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for f in formsets):
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
class UnitSuccessionAdmin(AuditedAdmin, MarksMembersDirty, admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_on"]
    list_filter = ["effective_on"]
    search_fields = ["predecessor__name", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]


class YearInline(admin.TabularInline):
    """Listed, not edited here: a year changes on its own page, where a published one is frozen
    and every change is recorded."""

    model = EmulationYear
    extra = 0
    fields = ("year", "status", "reporting_deadline")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "supervising_unit"]
    list_filter = ["kind", "supervising_unit"]
    search_fields = ["code", "name"]
    # extra_units: the units a secretariat may add to a new year beyond the previous members.
    autocomplete_fields = ["supervising_unit", "extra_units"]
    inlines = [YearInline]


class MembershipInline(FrozenInline, admin.TabularInline):
    year_path = "pk"
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


class OfficeInline(FrozenInline, admin.TabularInline):
    year_path = "pk"
    model = YearOffice
    extra = 0
    autocomplete_fields = ["unit"]


class EmulationYearForm(forms.ModelForm):
    """Publishing and reopening (any step back) happen in the app, where publication checks
    what is not ready and a reopening records its reason: never here."""

    def clean_status(self):
        status = self.cleaned_data["status"]
        before = (
            EmulationYear.objects.filter(pk=self.instance.pk)
            .values_list("status", flat=True)
            .first()
            if self.instance.pk
            else None
        )
        order = EmulationYear.LIFE_CYCLE
        if status == before:
            return status
        if status == EmulationYear.Status.PUBLISHED or (
            before is not None and order.index(status) < order.index(before)
        ):
            raise forms.ValidationError(
                _(
                    "Công bố kết quả và mở lại năm (kèm lý do) chỉ thực hiện trên trang của năm "
                    "thi đua, không thực hiện trong trang quản trị."
                )
            )
        return status


@admin.register(EmulationYear)
class EmulationYearAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    """Memberships are scoring inputs: a change marks the year dirty. The scheme in force is
    shown, not chosen here: a new version is put in force in the app, with its reason. A published
    year is shown read-only (reopen it in the app, with a reason)."""

    year_path = "pk"
    audit_year_path = "pk"
    form = EmulationYearForm

    list_display = ["cluster", "year", "status", "reporting_deadline", "scheme", "is_dirty"]
    list_filter = ["status", "year", "cluster"]
    search_fields = ["cluster__name", "cluster__code"]
    list_select_related = ["cluster"]
    readonly_fields = ["input_version", "scored_version", "dirty_since"]
    inlines = [MembershipInline, OfficeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(f.has_changed() for f in formsets):
            year_mark_dirty(emulation_year_id=form.instance.pk)

    def get_queryset(self, request):
        return with_scheme_in_force(super().get_queryset(request))

    @admin.display(boolean=True, description=_("cần tính lại"))
    def is_dirty(self, obj: EmulationYear) -> bool:
        return obj.is_dirty

    @admin.display(description=_("thang điểm áp dụng"))
    def scheme(self, obj: EmulationYear) -> Scheme | None:
        return scheme_in_force(obj)


@admin.register(FlagHandover)
class FlagHandoverAdmin(AuditedAdmin, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["cluster", "handed_on", "from_unit", "to_unit", "occasion"]
    list_filter = ["cluster"]
    autocomplete_fields = ["from_unit", "to_unit"]
    list_select_related = ["cluster", "from_unit", "to_unit"]


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin, admin.ModelAdmin):
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
