"""Reads of the resident account pages: one's own account, the claims a grid worker may decide, the
households of a building (names only: public like the building list)."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level

from .models import HouseholdClaim, ResidentAccount

HOUSEHOLD_RESULTS = 200


def account_of(user) -> ResidentAccount | None:
    if user is None or not user.is_authenticated:
        return None
    return ResidentAccount.objects.select_related("household__parent__parent", "person").filter(user=user).first()


def claims_visible_to(user) -> QuerySet[HouseholdClaim]:
    """Claims of households under the areas where the user handles cases and sees residents (grid
    staff, community and street workers); nothing for anyone else."""
    qs = HouseholdClaim.objects.select_related("household__parent__parent", "account", "decided_by")
    scope = scope_for(user)
    if not user.is_authenticated:
        return qs.none()
    if scope.is_superuser:
        return qs
    if not may_see_claims(user):
        return qs.none()
    return qs.filter(scope.area_q(Capability.VIEW_RESIDENTS, "household__code")).filter(
        scope.area_q(Capability.HANDLE_CASES, "household__code"))


def may_see_claims(user) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.codes(Capability.VIEW_RESIDENTS) and scope.codes(Capability.HANDLE_CASES))


def households_of(building: Area) -> list[Area]:
    return list(Area.objects.filter(parent=building, level=Level.HOUSEHOLD).order_by("code")[:HOUSEHOLD_RESULTS])
