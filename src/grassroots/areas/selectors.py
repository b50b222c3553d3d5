"""Scoped reads of the Area tree."""

from __future__ import annotations

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from .models import Area


def areas_visible_to(user, capability: str = Capability.VIEW_AREAS):
    """Areas in the subtrees where ``user`` holds ``capability`` (all of them for a superuser)."""
    return Area.objects.filter(scope_for(user).area_q(capability))


def area_get_for(user, code: str, capability: str = Capability.VIEW_AREAS) -> Area:
    """One area the user may see, or Area.DoesNotExist (views turn it into 404)."""
    return areas_visible_to(user, capability).get(code=code)
