"""Micro-wishes in the admin, scoped to the community; the private contact never shows."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import Wish
from .selectors import managed


@admin.register(Wish)
class WishAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_selector = staticmethod(managed)  # the wishes page's own list
    list_display = ["title", "community", "status", "claimer_label", "published_at", "confirmed_at"]
    list_filter = ["status", "kind"]
    exclude = ["private_contact_enc"]
