"""The working calendar and the time limits in the admin.

The calendar is not scoped by area (one calendar for the whole district), so ScopedModelAdmin does
not fit: every staff user may read it, and only superusers and district-level register managers
may change it. Every save and delete goes through the services, which write the audit rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from .models import CalendarDay, CalendarYear, TimeLimit
from .selectors import can_edit_calendar
from .services import (
    calendar_day_delete,
    calendar_day_set,
    calendar_year_set,
    calendar_year_validate,
    time_limit_set,
)


class DistrictEditorMixin:
    """Readable by staff, writable by calendar editors only."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_staff and can_edit_calendar(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_staff and can_edit_calendar(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_staff and can_edit_calendar(request.user)


@admin.register(CalendarDay)
class CalendarDayAdmin(DistrictEditorMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name", "note", "updated_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        saved = calendar_day_set(date=obj.date, kind=obj.kind, name=obj.name, note=obj.note,
                                 actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        calendar_day_delete(date=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for row in queryset:
            calendar_day_delete(date=row.date, actor=request.user)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "complete", "note"]

    def clean(self):
        data = super().clean()
        year = data.get("year", self.instance.year)
        if year is not None:
            calendar_year_validate(year=year, complete=bool(data.get("complete")))
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(DistrictEditorMixin, admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "complete", "note", "updated_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        saved = calendar_year_set(year=obj.year, complete=obj.complete, note=obj.note, actor=request.user)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # un-tick "complete" instead, so the change is audited


@admin.register(TimeLimit)
class TimeLimitAdmin(DistrictEditorMixin, admin.ModelAdmin):
    list_display = ["label", "urgency", "amount", "unit", "updated_by", "updated_at"]
    fields = ["urgency", "label", "amount", "unit"]
    readonly_fields = ["urgency"]

    def save_model(self, request, obj, form, change) -> None:
        time_limit_set(urgency=obj.urgency, amount=obj.amount, unit=obj.unit, label=obj.label,
                       actor=request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # the four urgencies are seeded by a migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
