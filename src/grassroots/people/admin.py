"""People in the admin, scoped like the pages. ID numbers and phones appear masked only; they can
be replaced (write-only fields) but never read back here — revealing is the audited page action."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import BooleanField, Case, Q, Value, When

from grassroots.accounts.admin_scope import ScopedModelAdmin
from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core import crypto
from grassroots.core.services import audit_record

from .models import CareTag, GridStaff, PartyMember, Person, Resident, Volunteer
from .selectors import persons_visible_to
from .services import person_find


class PersonAdminForm(forms.ModelForm):
    new_id_number = forms.CharField(label="登记/更换身份证号", required=False, max_length=32,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                    help_text="只写不读：保存后仅显示脱敏号码")
    new_phone = forms.CharField(label="登记/更换手机号", required=False, max_length=32,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                help_text="只写不读：保存后仅显示脱敏号码")

    class Meta:
        model = Person
        fields = ["name", "gender", "birth_date", "district_code", "user"]

    def clean_new_id_number(self) -> str:
        value = crypto.normalize(self.cleaned_data["new_id_number"])
        if not value:
            return ""
        if problem := crypto.id_number_problem(value):
            raise forms.ValidationError(problem)
        other = person_find(id_number=value)
        if other is not None and other.pk != self.instance.pk:
            raise forms.ValidationError("该身份证号已登记为另一人员，请勿重复建档")
        return value

    def clean_new_phone(self) -> str:
        value = crypto.normalize(self.cleaned_data["new_phone"])
        if value and (problem := crypto.phone_problem(value)):
            raise forms.ValidationError(problem)
        return value


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    form = PersonAdminForm
    scope_field = None
    list_display = ["name", "gender", "birth_date", "id_number_masked", "phone_masked", "district_code"]
    list_filter = ["gender"]
    search_fields = ["name"]
    readonly_fields = ["id_number_masked", "phone_masked"]
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "gender", "birth_date", "district_code", "user"]}),
        ("证件与联系方式（脱敏）", {"fields": ["id_number_masked", "phone_masked", "new_id_number", "new_phone"]}),
    ]

    def scope_q(self, request) -> Q:
        return Q(pk__in=persons_visible_to(request.user).values("pk"))

    def get_search_results(self, request, queryset, search_term):
        """Name search, plus an exact ID-number/phone match through the blind index."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        indexes = crypto.blind_indexes(search_term) if len(search_term.strip()) >= 7 else []
        if indexes:
            results |= queryset.filter(id_number_index__in=indexes) | queryset.filter(phone_index__in=indexes)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        changed = []
        if form.cleaned_data.get("new_id_number"):
            obj.set_id_number(form.cleaned_data["new_id_number"])
            changed.append("id_number")
        if form.cleaned_data.get("new_phone"):
            obj.set_phone(form.cleaned_data["new_phone"])
            changed.append("phone")
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if f not in ("new_id_number", "new_phone")] + changed
        audit_record(actor=request.user, action="person.update" if change else "person.create", obj=obj,
                     detail={"via": "admin", "fields": fields})


@admin.register(Resident)
class ResidentAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    scope_field = "household__code"
    list_display = ["person_name", "household", "household_code", "relation", "id_number", "phone",
                    "care_tags_shown"]
    list_filter = ["relation"]
    search_fields = ["person__name", "household__code", "household__name"]
    autocomplete_fields = ["person", "household"]
    list_select_related = ["person", "household"]
    readonly_fields = ["id_number", "phone"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = scope_for(request.user)
        if scope.is_superuser:
            return qs.annotate(tags_visible=Value(True, output_field=BooleanField()))
        q = scope.area_q(Capability.VIEW_CARE_TAGS, "household__code")
        return qs.annotate(
            tags_visible=Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField()))

    def get_exclude(self, request, obj=None):
        """Care tags are not even in the form for someone who may not see them here."""
        scope = scope_for(request.user)
        allowed = (scope.can_at(Capability.VIEW_CARE_TAGS, obj.household.code) if obj
                   else scope.can(Capability.VIEW_CARE_TAGS))
        return [] if allowed else ["care_tags"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "care_tags":
            return forms.MultipleChoiceField(label="关爱标签", choices=CareTag.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="姓名", ordering="person__name")
    def person_name(self, obj):
        return obj.person.name

    @admin.display(description="户编码", ordering="household__code")
    def household_code(self, obj):
        return obj.household.code

    @admin.display(description="身份证号")
    def id_number(self, obj):
        return obj.person.id_number_masked

    @admin.display(description="手机号")
    def phone(self, obj):
        return obj.person.phone_masked

    @admin.display(description="关爱标签")
    def care_tags_shown(self, obj):
        if not getattr(obj, "tags_visible", False):
            return "—"
        return "、".join(obj.care_tag_labels()) or "—"


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_PARTY
    scope_field = "org__area__code"
    list_display = ["person", "org", "in_service", "employer", "joined_on", "phone"]
    list_filter = ["in_service", "org__level"]
    search_fields = ["person__name", "org__name"]
    autocomplete_fields = ["person", "org", "employer"]
    list_select_related = ["person", "org", "employer"]

    @admin.display(description="手机号")
    def phone(self, obj):
        return obj.person.phone_masked


@admin.register(GridStaff)
class GridStaffAdmin(ScopedModelAdmin):
    scope_field = "grid__code"
    list_display = ["person", "role", "grid", "grid_code", "phone"]
    list_filter = ["role"]
    search_fields = ["person__name", "grid__name", "grid__code"]
    autocomplete_fields = ["person", "grid"]
    list_select_related = ["person", "grid"]

    @admin.display(description="网格编码", ordering="grid__code")
    def grid_code(self, obj):
        return obj.grid.code

    @admin.display(description="手机号")
    def phone(self, obj):
        return obj.person.phone_masked


@admin.register(Volunteer)
class VolunteerAdmin(ScopedModelAdmin):
    scope_capability = Capability.VIEW_RESIDENTS
    list_display = ["person", "area", "team", "skills", "phone"]
    search_fields = ["person__name", "team", "skills"]
    autocomplete_fields = ["person", "area"]
    list_select_related = ["person", "area"]

    @admin.display(description="手机号")
    def phone(self, obj):
        return obj.person.phone_masked
