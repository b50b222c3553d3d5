"""Case categories, and cases (scoped by the case's place, read-only: writes go through the services)."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.models import Capability
from grassroots.core.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin

from .models import Case, CaseEvent, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The taxonomy is shared by the whole installation: not scoped; editing needs model permissions."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 100


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "actor", "public", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_CASES
    scope_field = "area_code"
    scope_unit_field = "assigned_unit"
    list_display = ["code", "title", "status", "urgency", "channel", "category", "area", "assigned_unit",
                    "deadline", "created_at"]
    list_filter = ["status", "urgency", "channel", "tier"]
    search_fields = ["code", "title"]
    list_select_related = ["category", "area", "assigned_unit"]
    date_hierarchy = "created_at"
    exclude = ["contact_name_enc", "contact_phone_enc", "contact_phone_index"]
    inlines = [CaseEventInline]
