"""Register import jobs in the admin: read-only, and exactly the jobs the page lists
(``jobs_visible_to``: a user's own jobs; every job for a superuser)."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import ImportJob
from .selectors import jobs_visible_to


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.MANAGE_REGISTERS
    scope_selector = staticmethod(jobs_visible_to)
    list_display = ["original_name", "register", "status", "total_rows", "created_count", "created_by",
                    "created_at"]
    list_filter = ["register", "status"]
    search_fields = ["original_name", "scope_code"]
    list_select_related = ["created_by"]
