"""JSON API of the Area tree (mounted at /api/areas, session auth).

Scoped like the pages: an area outside the caller's scope answers 404, never 403 or data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from .geo import GridLocateError, InvalidCoordinates, grid_locate
from .models import CODE_WIDTHS, Area, Level
from .selectors import (
    AreaNode,
    area_get_for,
    area_nodes,
    area_path,
    areas_visible_to,
    child_nodes,
    grids_feature_collection,
    root_nodes,
)
from .services import grid_boundaries_import

router = Router()


class AreaPartyOrgOut(Schema):
    name: str
    level: str
    level_label: str


class AreaOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    children_count: int
    party_orgs: list[AreaPartyOrgOut]
    url: str
    map_url: str | None


class PathItemOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    visible: bool


class AreaDetailOut(AreaOut):
    full_name: str
    path: list[PathItemOut]
    rural: bool
    address: str
    lat: float | None
    lng: float | None
    has_boundary: bool


class LocateOut(Schema):
    lat: float
    lng: float
    grid: AreaOut
    full_name: str
    path: list[PathItemOut]


class FeatureCollectionIn(Schema):
    type: str = ""
    features: list[Any] = []


class ImportOut(Schema):
    updated: list[str]
    skipped: list[str]
    count: int


class AreaErrorOut(Schema):
    detail: str
    errors: list[str] = []


def _error(status: int, detail: str, errors: list[str] | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or []}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _visible(request: HttpRequest, code: str, *, outline_flag: bool = False) -> Area:
    try:
        if outline_flag:  # with has_outline, in the same read
            return areas_visible_to(request.user).with_outline_flag().get(code=code)
        return area_get_for(request.user, code)
    except Area.DoesNotExist:
        raise HttpError(404, "区域不存在或不在您的管辖范围内") from None


def _node_out(node: AreaNode) -> dict:
    a = node.area
    return {
        "code": a.code, "name": a.name, "level": a.level, "level_label": a.level_label,
        "parent_code": a.code[: -CODE_WIDTHS[a.level]] if a.level != Level.DISTRICT else None,
        "children_count": node.children_count,
        "party_orgs": [{"name": o.name, "level": o.level, "level_label": o.get_level_display()}
                       for o in node.party_orgs],
        "url": reverse("areas:detail", args=[a.code]),
        "map_url": f"{reverse('areas:map')}?area={a.code}" if node.has_map else None,
    }


def _path_out(request: HttpRequest, area: Area) -> list[dict]:
    return [{"code": a.code, "name": a.name, "level": a.level, "level_label": a.level_label,
             "visible": visible} for a, visible in area_path(request.user, area)]


def _area_node(request: HttpRequest, area: Area) -> AreaNode:
    return area_nodes(request.user, Area.objects.filter(pk=area.pk))[0]


@router.get("/roots", response=list[AreaOut], url_name="area_roots")
def roots(request: HttpRequest):
    """Where the caller's tree starts (their own areas; every district for a superuser)."""
    return [_node_out(n) for n in root_nodes(request.user)]


@router.get("/locate", response={200: LocateOut, 404: AreaErrorOut, 422: AreaErrorOut}, url_name="area_locate")
def locate(request: HttpRequest, lat: str, lng: str):
    """The grid containing a WGS84 point (lowest code on a shared border), among the caller's grids."""
    scope = scope_for(request.user)
    try:
        grid = grid_locate(lat, lng, visible=lambda code: scope.can_at(Capability.VIEW_AREAS, code))
    except InvalidCoordinates as exc:
        return _error(422, str(exc))
    except GridLocateError as exc:
        return _error(404, str(exc))
    return {"lat": float(lat), "lng": float(lng), "grid": _node_out(_area_node(request, grid)),
                 "full_name": grid.full_name(), "path": _path_out(request, grid)}


@router.get("/{code}", response=AreaDetailOut, url_name="area_detail")
def detail(request: HttpRequest, code: str):
    area = _visible(request, code, outline_flag=True)
    return {
        **_node_out(_area_node(request, area)), "full_name": area.full_name(),
        "path": _path_out(request, area), "rural": area.rural, "address": area.address,
        "lat": area.lat, "lng": area.lng, "has_boundary": area.has_outline,
    }


@router.get("/{code}/children", response=list[AreaOut], url_name="area_children")
def children(request: HttpRequest, code: str):
    area = _visible(request, code)
    return [_node_out(n) for n in child_nodes(request.user, area)]


@router.get("/{code}/grids.geojson", response=dict, url_name="area_grids_geojson")
def grids_geojson(request: HttpRequest, code: str):
    """The grids under an area as a GeoJSON FeatureCollection (WGS84 lon/lat), for the map."""
    area = _visible(request, code)
    data = grids_feature_collection(area)
    for feature in data["features"]:
        feature["properties"]["url"] = reverse("areas:detail", args=[feature["properties"]["code"]])
    return data


@router.post("/{code}/grids/import", response={200: ImportOut, 403: AreaErrorOut, 422: AreaErrorOut},
             url_name="area_grids_import")
def grids_import(request: HttpRequest, code: str, payload: FeatureCollectionIn):
    """Replace grid boundaries under an area from a FeatureCollection (features matched by
    ``properties.code``). All or nothing; needs the 导入/维护台账 capability at the area."""
    area = _visible(request, code)
    if not scope_for(request.user).can_at(Capability.MANAGE_REGISTERS, area.code):
        return _error(403, "您没有在该区域导入网格边界的权限")
    try:
        result = grid_boundaries_import(
            feature_collection=payload.model_dump(), actor=request.user, scope_code=area.code)
    except PermissionDenied as exc:
        return _error(403, str(exc) or "没有权限")
    except ValidationError as exc:
        return _error(422, "网格边界未导入（未做任何修改）", exc.messages)
    return {"updated": result.updated, "skipped": result.skipped, "count": len(result.updated)}
