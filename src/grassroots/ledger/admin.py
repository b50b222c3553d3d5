"""The ledger in the admin: to read, never to change (rows are written by the services only)."""

from django.contrib import admin

from .models import Account, Entry, Transfer


class ReadOnly(admin.ModelAdmin):
    """Superusers read the ledger here; staff read their own community's books on its pages."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ("name", "kind", "owner", "community_code", "posted", "held")
    list_filter = ("kind",)
    search_fields = ("owner", "community_code", "name")


@admin.register(Transfer)
class TransferAdmin(ReadOnly):
    list_display = ("created_at", "kind", "amount", "debit", "credit", "ref", "key")
    list_filter = ("kind",)
    search_fields = ("key", "ref")
    raw_id_fields = ("debit", "credit", "closes", "reverses", "actor")


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ("created_at", "account", "amount", "balance_after", "transfer")
    raw_id_fields = ("account", "transfer")
