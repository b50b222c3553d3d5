"""Points in the admin, for superusers and to read: every change goes through the services (stock,
holds and codes must move together), on the community's, the merchant's and the resident's pages."""

from django.contrib import admin

from grassroots.ledger.admin import ReadOnly

from .models import Award, ExpiryRun, Merchant, Offer, Policy, Redemption


@admin.register(Award)
class AwardAdmin(ReadOnly):
    list_display = ("occurred_at", "title", "user", "points", "status", "community")
    list_filter = ("status", "event")
    search_fields = ("source", "title")
    raw_id_fields = ("user", "community", "decided_by")


@admin.register(Merchant)
class MerchantAdmin(ReadOnly):
    list_display = ("name", "kind", "community", "active")
    list_filter = ("kind", "active")


@admin.register(Offer)
class OfferAdmin(ReadOnly):
    list_display = ("title", "merchant", "kind", "price", "stock_left", "stock", "valid_until", "active")
    list_filter = ("kind", "active")


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ("created_at", "offer", "user", "points", "status")
    list_filter = ("status",)
    raw_id_fields = ("offer", "merchant", "user", "community", "settled_by")


@admin.register(Policy)
class PolicyAdmin(ReadOnly):
    list_display = ("community", "woodpecker_report", "volunteer_hour", "expiry_months")


@admin.register(ExpiryRun)
class ExpiryRunAdmin(ReadOnly):
    list_display = ("day", "accounts", "points", "created_at")
