"""The Area tree in the admin, scoped to the user's subtrees.

New areas go through ``services.area_create`` (next free code, validation, audit row). On an
existing area the code, level and parent are read-only: they are the materialized path that every
other table's scope filter relies on. Boundaries are maintained by the GeoJSON import.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from grassroots.accounts.admin_scope import ScopedModelAdmin
from grassroots.core.services import audit_record

from .models import Area, child_level, level_of_code
from .services import area_create, next_child_code, validate_area


class AreaAddForm(forms.ModelForm):
    """Code and level are worked out from the parent when left blank."""

    class Meta:
        model = Area
        fields = ["parent", "name", "code", "level", "rural", "address", "lat", "lng"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "level"):
            if name in self.fields:
                self.fields[name].required = False
        if "code" in self.fields:
            self.fields["code"].help_text = "留空则按上级自动编号"

    def clean(self):
        data = super().clean()
        parent, code, level = data.get("parent"), data.get("code") or "", data.get("level") or ""
        if parent is not None:
            level = level or child_level(parent.level) or ""
            try:
                code = code or next_child_code(parent)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        else:
            level = level or level_of_code(code) or ""
        validate_area(code=code, name=data.get("name") or "", level=level, parent=parent)
        data["code"], data["level"] = code, level
        return data


@admin.register(Area)
class AreaAdmin(ScopedModelAdmin):
    scope_field = "code"
    list_display = ["name", "code", "level", "parent", "rural", "has_boundary"]
    list_filter = ["level", "rural"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    ordering = ["code"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AreaAddForm
        form = super().get_form(request, obj, **kwargs)
        if obj is None and not request.user.is_superuser and "parent" in form.base_fields:
            form.base_fields["parent"].required = True  # only a superuser creates a district
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return AreaAddForm.Meta.fields
        return ["code", "level", "parent", "name", "rural", "address", "lat", "lng", "has_boundary"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "level", "parent", "has_boundary"] if obj else []

    def get_queryset(self, request):
        # whether an outline is there, without reading it (a hundred rows a page, each outline a GeoJSON)
        return super().get_queryset(request).with_outline_flag()

    @admin.display(description="有边界", boolean=True)
    def has_boundary(self, obj):
        known = getattr(obj, "has_outline", None)
        return bool(obj.boundary) if known is None else known

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, action="area.update", obj=obj, district_code=obj.code[:6],
                         detail={"via": "admin", "fields": form.changed_data})
            return
        created = area_create(name=obj.name, parent=obj.parent, level=obj.level, code=obj.code,
                              actor=request.user, rural=obj.rural, lat=obj.lat, lng=obj.lng,
                              address=obj.address)
        obj.pk, obj.code, obj.level = created.pk, created.code, created.level
        obj._state.adding, obj._state.db = False, created._state.db
