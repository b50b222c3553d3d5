"""Read-only admin views of the lists (changes go through the services, which check and audit),
scoped like the pages: a staff user reads only the rows of the communities under their roles."""

from django.contrib import admin

from grassroots.accounts.admin_scope import ScopedAdminMixin

from .models import Agreement, AgreementItem, Match, Need, Project, Resource


class ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    scope_field = "community__code"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Resource)
class ResourceAdmin(ReadOnly):
    list_display = ("title", "kind", "category", "unit", "community", "available")
    list_filter = ("kind", "category", "available")


@admin.register(Need)
class NeedAdmin(ReadOnly):
    list_display = ("title", "category", "source", "status", "community", "created_at")
    list_filter = ("status", "source", "category")


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ("title", "owner_unit", "community", "deadline", "progress", "status", "practical")
    list_filter = ("status", "practical")


@admin.register(Match)
class MatchAdmin(ReadOnly):
    scope_field = "need__community__code"
    list_display = ("need", "resource", "status", "score", "at")


class ItemInline(admin.TabularInline):
    model = AgreementItem
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnly):
    list_display = ("unit", "community", "year", "signed_on")
    inlines = [ItemInline]
