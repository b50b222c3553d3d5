"""Accounts, roles and the audit log in the admin.

A superuser manages everyone. Another staff user sees only accounts whose every role lies inside
their own areas or units, and role rows there; they cannot grant superuser status, groups or model
permissions, and cannot create accounts (a superuser creates them, then roles are assigned).

The audit log (``core.AuditEntry``) is append-only: nobody adds, edits or deletes rows here. A
superuser reads all of it; a district-level administrator reads their district's rows; anyone else
reads their own actions.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q

from grassroots.core.models import AuditEntry

from .admin_scope import (
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedModelAdmin,
    role_assignments_q,
    users_manageable_by,
)
from .login import ThrottledAdminAuthenticationForm
from .models import Capability, RoleAssignment, User
from .scope import scope_for

admin.site.login_form = ThrottledAdminAuthenticationForm  # the same limits as the staff login page


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "district_code"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_id", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def scope_q(self, request) -> Q:
        districts = [c for c in scope_for(request.user).codes(Capability.VIEW_AREAS) if len(c) == 6]
        return Q(actor=request.user) | Q(district_code__in=districts)
