"""Scoped reads of 每月一题. A user reads the problems of a street where they see cases at the
street, above it (district) or below it (the street's communities and grids: community staff follow
their street's problem of the month); everyone else gets a 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level, outlines_unread
from grassroots.orgs.models import Unit

from .models import MonthlyProblem
from .services import may_manage

STREET_LEN = CODE_LENGTHS[Level.STREET]


def problems_visible_to(user) -> QuerySet[MonthlyProblem]:
    scope = scope_for(user)
    qs = outlines_unread(MonthlyProblem.objects.select_related("street", "lead_unit", "category", "created_by"))
    if scope.is_superuser:
        return qs.all()
    q = Q(pk__in=[])
    for root in scope.codes(Capability.VIEW_CASES):
        q |= Q(street__code__startswith=root) if len(root) <= STREET_LEN else Q(street__code=root[:STREET_LEN])
    return qs.filter(q)


def problem_get_for(user, pk: int) -> MonthlyProblem:
    """One problem the user may read, or MonthlyProblem.DoesNotExist (404)."""
    return problems_visible_to(user).get(pk=pk)


def managed_streets(user) -> list[Area]:
    """The streets where the user may promote (street staff, district staff: all their streets)."""
    scope = scope_for(user)
    streets = Area.objects.filter(level=Level.STREET)
    if not scope.is_superuser:
        q = Q(pk__in=[])
        for root in scope.codes(Capability.DISPATCH_CASES):
            if len(root) <= STREET_LEN:
                q |= Q(code__startswith=root)
        streets = streets.filter(q)
    return [s for s in streets.order_by("code") if may_manage(user, s)]


def lead_units(street: Area) -> QuerySet[Unit]:
    """Units that may lead a street's problem: the district's departments and units."""
    return Unit.objects.filter(district_code=street.code[:6]).order_by("kind", "name")
