"""Accounts and roles in the admin.

A superuser manages everyone. Another staff user sees only accounts whose every role lies inside
their own areas or units, and role rows there; they cannot grant superuser status, groups or model
permissions, and cannot create accounts (a superuser creates them, then roles are assigned).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q

from grassroots.core.admin_scope import (
    ScopedAdminMixin,
    ScopedModelAdmin,
    role_assignments_q,
    users_manageable_by,
)

from .models import RoleAssignment, User


class RoleInline(ScopedAdminMixin, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["area", "unit"]

    def scope_q(self, request) -> Q:
        return role_assignments_q(request.user)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "first_name", "last_name"]
    inlines = [RoleInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["display_name", "first_name", "last_name", "email"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("重要日期", {"fields": ["last_login", "date_joined"]}),
    ]

    def scope_q(self, request) -> Q:
        return Q(pk__in=users_manageable_by(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        return ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedModelAdmin):
    list_display = ["user", "role", "area", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "area__name", "area__code", "unit__name"]
    autocomplete_fields = ["user", "area", "unit"]
    list_select_related = ["user", "area", "unit"]

    def scope_q(self, request) -> Q:
        return role_assignments_q(request.user)
