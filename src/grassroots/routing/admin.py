"""Routing's records in the admin: read-only (writes go through the pages' services) and scoped —
suggestions and corrections by the case's place, settings by the street; models and jobs are
installation-wide (no personal data) and visible to superusers only."""

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import (
    CategoryThreshold,
    RoutingCorrection,
    RoutingModel,
    RoutingSuggestion,
    StreetSettings,
    TrainingJob,
)


class _SuperuserOnly(ReadOnlyAdminMixin, admin.ModelAdmin):
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser


@admin.register(RoutingModel)
class RoutingModelAdmin(_SuperuserOnly):
    list_display = ("kind", "version", "trained_at", "train_size", "source", "active")
    list_filter = ("kind", "active", "source")
    exclude = ("blob",)


@admin.register(TrainingJob)
class TrainingJobAdmin(_SuperuserOnly):
    list_display = ("pk", "status", "reason", "progress", "queued_at", "finished_at")
    list_filter = ("status",)


@admin.register(StreetSettings)
class StreetSettingsAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_field = "street__code"
    list_display = ("street", "policy", "default_threshold", "updated_at")


@admin.register(CategoryThreshold)
class CategoryThresholdAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_field = "street__code"
    list_display = ("street", "category", "threshold")


@admin.register(RoutingSuggestion)
class RoutingSuggestionAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_CASES
    scope_field = "case__area_code"
    list_display = ("case", "decision", "top_confidence", "threshold", "model_version", "created_at")
    list_filter = ("decision",)


@admin.register(RoutingCorrection)
class RoutingCorrectionAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_CASES
    scope_field = "area_code"
    list_display = ("case", "kind", "predicted_category", "chosen_category", "predicted_unit", "chosen_unit", "actor",
                    "at", "used_in_version")
    list_filter = ("kind",)
