"""The roster and the quick reports in the admin, scoped like the pages; read-only reports."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import QuickReport, Woodpecker


@admin.register(Woodpecker)
class WoodpeckerAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_field = "community__code"
    list_display = ["name", "community", "group", "status", "joined_at"]
    list_filter = ["status", "group"]
    search_fields = ["name", "platform"]
    raw_id_fields = ["user", "decided_by"]
    list_select_related = ["community"]


@admin.register(QuickReport)
class QuickReportAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_CASES
    scope_field = "area_code"
    list_display = ["case", "woodpecker", "quick_category", "status", "received_at", "decided_by"]
    list_filter = ["status", "quick_category"]
    list_select_related = ["case", "woodpecker", "decided_by"]
