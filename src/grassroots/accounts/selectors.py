"""Who holds a capability where: the people a notification goes to.

Scope (``scope.py``) answers "what may this user do"; these answer the reverse, "who may do this
here", from the same role rows and the same ``ROLE_CAPABILITIES`` table. (The case loop gathers its
recipients in one query of its own: cases/notify.py ``Around``.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import ROLE_CAPABILITIES, User


def roles_with(capability: str) -> list[str]:
    return sorted(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


def users_of_units(capability: str, unit_ids: Iterable[int]) -> QuerySet[User]:
    """Active users holding ``capability`` through a role at one of these units."""
    unit_ids = sorted(set(unit_ids))
    if not unit_ids:
        return User.objects.none()
    return User.objects.filter(is_active=True, roles__role__in=roles_with(capability),
                               roles__unit_id__in=unit_ids).distinct()
