"""Scoped reads of the Area tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.orgs.models import PartyOrg

from .models import CODE_LENGTHS, Area, Level, child_level

# Levels whose grids can be drawn on the map, and whose Party organisation the tree shows.
MAP_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
PARTY_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)


def areas_visible_to(user, capability: str = Capability.VIEW_AREAS):
    """Areas in the subtrees where ``user`` holds ``capability`` (all of them for a superuser)."""
    return Area.objects.filter(scope_for(user).area_q(capability))


def area_get_for(user, code: str, capability: str = Capability.VIEW_AREAS) -> Area:
    """One area the user may see, or Area.DoesNotExist (views turn it into 404)."""
    return areas_visible_to(user, capability).get(code=code)


def _top_codes(codes) -> list[str]:
    """The codes that are not under another code of the set."""
    kept: list[str] = []
    for code in sorted(codes, key=len):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return kept


def visible_roots(user) -> QuerySet[Area]:
    """Where the user's tree starts: every district for a superuser, else the top of each subtree."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Area.objects.filter(level=Level.DISTRICT)
    return Area.objects.filter(code__in=_top_codes(scope.codes(Capability.VIEW_AREAS)))


def with_child_counts(areas: QuerySet[Area]) -> QuerySet[Area]:
    return areas.annotate(children_count=Count("children")).order_by("code")


@dataclass
class AreaNode:
    """One row of the tree browser."""

    area: Area
    children_count: int
    child_label: str = ""
    party_orgs: list[PartyOrg] = field(default_factory=list)

    @property
    def has_map(self) -> bool:
        return self.area.level in MAP_LEVELS


def _party_orgs(user, areas: list[Area]) -> dict[int, list[PartyOrg]]:
    scope = scope_for(user)
    ids = [a.pk for a in areas if a.level in PARTY_LEVELS and scope.can_at(Capability.VIEW_PARTY, a.code)]
    out: dict[int, list[PartyOrg]] = {}
    for org in PartyOrg.objects.filter(area_id__in=ids).order_by("level", "name"):
        out.setdefault(org.area_id, []).append(org)
    return out


def _child_label(area: Area) -> str:
    level = child_level(area.level)
    if level is None:
        return ""
    return Area(level=level, rural=area.rural).level_label


def area_nodes(user, areas: QuerySet[Area]) -> list[AreaNode]:
    """Tree rows for ``areas`` (already scoped by the caller) with counts and Party organisations."""
    rows = list(with_child_counts(areas))
    orgs = _party_orgs(user, rows)
    return [
        AreaNode(area=a, children_count=a.children_count, child_label=_child_label(a),
                 party_orgs=orgs.get(a.pk, []))
        for a in rows
    ]


def root_nodes(user) -> list[AreaNode]:
    return area_nodes(user, visible_roots(user))


def child_nodes(user, area: Area) -> list[AreaNode]:
    """Children of an area the user may see (a visible area's whole subtree is visible)."""
    return area_nodes(user, areas_visible_to(user).filter(parent=area))


def area_path(user, area: Area) -> list[tuple[Area, bool]]:
    """Ancestors (district first) and the area itself, each with whether the user may open it."""
    scope = scope_for(user)
    chain = [*area.ancestors(), area]
    return [(a, scope.can_at(Capability.VIEW_AREAS, a.code)) for a in chain]


def grids_under(area: Area) -> QuerySet[Area]:
    """The grids under ``area`` with their outlines (drawn, exported, or marked missing)."""
    return Area.objects.with_boundary().under(area.code).filter(level=Level.GRID).select_related("parent")


def grid_feature(grid: Area) -> dict:
    parent = grid.parent
    return {
        "type": "Feature",
        "geometry": grid.boundary,
        "properties": {
            "code": grid.code,
            "name": grid.name,
            "community_code": parent.code if parent else "",
            "community_name": parent.name if parent else "",
        },
    }


def grids_feature_collection(area: Area, *, with_empty: bool = False) -> dict:
    """The grids under (or equal to) ``area`` as a GeoJSON FeatureCollection in WGS84 lon/lat.

    ``with_empty`` also lists grids without a boundary (geometry null), so the exported file is a
    template to draw the missing ones in; importing it back leaves those grids unchanged.
    """
    grids = grids_under(area)
    if not with_empty:
        grids = grids.filter(boundary__isnull=False)
    return {
        "type": "FeatureCollection",
        "name": f"{area.name}网格边界",
        "features": [grid_feature(g) for g in grids],
    }


def community_of(area: Area) -> Area:
    """The community an area lies in (itself when it is one); ValidationError (field ``area``) for a
    street or district, which lie in no single community."""
    from django.core.exceptions import ValidationError

    if area.level == Level.COMMUNITY:
        return area
    length = CODE_LENGTHS[Level.COMMUNITY]
    found = Area.objects.filter(code=area.code[:length], level=Level.COMMUNITY).first() if len(area.code) > length \
        else None
    if found is None:
        raise ValidationError({"area": ["请选择社区及以下的范围（社区、网格或楼栋）"]})
    return found


def communities_where(user, capability: str) -> QuerySet[Area]:
    """The communities under the areas where ``user`` holds ``capability`` (all of them for a
    superuser), by code: the communities a worker manages."""
    scope = scope_for(user)
    rows = Area.objects.filter(level=Level.COMMUNITY).order_by("code")
    return rows if scope.is_superuser else rows.filter(scope.area_q(capability, "code"))
