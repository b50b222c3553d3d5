"""Scope is data: the areas and units a user's roles give them, and what they may do there.

Every selector in the project filters through these functions, so a grid worker of grid A never
sees grid B and a community worker never sees another community.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .models import ROLE_CAPABILITIES, RoleAssignment


@dataclass(frozen=True)
class Scope:
    is_superuser: bool = False
    # capability -> area codes (subtree roots) where the user has it
    area_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    # capability -> unit ids where the user has it
    unit_ids: dict[str, frozenset[int]] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()
    user_id: int | None = None

    def codes(self, capability: str) -> frozenset[str]:
        return self.area_codes.get(capability, frozenset())

    def can(self, capability: str) -> bool:
        return self.is_superuser or bool(self.codes(capability) or self.unit_ids.get(capability))

    def can_at(self, capability: str, code: str) -> bool:
        """True when ``code`` lies in (or is) an area where the user has ``capability``."""
        if self.is_superuser:
            return True
        return any(code.startswith(root) for root in self.codes(capability))

    def area_q(self, capability: str, field: str = "code", *, ranges: bool = False) -> Q:
        """A filter for rows whose ``field`` (an area code) is under the user's areas.

        ``ranges``: each root's prefix also as a range of codes (``>= root AND < the next prefix``) beside
        the LIKE, the same rows. SQLite never reads an index for Django's ``LIKE … ESCAPE`` (nor does
        PostgreSQL outside the C collation), so a count of a place's rows read the whole table; with the
        range it reads the place's part of the index. Not for a page ordered newest first: there the
        created_at index, read until the page is full, is the cheaper plan, and SQLite would take the range."""
        if self.is_superuser:
            return Q()
        roots = _minimal_roots(self.codes(capability))
        if not roots:
            return Q(pk__in=[])
        q = Q()
        for root in roots:
            part = Q(**{f"{field}__startswith": root})
            if ranges:
                part &= Q(**{f"{field}__gte": root, f"{field}__lt": prefix_end(root)})
            q |= part
        return q

    def areas_with_ancestors(self, capability: str) -> frozenset[str]:
        """Codes of the roots and all their ancestors (to draw the path down to a user's areas)."""
        out = set()
        for root in self.codes(capability):
            out.update(root[:n] for n in (6, 9, 12, 15, 18, 22) if n <= len(root))
        return frozenset(out)


def prefix_end(prefix: str) -> str:
    """The first string after every string starting with ``prefix`` ("420303001" → "420303002")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _minimal_roots(codes) -> list[str]:
    roots = sorted(codes, key=len)
    kept: list[str] = []
    for code in roots:
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return kept


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_grassroots_scope", None)
    if cached is not None:
        return cached
    area_codes: dict[str, set[str]] = {}
    unit_ids: dict[str, set[int]] = {}
    roles = set()
    # the places' codes only: every signed-in request asks, and a place's whole row carries its outline
    for role, area_code, unit_id in RoleAssignment.objects.filter(user=user).values_list("role", "area__code",
                                                                                        "unit_id"):
        roles.add(role)
        for cap in ROLE_CAPABILITIES.get(role, ()):
            if area_code:
                area_codes.setdefault(cap, set()).add(area_code)
            else:
                unit_ids.setdefault(cap, set()).add(unit_id)
    scope = Scope(
        is_superuser=user.is_superuser,
        area_codes={k: frozenset(v) for k, v in area_codes.items()},
        unit_ids={k: frozenset(v) for k, v in unit_ids.items()},
        roles=frozenset(roles),
        user_id=user.pk,
    )
    user._grassroots_scope = scope
    return scope


def system_viewer(username: str = "system"):
    """An unsaved, active superuser whose scope is everything, for the worker's own reads (a report
    made on a schedule); never logged in, never saved. Callers check the real user's scope first."""
    from .models import User

    viewer = User(username=username, is_superuser=True, is_active=True)
    viewer._grassroots_scope = Scope(is_superuser=True)
    return viewer
