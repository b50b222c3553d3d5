from django.contrib import admin

from .models import MonthlyProblem, MonthlyProblemUpdate


class UpdateInline(admin.TabularInline):
    model = MonthlyProblemUpdate
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MonthlyProblem)
class MonthlyProblemAdmin(admin.ModelAdmin):
    """Read-only here: promotions and progress go through hotspots.services (with their audit rows)."""

    list_display = ("month", "title", "street", "lead_unit", "deadline", "status")
    list_filter = ("status", "month")
    search_fields = ("title",)
    inlines = [UpdateInline]
    readonly_fields = [f.name for f in MonthlyProblem._meta.fields] + ["cases"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
