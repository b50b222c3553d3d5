"""Scope in the Django admin: the same rule as the pages, applied to every ModelAdmin.

A superuser sees every row. Any other staff user sees only rows under the areas where they hold
the admin's ``scope_capability`` (and, where ``scope_unit_field`` is set, rows of the units they
see); foreign-key choices are limited the same way, so a row cannot be moved out of sight either.
Django's model permissions still decide *what* a staff user may do; scope decides *where*.

This module knows no domain app. Each app says which of its rows a user may pick, in its
``AppConfig.ready``::

    from grassroots.accounts.admin_scope import register_choices
    register_choices(Area, lambda user, capability: areas_visible_to(user, capability))

A foreign key to a model nobody registered keeps Django's own choices.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Model, Q, QuerySet

from .models import Capability, RoleAssignment, User
from .scope import scope_for

Chooser = Callable[[object, str], QuerySet]  # (user, capability) → the rows the user may pick
_CHOOSERS: dict[type[Model], Chooser] = {}


def register_choices(model: type[Model], chooser: Chooser) -> None:
    """Declare the rows of ``model`` a user may pick (and, for units, whose rows they see)."""
    _CHOOSERS[model] = chooser


def scoped_choices(user, model: type[Model], capability: str) -> QuerySet | None:
    """The rows of ``model`` that ``user`` may pick in a form; None when ``model`` is not scoped."""
    chooser = _CHOOSERS.get(model)
    return chooser(user, capability) if chooser is not None else None


def _visible_pks(user, model: type[Model], capability: str) -> QuerySet:
    """The primary keys of the ``model`` rows the user may see (none when nobody declared them)."""
    choices = scoped_choices(user, model, capability)
    return choices.values("pk") if choices is not None else model.objects.none().values("pk")


def _related_model(model: type[Model], path: str) -> type[Model]:
    """The model a ``__``-separated foreign-key path ends at ("pk" is ``model`` itself)."""
    for part in path.split("__"):
        if part != "pk":
            model = model._meta.get_field(part).related_model
    return model


def users_manageable_by(user) -> QuerySet:
    """Accounts whose every role lies inside ``user``'s areas or units (never a superuser)."""
    if scope_for(user).is_superuser:
        return User.objects.all()
    inside = role_assignments_q(user)
    return (
        User.objects.filter(is_superuser=False, pk__in=RoleAssignment.objects.filter(inside).values("user_id"))
        .exclude(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
    )


def role_assignments_q(user) -> Q:
    """Role rows at an area under the user's VIEW_AREAS roots, or at a unit the user may see."""
    unit_model = RoleAssignment._meta.get_field("unit").related_model
    return scope_for(user).area_q(Capability.VIEW_AREAS, "area__code") | Q(
        unit__in=_visible_pks(user, unit_model, Capability.VIEW_UNITS))


class ScopedAdminMixin:
    """Mix into a ModelAdmin or an inline. Set ``scope_field`` to the path of an area code."""

    scope_capability: str = Capability.VIEW_AREAS
    scope_field: str | None = "area__code"
    scope_unit_field: str | None = None  # path to a Unit pk, for rows owned by unit-role users
    # The app's own page selector, ``(user) -> QuerySet``: when set, the admin lists exactly the rows
    # the page shows (instead of ``scope_q``: ``scope_field`` and ``scope_unit_field`` are then unused,
    # ``scope_capability`` still scopes the foreign-key choices), and a row outside that list may not be
    # viewed, changed or deleted. Wrap a function in ``staticmethod`` when assigning it on the class.
    scope_selector: Callable[[object], QuerySet] | None = None

    def scope_q(self, request) -> Q:
        scope = scope_for(request.user)
        q = scope.area_q(self.scope_capability, self.scope_field) if self.scope_field else Q(pk__in=[])
        if self.scope_unit_field:
            unit_model = _related_model(self.model, self.scope_unit_field)
            q |= Q(**{f"{self.scope_unit_field}__in": _visible_pks(request.user, unit_model, Capability.VIEW_UNITS)})
        return q

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if self.scope_selector is not None:
            return qs.filter(pk__in=self.scope_selector(request.user).values("pk"))
        return qs.filter(self.scope_q(request))

    def _row_in_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser or self.scope_selector is None:
            return True
        return self.scope_selector(request.user).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._row_in_scope(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._row_in_scope(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._row_in_scope(request, obj)

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
