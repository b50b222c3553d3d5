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
from grassroots.core.services import audit_record

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
from .services import role_audit, role_detail, roles_revoke

PERMISSION_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")

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

    def save_related(self, request, form, formsets, change):
        """Audit what changed in the account's powers (flags, groups, permissions) and in its roles."""
        super().save_related(request, form, formsets, change)
        changed = [f for f in PERMISSION_FIELDS if f in form.changed_data]
        if changed:
            user = form.instance
            audit_record(actor=request.user, action="user.permissions", obj=user, detail={
                "username": user.username, "changed": changed, "is_active": user.is_active,
                "is_staff": user.is_staff, "is_superuser": user.is_superuser,
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "permissions": sorted(user.user_permissions.values_list("codename", flat=True))})

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        before = {f.instance.pk: role_detail(f.instance) for f in formset.initial_forms if f.instance.pk}
        deleted = [f.instance for f in formset.initial_forms if formset.can_delete and formset._should_delete_form(f)]
        for row in deleted:
            role_audit(actor=request.user, action="role.revoke", row=row)
        super().save_formset(request, form, formset, change)
        for row in formset.new_objects:
            role_audit(actor=request.user, action="role.grant", row=row)
        for row, _fields in formset.changed_objects:
            role_audit(actor=request.user, action="role.change", row=row, detail={"before": before.get(row.pk)})


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedModelAdmin):
    list_display = ["user", "role", "area", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "area__name", "area__code", "unit__name"]
    autocomplete_fields = ["user", "area", "unit"]
    list_select_related = ["user", "area", "unit"]

    def scope_q(self, request) -> Q:
        return role_assignments_q(request.user)

    def save_model(self, request, obj, form, change):
        before = role_detail(RoleAssignment.objects.select_related("user", "area", "unit").get(pk=obj.pk)) \
            if change else None
        super().save_model(request, obj, form, change)
        role_audit(actor=request.user, action="role.change" if change else "role.grant", row=obj,
                   detail={"before": before} if change else None)

    def delete_model(self, request, obj):
        role_audit(actor=request.user, action="role.revoke", row=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        roles_revoke(actor=request.user, queryset=queryset)


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
