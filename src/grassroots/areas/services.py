"""Writes to the Area tree. Each is one transaction that also appends its audit row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from shapely.geometry.base import BaseGeometry

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core.services import audit_record

from .geo import GeometryError, area_m2, grid_index, invalidate_grid_index, parse_boundary
from .models import CODE_LENGTHS, CODE_WIDTHS, LEVEL_ORDER, Area, Level, child_level, level_of_code


def next_child_code(parent: Area) -> str:
    """The next free code under ``parent`` (children are numbered 001, 002, … in creation order)."""
    level = child_level(parent.level)
    if level is None:
        raise ValidationError("户是最低层级，不能再添加下级")
    width = CODE_WIDTHS[level]
    last = (
        Area.objects.filter(parent=parent).order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[-width:]) + 1 if last else 1
    if number >= 10**width:
        raise ValidationError(f"{parent.name}的下级编号已用完（最多{10**width - 1}个）")
    return f"{parent.code}{number:0{width}d}"


def validate_area(*, code: str, name: str, level: str, parent: Area | None) -> None:
    """Raise ValidationError (Chinese messages) unless the area can be created as given."""
    if not name or not name.strip():
        raise ValidationError({"name": "名称不能为空"})
    if len(name) > 100:
        raise ValidationError({"name": "名称不能超过100个字"})
    if level not in LEVEL_ORDER:
        raise ValidationError({"level": f"层级“{level}”不存在"})
    if not code.isdigit() or len(code) != CODE_LENGTHS[level]:
        raise ValidationError({"code": f"{level}编码应为{CODE_LENGTHS[level]}位数字"})
    if level == "district":
        if parent is not None:
            raise ValidationError({"parent": "区/县不能有上级"})
    else:
        if parent is None:
            raise ValidationError({"parent": "缺少上级区域"})
        if child_level(parent.level) != level:
            raise ValidationError({"parent": f"{parent.name}的下级应为{child_level(parent.level)}"})
        if not code.startswith(parent.code):
            raise ValidationError({"code": f"编码{code}应以上级编码{parent.code}开头"})
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编码{code}已存在"})


@transaction.atomic
def area_create(
    *, name: str, parent: Area | None = None, level: str | None = None, code: str | None = None,
    actor=None, rural: bool | None = None, boundary: dict | None = None,
    lat: float | None = None, lng: float | None = None, address: str = "",
) -> Area:
    if parent is None and code and level is None:
        level = level_of_code(code)
    if parent is not None:
        level = level or child_level(parent.level)
        code = code or next_child_code(parent)
    if level is None or code is None:
        raise ValidationError("新建区县需要给出6位行政区划代码")
    name = (name or "").strip()
    validate_area(code=code, name=name, level=level, parent=parent)
    if boundary is not None:
        try:
            parse_boundary(boundary)
        except GeometryError as exc:
            raise ValidationError({"boundary": f"{name}的边界无效：{exc}"}) from None
        transaction.on_commit(invalidate_grid_index)
    area = Area.objects.create(
        code=code, name=name, level=level, parent=parent,
        rural=parent.rural if rural is None and parent is not None else bool(rural),
        boundary=boundary, lat=lat, lng=lng, address=address,
    )
    audit_record(actor=actor, action="area.create", obj=area, district_code=code[:6],
                 detail={"code": code, "name": name, "level": level})
    return area


@transaction.atomic
def area_rename(*, area: Area, name: str, actor=None) -> Area:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    old = area.name
    area.name = name
    area.save(update_fields=["name", "updated_at"])
    audit_record(actor=actor, action="area.rename", obj=area, district_code=area.code[:6],
                 detail={"from": old, "to": name})
    return area


# --- grid boundaries (GeoJSON) ------------------------------------------------------------------

OVERLAP_TOLERANCE_M2 = 1.0  # slivers below this are floating-point noise along a shared border
MAX_ERRORS = 50


@dataclass(frozen=True)
class BoundaryImportResult:
    updated: list[str]
    skipped: list[str]  # features with a null geometry: the grid's boundary is left as it is


@dataclass(frozen=True)
class _Parsed:
    index: int
    code: str
    geometry: dict
    geom: BaseGeometry


def _features_of(feature_collection: Any) -> list:
    if not isinstance(feature_collection, dict) or feature_collection.get("type") != "FeatureCollection":
        raise ValidationError("文件不是 GeoJSON FeatureCollection（最外层应为 {\"type\": \"FeatureCollection\", \"features\": [...]}）")
    features = feature_collection.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError("文件中没有任何要素（features 为空）")
    return features


def _feature_code(feature: Any) -> str:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise GeometryError("不是 GeoJSON Feature")
    props = feature.get("properties") or {}
    code = props.get("code") if isinstance(props, dict) else None
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code.strip():
        raise GeometryError("缺少 properties.code（15位网格编码），无法对应到网格")
    return code.strip()


def _check_target(code: str, grids: dict[str, Area], scope: Area | None) -> None:
    if scope is not None and not code.startswith(scope.code):
        raise GeometryError(f"编码 {code} 不在“{scope.name}”（{scope.code}）范围内")
    if code not in grids:
        other = Area.objects.filter(code=code).first()
        if other is not None:
            with translation.override(None):  # the boundary-file messages are Chinese only
                level = other.level_label
            raise GeometryError(f"编码 {code} 是{level}“{other.name}”，不是网格")
        raise GeometryError(f"编码 {code} 对应的网格不存在，请先在组织架构中建立该网格")


def _parse_features(
    features: list, grids: dict[str, Area], scope: Area | None
) -> tuple[list[_Parsed], list[str], list[str]]:
    parsed: list[_Parsed] = []
    skipped: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(features, start=1):
        where = f"第{i}个要素"
        try:
            code = _feature_code(feature)
            where += f"（网格编码 {code}）"
            if code in seen:
                raise GeometryError(f"与第{seen[code]}个要素的网格编码重复")
            seen[code] = i
            _check_target(code, grids, scope)
            where = f"第{i}个要素（网格“{grids[code].name}”，{code}）"
            if feature.get("geometry") is None:
                skipped.append(code)
                continue
            geom = parse_boundary(feature["geometry"])
        except GeometryError as exc:
            errors.append(f"{where}：{exc}")
            continue
        geometry = {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]}
        parsed.append(_Parsed(index=i, code=code, geometry=geometry, geom=geom))
    return parsed, skipped, errors


def _overlaps(parsed: list[_Parsed]) -> list[tuple[str, str, float]]:
    """Pairs (code, code, m²) of grids that would overlap after the import, each pair once."""
    index = grid_index(fresh=True)
    final = dict(zip(index.codes, index.geoms, strict=True))
    final.update({p.code: p.geom for p in parsed})
    codes = sorted(final)
    geoms = [final[c] for c in codes]
    tree = shapely.STRtree(geoms)
    pairs: dict[tuple[str, str], float] = {}
    for p in parsed:
        for j in tree.query(p.geom, predicate="intersects"):
            other = codes[int(j)]
            pair = (min(p.code, other), max(p.code, other))
            if other == p.code or pair in pairs:
                continue
            overlap = area_m2(p.geom.intersection(final[other]))
            if overlap > OVERLAP_TOLERANCE_M2:
                pairs[pair] = overlap
    return [(a, b, m2) for (a, b), m2 in sorted(pairs.items())]


def _overlap_errors(parsed: list[_Parsed]) -> list[str]:
    pairs = _overlaps(parsed)
    names = dict(Area.objects.filter(code__in={c for a, b, _ in pairs for c in (a, b)})
                 .values_list("code", "name"))
    return [
        f"网格“{names.get(a, '?')}”（{a}）与网格“{names.get(b, '?')}”（{b}）重叠约 {m2:,.0f} 平方米："
        "相邻网格只能共用边线，不能互相覆盖，请修正边界后重新导入"
        for a, b, m2 in pairs
    ]


def _raise_if(errors: list[str]) -> None:
    if not errors:
        return
    shown = errors[:MAX_ERRORS]
    if len(errors) > MAX_ERRORS:
        shown.append(f"……另有 {len(errors) - MAX_ERRORS} 处错误未列出")
    raise ValidationError(shown)


def _scope_area(actor, scope_code: str) -> Area | None:
    if not scope_code:
        if actor is not None and not scope_for(actor).is_superuser:
            raise PermissionDenied("请指定要导入网格边界的区域")
        return None
    if actor is not None and not scope_for(actor).can_at(Capability.MANAGE_REGISTERS, scope_code):
        raise PermissionDenied("您没有在该区域导入网格边界的权限")
    scope = Area.objects.filter(code=scope_code).first()
    if scope is None:
        raise ValidationError(f"区域编码 {scope_code} 不存在")
    return scope


@transaction.atomic
def grid_boundaries_import(*, feature_collection: Any, actor, scope_code: str) -> BoundaryImportResult:
    """Replace the boundaries of the grids named (by ``properties.code``) in a GeoJSON FeatureCollection.

    All or nothing: every feature must name a grid under ``scope_code`` and carry a valid lon/lat
    Polygon/MultiPolygon, and no two grids may overlap afterwards (including grids not in the file);
    otherwise ValidationError lists every problem in Chinese and nothing is written. ``actor`` None
    means the command line (no permission check); a user needs MANAGE_REGISTERS at ``scope_code``.
    """
    scope = _scope_area(actor, scope_code)
    features = _features_of(feature_collection)
    codes = [f.get("properties", {}).get("code") for f in features if isinstance(f, dict)
             and isinstance(f.get("properties"), dict)]
    grids = {a.code: a for a in Area.objects.select_for_update().filter(
        level=Level.GRID, code__in=[str(c).strip() for c in codes if c is not None])}
    parsed, skipped, errors = _parse_features(features, grids, scope)
    _raise_if(errors)
    _raise_if(_overlap_errors(parsed))
    for p in parsed:
        grid = grids[p.code]
        grid.boundary = p.geometry
        grid.save(update_fields=["boundary", "updated_at"])
    _audit_import(actor, scope, [p.code for p in parsed], skipped)
    transaction.on_commit(invalidate_grid_index)
    return BoundaryImportResult(updated=[p.code for p in parsed], skipped=skipped)


def _audit_import(actor, scope: Area | None, updated: list[str], skipped: list[str]) -> None:
    by_district: dict[str, list[str]] = {}
    for code in updated:
        by_district.setdefault(code[:6], []).append(code)
    if not by_district:
        by_district[scope.code[:6] if scope else ""] = []
    for district, codes in sorted(by_district.items()):
        audit_record(
            actor=actor, action="area.grid_boundaries_import", object_type="areas.area",
            object_id=str(scope.pk) if scope else "", district_code=district,
            detail={"scope": scope.code if scope else "", "updated": codes, "skipped": skipped},
        )
