"""The admin site's Chinese titles and the read-only audit log.

The audit log is append-only: nobody adds, edits or deletes rows here. A superuser reads all of it;
a district-level administrator reads their district's rows; anyone else reads their own actions.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from .admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from .models import AuditEntry

admin.site.site_header = "基层治理平台 · 管理后台"
admin.site.site_title = "基层治理平台管理后台"
admin.site.index_title = "数据管理"


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
