from django.contrib import admin

from grassroots.accounts.admin_scope import ScopedAdminMixin

from .models import MonthlyProblem, MonthlyProblemUpdate
from .selectors import problems_visible_to


class UpdateInline(admin.TabularInline):
    model = MonthlyProblemUpdate
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MonthlyProblem)
class MonthlyProblemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only here: promotions and progress go through hotspots.services (with their audit rows);
    a staff user reads the problems of the streets under their roles."""

    scope_selector = staticmethod(problems_visible_to)  # a community worker sees their street's problems

    list_display = ("month", "title", "street", "lead_unit", "deadline", "status")
    list_filter = ("status", "month")
    search_fields = ("title",)
    inlines = [UpdateInline]
    readonly_fields = [f.name for f in MonthlyProblem._meta.fields] + ["cases"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
