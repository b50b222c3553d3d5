"""Resident accounts and household claims in the admin: read-only records, scoped to the household's
area (an unverified account has no household and is seen by superusers only); the claims are the
claims review page's own list. Codes are never shown."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import HouseholdClaim, ResidentAccount
from .selectors_accounts import claims_visible_to


@admin.register(ResidentAccount)
class ResidentAccountAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_field = "household__code"
    list_display = ["phone_masked", "status", "person", "household", "method", "verified_at", "created_at"]
    list_filter = ["status", "method"]
    list_select_related = ["person", "household"]
    exclude = ["phone_enc", "phone_index"]


@admin.register(HouseholdClaim)
class HouseholdClaimAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    # The review page's list: the households under areas where the user both sees residents and
    # handles cases (grid and community staff), not every VIEW_RESIDENTS area.
    scope_selector = staticmethod(claims_visible_to)
    list_display = ["name", "id_number_masked", "household", "status", "decided_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["household", "decided_by"]
    exclude = ["id_number_enc", "id_number_index"]
