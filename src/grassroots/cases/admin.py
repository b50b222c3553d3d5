"""Case categories, the 分级响应 rules, and cases (scoped by the case's place, read-only: writes go
through the services; the whistle tasks are shown on the case, read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import Case, CaseEvent, Category, TierRule, WhistleTask
from .selectors import cases_visible_to


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The taxonomy is shared by the whole installation: not scoped; editing needs model permissions."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 100


@admin.register(TierRule)
class TierRuleAdmin(admin.ModelAdmin):
    """分级响应规则: shared by the installation like the taxonomy; editing needs model permissions.
    The most specific rule wins (a category beats its ancestors, an urgency beats "any")."""

    list_display = ["category", "urgency_display", "tier", "note"]
    list_display_links = ["category"]
    list_editable = ["tier", "note"]
    list_filter = ["tier", "urgency"]
    search_fields = ["category__name", "category__code", "note"]
    autocomplete_fields = ["category"]
    list_select_related = ["category"]
    ordering = ["category__code", "urgency"]

    @admin.display(description=_("紧急程度"), ordering="urgency")
    def urgency_display(self, obj: TierRule) -> str:
        return obj.get_urgency_display() or str(_("任意"))


class WhistleTaskInline(admin.TabularInline):
    model = WhistleTask
    extra = 0
    can_delete = False
    fields = ["unit", "role", "task", "deadline", "status", "reply", "replied_at", "replied_by"]
    readonly_fields = fields
    verbose_name = verbose_name_plural = _("吹哨任务")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
    scope_selector = staticmethod(cases_visible_to)
    list_display = ["code", "title", "status", "urgency", "channel", "category", "area", "assigned_unit",
                    "deadline", "created_at"]
    list_filter = ["status", "urgency", "channel", "tier"]
    search_fields = ["code", "title"]
    list_select_related = ["category", "area", "assigned_unit"]
    date_hierarchy = "created_at"
    exclude = ["contact_name_enc", "contact_phone_enc", "contact_phone_index"]
    inlines = [WhistleTaskInline, CaseEventInline]
