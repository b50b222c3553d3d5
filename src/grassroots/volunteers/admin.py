"""Volunteer teams and activities in the admin; sign-ups read-only. Teams are scoped to the community's
area; activities and sign-ups list the pages' selectors (the activities a user organises or whose
community they dispatch for, and those activities' rosters)."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import Activity, Signup, Team
from .selectors import managed_activities, managed_signups


@admin.register(Team)
class TeamAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_field = "community__code"
    list_display = ["name", "community", "active", "created_at"]


@admin.register(Activity)
class ActivityAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_selector = staticmethod(managed_activities)  # the publishing page's list
    list_display = ["title", "community", "team", "starts_at", "slots", "status"]
    list_filter = ["status"]
    raw_id_fields = ["organiser"]


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_selector = staticmethod(managed_signups)  # the rosters the activity pages show
    list_display = ["activity", "volunteer", "status", "hours", "confirmed_at"]
    list_filter = ["status"]
