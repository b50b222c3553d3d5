"""Who holds a capability where: the people a notification goes to.

Scope (``scope.py``) answers "what may this user do"; these answer the reverse, "who may do this
here", from the same role rows and the same ``ROLE_CAPABILITIES`` table.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import ROLE_CAPABILITIES, RoleAssignment, User


def roles_with(capability: str) -> list[str]:
    return sorted(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


def users_at_areas(capability: str, codes: Iterable[str]) -> QuerySet[User]:
    """Active users holding ``capability`` through a role at exactly one of these area codes."""
    codes = sorted(set(codes))
    if not codes:
        return User.objects.none()
    return User.objects.filter(is_active=True, roles__role__in=roles_with(capability),
                               roles__area__code__in=codes).distinct()


def users_of_units(capability: str, unit_ids: Iterable[int]) -> QuerySet[User]:
    """Active users holding ``capability`` through a role at one of these units."""
    unit_ids = sorted(set(unit_ids))
    if not unit_ids:
        return User.objects.none()
    return User.objects.filter(is_active=True, roles__role__in=roles_with(capability),
                               roles__unit_id__in=unit_ids).distinct()


def nearest_users_above(capability: str, code: str) -> list[User]:
    """The users holding ``capability`` at the most local area at or above ``code`` that has any
    (a grid's case reaches the community's dispatchers, or the street's when the community has none)."""
    ancestors = [code[:n] for n in (22, 18, 15, 12, 9, 6) if n <= len(code)]
    rows = RoleAssignment.objects.filter(role__in=roles_with(capability), area__code__in=ancestors,
                                         user__is_active=True).values_list("user_id", "area__code")
    by_code: dict[str, set[int]] = {}
    for user_id, at in rows:
        by_code.setdefault(at, set()).add(user_id)
    for c in ancestors:
        if by_code.get(c):
            return list(User.objects.filter(pk__in=sorted(by_code[c])))
    return []
