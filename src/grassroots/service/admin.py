"""双报到 in the admin, scoped to the community's area; records and feedback are read-only."""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin
from grassroots.accounts.models import Capability

from .models import FeedbackJob, MemberRegistration, Post, ServiceRecord, UnitRegistration


@admin.register(Post)
class PostAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    scope_field = "community__code"
    list_display = ["name", "community", "takes_cases", "active"]
    list_filter = ["takes_cases", "active"]


@admin.register(UnitRegistration)
class UnitRegistrationAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_UNITS
    scope_field = "community__code"
    list_display = ["unit", "community", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]
    exclude = ["contact_phone_enc", "contact_phone_index"]


@admin.register(MemberRegistration)
class MemberRegistrationAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    scope_field = "community__code"
    list_display = ["member", "community", "branch", "status", "approved_at"]
    list_filter = ["status"]
    list_select_related = ["member__person", "community", "branch"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    scope_field = "registration__community__code"
    list_display = ["served_on", "registration", "what", "hours", "status"]
    list_filter = ["status"]


@admin.register(FeedbackJob)
class FeedbackJobAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    scope_field = "community__code"
    list_display = ["community", "quarter", "status", "progress", "queued_at", "finished_at"]
    list_filter = ["status", "quarter"]
