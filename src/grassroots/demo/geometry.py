"""Rectangles that tile a rectangle, and points inside them (lon/lat degrees, WGS84).

``tile(rect, weights)`` splits a rectangle into ``len(weights)`` rectangles with areas proportional
to the weights, by recursive halving along the longer side (a slice-and-dice treemap). Each split
coordinate is rounded once and shared by both halves, so neighbours share borders exactly and no
two tiles overlap with positive area; together they cover the rectangle.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

PRECISION = 6  # decimal places of a degree: ~0.1 m


@dataclass(frozen=True)
class Rect:
    west: float
    south: float
    east: float
    north: float

    @property
    def center(self) -> tuple[float, float]:
        """(lng, lat) of the centre."""
        return (round((self.west + self.east) / 2, PRECISION), round((self.south + self.north) / 2, PRECISION))

    def geojson(self) -> dict:
        w, s, e, n = self.west, self.south, self.east, self.north
        return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def rect_around(lng: float, lat: float, width: float, height: float) -> Rect:
    return Rect(round(lng - width / 2, PRECISION), round(lat - height / 2, PRECISION),
                round(lng + width / 2, PRECISION), round(lat + height / 2, PRECISION))


def _halves(weights: list[float]) -> int:
    """Index that splits ``weights`` into two runs of nearly equal sum (both non-empty)."""
    total, acc, best, best_gap = sum(weights), 0.0, 1, math.inf
    for i in range(1, len(weights)):
        acc += weights[i - 1]
        gap = abs(total / 2 - acc)
        if gap < best_gap:
            best, best_gap = i, gap
    return best


def tile(rect: Rect, weights: list[float]) -> list[Rect]:
    """Rectangles in the order of ``weights``, tiling ``rect``."""
    if not weights:
        return []
    if len(weights) == 1:
        return [rect]
    cut = _halves(weights)
    left, right = weights[:cut], weights[cut:]
    frac = sum(left) / sum(weights)
    lat_scale = math.cos(math.radians((rect.south + rect.north) / 2))
    if (rect.east - rect.west) * lat_scale >= rect.north - rect.south:
        x = round(rect.west + (rect.east - rect.west) * frac, PRECISION)
        a, b = Rect(rect.west, rect.south, x, rect.north), Rect(x, rect.south, rect.east, rect.north)
    else:
        y = round(rect.north - (rect.north - rect.south) * frac, PRECISION)
        a, b = Rect(rect.west, y, rect.east, rect.north), Rect(rect.west, rect.south, rect.east, y)
    return tile(a, left) + tile(b, right)


def points_inside(rect: Rect, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n`` (lng, lat) points strictly inside ``rect``, spread over a small lattice with jitter."""
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    width, height = rect.east - rect.west, rect.north - rect.south
    points = []
    for i in range(n):
        r, c = divmod(i, cols)
        fx = (c + 0.5 + rng.uniform(-0.25, 0.25)) / cols
        fy = (r + 0.5 + rng.uniform(-0.25, 0.25)) / rows
        lng = round(rect.west + width * (0.1 + 0.8 * fx), PRECISION)
        lat = round(rect.north - height * (0.1 + 0.8 * fy), PRECISION)
        points.append((lng, lat))
    return points


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, each at least ``minimum``
    (largest remainder; ties broken by position, so the result is deterministic)."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError(f"cannot give {n} parts at least {minimum} from {total}")
    wsum = sum(weights)
    exact = [spare * w / wsum for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]
