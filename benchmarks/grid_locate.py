"""Point-in-grid lookups per second: the STRtree index of areas/geo.py against a plain loop.

By default it builds Changchun-scale grids in memory (2,995 Voronoi cells tiling a 0.5° × 0.4°
box around Changchun, no database needed). With ``--source db`` (or ``auto`` when DATABASE_URL is
set and the database holds grids, e.g. after ``grassroots load_demo --scale changchun``) it indexes
the grid boundaries stored in the database instead. Both methods answer the same random points in
the same run and must agree; the last line printed is one JSON object with the figures.

    .venv/bin/python benchmarks/grid_locate.py [--grids 2995] [--points 2000] [--source auto|synthetic|db]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")

import django  # noqa: E402

django.setup()

import shapely  # noqa: E402

from grassroots.areas.geo import GridIndex, grid_index  # noqa: E402

BOX = (125.10, 43.70, 125.60, 44.10)  # lng/lat box around Changchun


def synthetic_index(n: int, seed: int) -> GridIndex:
    """``n`` grid polygons tiling BOX: Voronoi cells of random seeds, coded like real grids."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = BOX
    seeds = shapely.MultiPoint([(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(n)])
    box = shapely.box(*BOX)
    cells = [cell.intersection(box) for cell in shapely.voronoi_polygons(seeds, extend_to=box).geoms]
    items = [(f"220102{i // 900 + 1:03d}{i // 30 % 30 + 1:03d}{i % 30 + 1:03d}", c) for i, c in enumerate(cells)]
    return GridIndex.build(items)


def db_index() -> GridIndex | None:
    from django.db import DatabaseError

    try:
        index = grid_index()
    except DatabaseError:
        return None
    return index if len(index) else None


def random_points(index: GridIndex, n: int, seed: int) -> list[tuple[float, float]]:
    """(lat, lng) points over the grids' bounding box plus a 5 % margin (so some miss every grid)."""
    x0, y0, x1, y1 = shapely.total_bounds(list(index.geoms))
    mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
    rng = random.Random(seed)
    return [(rng.uniform(y0 - my, y1 + my), rng.uniform(x0 - mx, x1 + mx)) for _ in range(n)]


def rate(fn: Callable[[float, float], str | None], points, min_seconds: float) -> tuple[float, list]:
    """Lookups per second of ``fn`` over ``points`` (repeated until ``min_seconds`` elapsed)."""
    rounds, answers = 0, []
    start = time.perf_counter()
    while True:
        answers = [fn(lat, lng) for lat, lng in points]
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return rounds * len(points) / elapsed, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=2995, help="synthetic grids (Changchun has 2,995)")
    parser.add_argument("--points", type=int, default=2000, help="random points, the same for both methods")
    parser.add_argument("--source", choices=["auto", "synthetic", "db"], default="auto")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)

    index, source = None, "synthetic"
    if args.source == "db" or (args.source == "auto" and os.environ.get("DATABASE_URL")):
        index, source = db_index(), "db"
        if index is None and args.source == "db":
            print("no grids with a boundary in the database", file=sys.stderr)
            return 1
    if index is None:
        started = time.perf_counter()
        index, source = synthetic_index(args.grids, args.seed), "synthetic"
        print(f"built {len(index)} synthetic grids in {time.perf_counter() - started:.2f}s")
    started = time.perf_counter()
    GridIndex.build(zip(index.codes, index.geoms, strict=True))
    print(f"source: {source}; grids: {len(index)}; STRtree build: {(time.perf_counter() - started) * 1000:.1f} ms")

    points = random_points(index, args.points, args.seed + 1)
    strtree_per_s, fast = rate(index.locate_code, points, min_seconds=2.0)
    loop_per_s, slow = rate(index.locate_code_loop, points, min_seconds=0.0)
    if fast != slow:
        print("STRtree and loop disagree!", file=sys.stderr)
        return 1
    started = time.perf_counter()
    bulk = index.locate_many(points)
    bulk_per_s = len(points) / (time.perf_counter() - started)
    if bulk != fast:
        print("bulk STRtree query disagrees!", file=sys.stderr)
        return 1
    inside = sum(a is not None for a in fast)
    print(f"points: {len(points)} ({inside} inside a grid); answers identical")
    print(f"STRtree: {strtree_per_s:,.0f} lookups/s ({1e6 / strtree_per_s:.1f} µs each)")
    print(f"loop:    {loop_per_s:,.0f} lookups/s ({1e6 / loop_per_s:.1f} µs each)")
    print(f"STRtree, all points in one vectorised query: {bulk_per_s:,.0f} lookups/s")
    print(f"speed-up: {strtree_per_s / loop_per_s:.1f}×")
    print(json.dumps({"grids": len(index), "strtree_per_s": round(strtree_per_s, 1),
                      "loop_per_s": round(loop_per_s, 1), "speedup": round(strtree_per_s / loop_per_s, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
