"""The finder's rules per district are edited in the admin (radius, time window, thresholds); the
candidates and the merged residents' ratings are read-only records."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import DuplicateCandidate, DuplicateSettings, MergedRating


@admin.register(DuplicateSettings)
class DuplicateSettingsAdmin(ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_field = "district_code"
    list_display = ["district_code", "radius_m", "window_days", "threshold", "strong_threshold", "updated_at"]


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_field = "district_code"
    list_display = ["case", "candidate", "score", "distance_m", "strong", "found_at", "dismissed_by", "dismissed_at"]
    list_filter = ["strong"]


@admin.register(MergedRating)
class MergedRatingAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.DISPATCH_CASES
    scope_field = "district_code"
    list_display = ["case", "original", "rating", "rated_at"]
