"""Register import jobs in the admin: read-only, scoped to the areas the user manages registers in
(and the jobs they submitted themselves)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.MANAGE_REGISTERS
    scope_field = "scope_code"
    list_display = ["original_name", "register", "status", "total_rows", "created_count", "created_by",
                    "created_at"]
    list_filter = ["register", "status"]
    search_fields = ["original_name", "scope_code"]
    list_select_related = ["created_by"]

    def scope_q(self, request) -> Q:
        return super().scope_q(request) | Q(created_by=request.user)
