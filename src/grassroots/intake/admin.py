"""API clients in the admin: create one (its key is shown once, in the message after saving), revoke
one (an action); receipts and hotline imports are read-only records."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import ApiClient, HotlineImport, IntakeReceipt
from .selectors import hotline_jobs_visible_to
from .services import api_client_create, api_client_revoke


@admin.register(ApiClient)
class ApiClientAdmin(ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_field = "district_code"
    list_display = ["name", "source", "district", "key_prefix", "active", "last_used_at", "created_at"]
    list_filter = ["active", "source"]
    search_fields = ["name", "source", "key_prefix"]
    readonly_fields = ["key_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "source", "district"]
        return ["name", "source", "district", "active", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A key belongs to one source and district for good: a new one is a new client.
        return [*self.readonly_fields, "source", "district", "active"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        client, key = api_client_create(name=obj.name, source=obj.source, district=obj.district, actor=request.user)
        obj.pk, obj.key_prefix = client.pk, client.key_prefix
        messages.warning(request, _("客户端“%(name)s”的 API 密钥（只显示这一次，请立即复制并安全地交给对方系统）：%(key)s")
                         % {"name": client.name, "key": key})

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the receipts keep pointing at the client

    @admin.action(description=_("停用所选客户端（其密钥立即失效）"))
    def revoke(self, request, queryset):
        for client in queryset.filter(active=True):
            api_client_revoke(client=client, actor=request.user)
        self.message_user(request, _("已停用所选客户端"), messages.SUCCESS)


@admin.register(IntakeReceipt)
class IntakeReceiptAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_CASES
    scope_field = "case__area_code"
    list_display = ["case", "client", "created_at"]
    list_select_related = ["case", "client"]
    exclude = ["contact_email_enc"]
    search_fields = ["case__code", "token"]


@admin.register(HotlineImport)
class HotlineImportAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_selector = staticmethod(hotline_jobs_visible_to)  # the page's list, not the whole district
    list_display = ["original_name", "source", "status", "total_rows", "created_count", "existing_count",
                    "created_by", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["created_by"]
    exclude = ["preview"]
