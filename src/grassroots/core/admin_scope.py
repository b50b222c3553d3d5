"""Scope in the Django admin: the same rule as the pages, applied to every ModelAdmin.

A superuser sees every row. Any other staff user sees only rows under the areas where they hold
the admin's ``scope_capability`` (and, where ``scope_unit_field`` is set, rows of their own units);
foreign-key choices are limited the same way, so a row cannot be moved out of sight either.
Django's model permissions still decide *what* a staff user may do; scope decides *where*.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for


def scoped_choices(user, model: type[Model], capability: str) -> QuerySet | None:
    """The rows of ``model`` that ``user`` may pick in a form; None when ``model`` is not scoped."""
    from grassroots.accounts.models import User
    from grassroots.areas.models import Area
    from grassroots.areas.selectors import areas_visible_to
    from grassroots.orgs.models import PartyOrg, Unit
    from grassroots.orgs.selectors import party_orgs_visible_to, units_visible_to
    from grassroots.people.models import Person
    from grassroots.people.selectors import persons_visible_to

    if model is Area:
        return areas_visible_to(user, capability)
    if model is Unit:
        return units_visible_to(user)
    if model is PartyOrg:
        return party_orgs_visible_to(user)
    if model is Person:
        return persons_visible_to(user)
    if model is User:
        return users_manageable_by(user)
    return None


def users_manageable_by(user) -> QuerySet:
    """Accounts whose every role lies inside ``user``'s areas or units (never a superuser)."""
    from grassroots.accounts.models import RoleAssignment, User

    if scope_for(user).is_superuser:
        return User.objects.all()
    inside = role_assignments_q(user)
    return (
        User.objects.filter(is_superuser=False, pk__in=RoleAssignment.objects.filter(inside).values("user_id"))
        .exclude(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
    )


def role_assignments_q(user) -> Q:
    """Role rows at an area under the user's VIEW_AREAS roots, or at a unit the user may see."""
    from grassroots.orgs.selectors import units_visible_to

    return scope_for(user).area_q(Capability.VIEW_AREAS, "area__code") | Q(
        unit__in=units_visible_to(user).values("pk"))


class ScopedAdminMixin:
    """Mix into a ModelAdmin or an inline. Set ``scope_field`` to the path of an area code."""

    scope_capability: str = Capability.VIEW_AREAS
    scope_field: str | None = "area__code"
    scope_unit_field: str | None = None  # path to a Unit pk, for rows owned by unit-role users

    def scope_q(self, request) -> Q:
        scope = scope_for(request.user)
        q = scope.area_q(self.scope_capability, self.scope_field) if self.scope_field else Q(pk__in=[])
        if self.scope_unit_field:
            from grassroots.orgs.selectors import units_visible_to

            q |= Q(**{f"{self.scope_unit_field}__in": units_visible_to(request.user).values("pk")})
        return q

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(self.scope_q(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser and "queryset" not in kwargs:
            choices = scoped_choices(request.user, db_field.related_model, self.scope_capability)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0


class ReadOnlyAdminMixin:
    """For append-only records (audit rows, import jobs): view, never add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
