"""Grid geometry: parse and check GeoJSON boundaries, and find the grid a point lies in.

``grid_locate(lat, lng)`` answers from a shapely 2 ``STRtree`` over every grid boundary. The index
is built once per process and rebuilt when the grids change: each lookup compares a cheap key
(number of grids with a boundary, highest id, latest ``updated_at``) with the key the index was
built from, and the services that change boundaries also drop it when their transaction commits.

A point on the shared border of two grids lies in both (``intersects``, not ``contains``); the grid
with the lowest code wins, so the answer never depends on the order of the index.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from grassroots.core.memo import forget, memoized

from .models import Area, Level

log = logging.getLogger(__name__)

POLYGON_TYPES = ("Polygon", "MultiPolygon")
METRES_PER_DEGREE = 111_320.0


class GridLocateError(ValueError):
    """A point cannot be placed on a grid; ``str(error)`` is a Chinese message for the user."""


class InvalidCoordinates(GridLocateError):
    pass


class PointOutsideGrids(GridLocateError):
    pass


class GeometryError(ValueError):
    """A GeoJSON geometry that cannot be a grid boundary; the message is in Chinese."""


# --- coordinates ----------------------------------------------------------------------------------


def _number(value: Any, label: str) -> float:
    if isinstance(value, bool) or value is None:
        raise InvalidCoordinates(f"{label}“{value}”不是数字")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidCoordinates(f"{label}“{value}”不是数字，请填写十进制度数，例如 32.6051") from None
    if not math.isfinite(number):
        raise InvalidCoordinates(f"{label}“{value}”不是有效数字")
    return number


def check_coordinates(lat: Any, lng: Any) -> tuple[float, float]:
    """``(lat, lng)`` as floats, or InvalidCoordinates with a message that says what to fix."""
    lat_f, lng_f = _number(lat, "纬度"), _number(lng, "经度")
    lat_ok, lng_ok = -90 <= lat_f <= 90, -180 <= lng_f <= 180
    if lat_ok and lng_ok:
        return lat_f, lng_f
    hint = "；是否把经度和纬度填反了？" if (-90 <= lng_f <= 90 and -180 <= lat_f <= 180) else ""
    if not lat_ok:
        raise InvalidCoordinates(f"纬度 {lat_f} 超出范围，应在 -90 到 90 之间{hint}")
    raise InvalidCoordinates(f"经度 {lng_f} 超出范围，应在 -180 到 180 之间{hint}")


# --- geometry -------------------------------------------------------------------------------------

_VALIDITY_REASONS = {
    "Self-intersection": "边界自相交（线段交叉）",
    "Ring Self-intersection": "边界环自相交",
    "Too few points": "点数太少，至少需要 3 个不同的点",
    "Hole lies outside shell": "内洞在外边界之外",
    "Nested holes": "内洞互相嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "多个多边形互相嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环没有闭合（首尾点应相同）",
}


def _positions(coords: Any) -> Iterable[Sequence]:
    """Every [lng, lat] position in a (nested) GeoJSON coordinates array."""
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        yield coords
        return
    if not isinstance(coords, list | tuple):
        raise GeometryError("coordinates 格式错误，应为 [经度, 纬度] 数组")
    for item in coords:
        yield from _positions(item)


def _check_positions(coords: Any) -> None:
    for pos in _positions(coords):
        if len(pos) < 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos):
            raise GeometryError(f"坐标 {pos} 格式错误，应为 [经度, 纬度]")
        lng, lat = float(pos[0]), float(pos[1])
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise GeometryError(f"坐标 {pos} 不是有效数字")
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise GeometryError(
                f"坐标 [{lng}, {lat}] 超出经纬度范围（经度 -180～180，纬度 -90～90）；"
                "GeoJSON 的顺序是 [经度, 纬度]，请确认没有填反，且使用 WGS84 经纬度而不是投影坐标"
            )


def _validity_reason(geom: BaseGeometry) -> str:
    raw = explain_validity(geom)
    reason, _, where = raw.partition("[")
    reason = reason.strip()
    text = next((zh for en, zh in _VALIDITY_REASONS.items() if reason.startswith(en)), reason)
    if where:
        x, _, y = where.rstrip("]").partition(" ")
        text += f"，位置约在 经度 {x} 纬度 {y}"
    return text


def parse_boundary(geometry: Any) -> BaseGeometry:
    """A shapely Polygon/MultiPolygon from a GeoJSON geometry dict, or GeometryError (Chinese)."""
    if not isinstance(geometry, dict):
        raise GeometryError("缺少 geometry，或 geometry 不是对象")
    kind = geometry.get("type")
    if kind not in POLYGON_TYPES:
        raise GeometryError(f"几何类型为“{kind}”，网格边界应为 Polygon 或 MultiPolygon（面）")
    _check_positions(geometry.get("coordinates"))
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"无法解析边界坐标（{exc}），请检查每个环至少 4 个点且首尾相同") from None
    if geom.is_empty:
        raise GeometryError("边界为空")
    if not geom.is_valid:
        raise GeometryError(f"边界无效：{_validity_reason(geom)}")
    if geom.area <= 0:
        raise GeometryError("边界面积为零")
    return geom


def area_m2(geom: BaseGeometry) -> float:
    """Approximate area in square metres of a lon/lat geometry (equirectangular at its latitude)."""
    if geom.is_empty:
        return 0.0
    lat = geom.centroid.y
    return geom.area * METRES_PER_DEGREE**2 * math.cos(math.radians(lat))


def dump_feature_collection(data: dict) -> str:
    """GeoJSON text with one feature per line: small, and readable in a diff."""
    head = {k: v for k, v in data.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in data.get("features", [])]
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    return opening + ",\n".join(lines) + "\n]}\n"


# --- the index ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridIndex:
    """Grid codes and their boundaries (sorted by code) with an STRtree over them."""

    codes: tuple[str, ...]
    geoms: tuple[BaseGeometry, ...]
    tree: shapely.STRtree
    key: tuple = ()

    @classmethod
    def build(cls, items: Iterable[tuple[str, BaseGeometry]], key: tuple = ()) -> GridIndex:
        pairs = sorted(items, key=lambda item: item[0])
        geoms = tuple(g for _, g in pairs)
        return cls(codes=tuple(c for c, _ in pairs), geoms=geoms, tree=shapely.STRtree(geoms), key=key)

    def __len__(self) -> int:
        return len(self.codes)

    def locate_codes(self, lat: float, lng: float) -> list[str]:
        """Codes of every grid covering the point (two or more on a shared border), lowest first."""
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        return [self.codes[i] for i in sorted(int(h) for h in hits)]

    def locate_code(self, lat: float, lng: float) -> str | None:
        """The lowest code among the grids covering the point, or None."""
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        return self.codes[int(hits.min())] if len(hits) else None

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[str | None]:
        """``locate_code`` for many (lat, lng) points in one vectorised query (bulk imports)."""
        if not points:
            return []
        lats, lngs = np.asarray(points, dtype=float).T
        inputs, hits = self.tree.query(shapely.points(lngs, lats), predicate="intersects")
        best = np.full(len(points), len(self.codes), dtype=np.int64)
        np.minimum.at(best, inputs, hits)
        return [self.codes[i] if i < len(self.codes) else None for i in best.tolist()]

    def locate_code_loop(self, lat: float, lng: float) -> str | None:
        """The same answer by testing every boundary in turn (the baseline for tests and benchmarks)."""
        point = shapely.Point(lng, lat)
        for code, geom in zip(self.codes, self.geoms, strict=True):
            if geom.intersects(point):
                return code
        return None

    def geometry(self, code: str) -> BaseGeometry | None:
        i = _bisect(self.codes, code)
        return self.geoms[i] if i is not None else None


def _bisect(codes: tuple[str, ...], code: str) -> int | None:
    i = bisect.bisect_left(codes, code)
    return i if i < len(codes) and codes[i] == code else None


_lock = threading.Lock()
_cached: GridIndex | None = None
GRID_KEY = "areas.grid_index_key"
TEAM_AREAS_KEY = "areas.team_areas"
DISTRICTS_KEY = "areas.districts"


def _grids_with_boundary():
    return Area.objects.filter(level=Level.GRID, boundary__isnull=False)


def _current_key() -> tuple:
    from django.db.models import Count, Max

    agg = _grids_with_boundary().aggregate(n=Count("id"), top=Max("id"), at=Max("updated_at"))
    return (agg["n"], agg["top"], agg["at"])


def _load(key: tuple) -> GridIndex:
    items = []
    for code, boundary in _grids_with_boundary().values_list("code", "boundary").iterator():
        try:
            items.append((code, parse_boundary(boundary)))
        except GeometryError as exc:
            log.warning("grid %s has an unusable boundary and is left out of the index: %s", code, exc)
    return GridIndex.build(items, key=key)


def grid_index(*, fresh: bool = False) -> GridIndex:
    """The process-wide index, rebuilt when the grids changed since it was built. Whether they
    changed is asked of the database at most every few seconds (core/memo.py; an area saved or
    deleted in this process is noticed at once), since every located case asks; ``fresh`` asks now
    (checks that must see every grid, such as the overlap test of an import)."""
    global _cached
    if fresh:
        forget(GRID_KEY)
    key = memoized(GRID_KEY, _current_key)
    index = _cached
    if index is not None and index.key == key:
        return index
    with _lock:
        if _cached is None or _cached.key != key:
            _cached = _load(key)
        return _cached


def invalidate_grid_index() -> None:
    """Forget the index (after writing grids with ``bulk_create``/``update``, which send no signals)."""
    global _cached
    with _lock:
        _cached = None
    forget(GRID_KEY, TEAM_AREAS_KEY, DISTRICTS_KEY)


TEAM_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def _team_areas() -> dict[str, Area]:
    return {a.code: a for a in Area.objects.filter(level__in=TEAM_LEVELS).defer("boundary")}


def team_area(code: str) -> Area | None:
    """The district, street, community or grid with this code, from a copy kept in memory for a few
    seconds (core/memo.py; every new case needs its grid and its team); the database when the copy
    does not have it yet. The boundary is not loaded until it is read."""
    area = memoized(TEAM_AREAS_KEY, _team_areas).get(code)
    if area is None:
        area = Area.objects.filter(code=code).defer("boundary").first()
        if area is not None:
            forget(TEAM_AREAS_KEY)  # created since the copy was made
    return area


def grid_locate(lat: Any, lng: Any, *, visible: Callable[[str], bool] | None = None) -> Area:
    """The grid containing the point (the lowest code when it lies on a shared border).

    ``visible`` limits the answer to grids a user may see (a predicate on the code). Raises
    InvalidCoordinates for bad input and PointOutsideGrids when no (visible) grid covers the point.
    """
    lat_f, lng_f = check_coordinates(lat, lng)
    for _attempt in range(2):
        codes = [c for c in grid_index().locate_codes(lat_f, lng_f) if visible is None or visible(c)]
        if not codes:
            break
        area = team_area(codes[0])
        if area is not None:
            return area
        invalidate_grid_index()  # the grid was deleted after the index was built
    raise PointOutsideGrids(f"该位置（纬度 {lat_f}，经度 {lng_f}）不在任何网格内")


def _districts() -> tuple[Area, ...]:
    return tuple(Area.objects.filter(level=Level.DISTRICT).order_by("code"))  # outlines unread (AreaManager)


def districts() -> tuple[Area, ...]:
    """Every district, by code, without its outline, from a copy kept in memory for a few seconds (core/memo.py):
    every Open311 call asks which district it is about."""
    return memoized(DISTRICTS_KEY, _districts)


def district(code: str) -> Area | None:
    """The district with this code (not a street's or a grid's), from ``team_area``'s copy (the database when
    the copy does not have it: made since, in another process)."""
    area = team_area(code)
    return area if area is not None and area.level == Level.DISTRICT else None
