"""Party organisations, units, seats and duty catalogues in the admin, scoped like the pages."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from grassroots.accounts.admin_scope import ScopedModelAdmin, ScopedTabularInline
from grassroots.accounts.models import Capability

from .models import CommitteeSeat, Duty, PartyOrg, Unit


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    list_display = ["name", "level", "area", "area_code", "parent", "secretary", "member_count"]
    list_filter = ["level"]
    search_fields = ["name", "secretary", "area__code"]
    autocomplete_fields = ["area", "parent"]
    list_select_related = ["area", "parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_n=Count("members", distinct=True))

    @admin.display(description="区域编码", ordering="area__code")
    def area_code(self, obj):
        return obj.area.code

    @admin.display(description="党员数", ordering="members_n")
    def member_count(self, obj):
        return obj.members_n


class SeatInline(ScopedTabularInline):
    model = CommitteeSeat
    scope_capability = Capability.VIEW_PARTY
    scope_field = "committee__area__code"
    autocomplete_fields = ["committee"]


class DutyInline(ScopedTabularInline):
    model = Duty
    scope_capability = Capability.VIEW_UNITS
    scope_field = "unit__area__code"
    scope_unit_field = "unit"
    autocomplete_fields = ["category", "area"]


@admin.register(Unit)
class UnitAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_UNITS
    scope_unit_field = "pk"
    list_display = ["name", "kind", "area", "red_property", "contact", "contact_phone_masked"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code", "contact"]
    autocomplete_fields = ["area", "party_org"]
    list_select_related = ["area"]
    inlines = [SeatInline, DutyInline]

    @admin.display(description="红色物业", boolean=True)
    def red_property(self, obj):
        return obj.is_red_property


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    scope_field = "committee__area__code"
    list_display = ["holder", "title", "unit", "committee"]
    search_fields = ["holder", "unit__name", "committee__name"]
    autocomplete_fields = ["unit", "committee"]
    list_select_related = ["unit", "committee"]


@admin.register(Duty)
class DutyAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_UNITS
    scope_field = "unit__area__code"
    scope_unit_field = "unit"
    list_display = ["unit", "category", "area", "note"]
    list_filter = ["unit__kind"]
    search_fields = ["unit__name", "category__name", "category__code", "note"]
    autocomplete_fields = ["unit", "category", "area"]
    list_select_related = ["unit", "category", "area"]
