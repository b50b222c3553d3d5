"""Read-only admin views of the lists (changes go through the services, which check and audit),
each listing its pages' selector: a community's staff read their communities' rows, a unit's staff
their unit's own, and a role that only sees the area (a leader, a grid worker) reads none, as on the
board."""

from django.contrib import admin

from grassroots.accounts.admin_scope import ScopedAdminMixin

from . import selectors
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
    scope_selector = staticmethod(selectors.resources_visible_to)
    list_display = ("title", "kind", "category", "unit", "community", "available")
    list_filter = ("kind", "category", "available")


@admin.register(Need)
class NeedAdmin(ReadOnly):
    scope_selector = staticmethod(selectors.needs_visible_to)
    list_display = ("title", "category", "source", "status", "community", "created_at")
    list_filter = ("status", "source", "category")


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    scope_selector = staticmethod(selectors.projects_visible_to)
    list_display = ("title", "owner_unit", "community", "deadline", "progress", "status", "practical")
    list_filter = ("status", "practical")


@admin.register(Match)
class MatchAdmin(ReadOnly):
    scope_selector = staticmethod(selectors.matches_visible_to)
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
    scope_selector = staticmethod(selectors.agreements_visible_to)
    list_display = ("unit", "community", "year", "signed_on")
    inlines = [ItemInline]
