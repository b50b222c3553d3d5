"""Case categories (one shared taxonomy) and cases (scoped by the case's area) in the admin."""

from __future__ import annotations

from django.contrib import admin

from grassroots.core.admin_scope import ScopedModelAdmin

from .models import Case, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The taxonomy is shared by the whole installation: not scoped; editing needs model permissions."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 100


@admin.register(Case)
class CaseAdmin(ScopedModelAdmin):
    list_display = ["code", "title", "status", "category", "area", "created_at"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["category", "area"]
    list_select_related = ["category", "area"]
    date_hierarchy = "created_at"
