import math
import random

import pytest
import shapely
from django.core.exceptions import ValidationError

from grassroots.areas.geo import (
    GridIndex,
    InvalidCoordinates,
    PointOutsideGrids,
    grid_index,
    grid_locate,
    parse_boundary,
)
from grassroots.areas.services import area_create
from tests.factories import square


def corner(grid, i: int) -> tuple[float, float]:
    """(lat, lng) of the i-th vertex of a grid's stored boundary (exact floats, no rounding)."""
    lng, lat = grid.boundary["coordinates"][0][i]
    return lat, lng


def test_point_inside_a_grid(tree):
    assert grid_locate(32.605, 110.705) == tree.grid("A")
    assert grid_locate(32.605, 110.775) == tree.grid("H")
    assert grid_locate("32.605", "110.715") == tree.grid("B")  # strings from a form or the command line


def test_point_on_shared_border_returns_lowest_code(tree):
    a, b, c = tree.grid("A"), tree.grid("B"), tree.grid("C")
    lat, lng = corner(b, 0)  # B's lower-left corner is on A's right edge
    assert grid_locate(32.605, lng) == a
    assert grid_locate(lat, lng) == a
    _, lng_bc = corner(c, 0)
    assert grid_locate(32.605, lng_bc) == b
    # the same answer every time, whatever the order the index was built in
    index = grid_index()
    shuffled = GridIndex.build(reversed(list(zip(index.codes, index.geoms, strict=True))))
    assert shuffled.locate_code(32.605, lng) == a.code
    assert index.locate_codes(32.605, lng) == [a.code, b.code]


def test_point_on_an_outer_corner_and_outer_edge(tree):
    a, h = tree.grid("A"), tree.grid("H")
    assert grid_locate(*corner(a, 0)) == a  # south-west corner of the whole strip
    assert grid_locate(*corner(h, 2)) == h  # north-east corner
    lat_top, _ = corner(a, 3)
    assert grid_locate(lat_top, 110.703) == a  # on the northern edge


def test_point_outside_every_grid(tree):
    with pytest.raises(PointOutsideGrids, match="该位置（纬度 32.5，经度 110.7）不在任何网格内"):
        grid_locate(32.5, 110.7)
    with pytest.raises(PointOutsideGrids):
        grid_locate(32.605, 110.80001)


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        ("abc", 110.7, "纬度“abc”不是数字"),
        (32.6, "", "经度“”不是数字"),
        (None, 110.7, "纬度“None”不是数字"),
        (True, 110.7, "不是数字"),
        (math.nan, 110.7, "不是有效数字"),
        (32.6, math.inf, "不是有效数字"),
        (91, 110.7, "纬度 91.0 超出范围"),
        (-32.6, 181, "经度 181.0 超出范围"),
        (110.7, 32.6, "是否把经度和纬度填反了"),
        ([32.6], 110.7, "不是数字"),
    ],
)
def test_bad_coordinates_are_refused_in_chinese(db, lat, lng, message):
    with pytest.raises(InvalidCoordinates, match=message):
        grid_locate(lat, lng)


def test_visible_limits_the_answer_to_the_users_grids(tree):
    a, b = tree.grid("A"), tree.grid("B")
    _, lng = corner(b, 0)
    assert grid_locate(32.605, lng, visible=lambda code: code == b.code) == b
    with pytest.raises(PointOutsideGrids):
        grid_locate(32.605, 110.705, visible=lambda code: code == b.code)
    assert a.code < b.code


def test_index_is_rebuilt_when_grids_change(tree):
    with pytest.raises(PointOutsideGrids):
        grid_locate(32.605, 110.805)
    before = grid_index()
    grid = area_create(name="新网格", parent=tree.communities[3], boundary=square(110.80, 32.60))
    assert grid_locate(32.605, 110.805) == grid
    assert grid_index() is not before
    assert grid_index() is grid_index()  # cached while nothing changes


def test_area_create_refuses_a_bad_boundary(tree):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError, match="自相交"):
        area_create(name="坏网格", parent=tree.communities[0], boundary=bowtie)


def _voronoi_cells(n: int, seed: int) -> list[tuple[str, shapely.Polygon]]:
    rng = random.Random(seed)
    box = shapely.box(125.0, 43.7, 125.5, 44.1)
    pts = shapely.MultiPoint([(rng.uniform(125.0, 125.5), rng.uniform(43.7, 44.1)) for _ in range(n)])
    cells = shapely.voronoi_polygons(pts, extend_to=box)
    return [(f"220102{i:09d}", cell.intersection(box)) for i, cell in enumerate(cells.geoms)]


def test_strtree_equals_plain_loop_on_random_points():
    index = GridIndex.build(_voronoi_cells(400, seed=7))
    rng = random.Random(11)
    points = [(rng.uniform(43.65, 44.15), rng.uniform(124.95, 125.55)) for _ in range(3000)]
    # and points exactly on vertices (shared by two or three cells)
    for geom in index.geoms[:100]:
        lng, lat = geom.exterior.coords[0]
        points.append((lat, lng))
    found = 0
    for lat, lng in points:
        fast, slow = index.locate_code(lat, lng), index.locate_code_loop(lat, lng)
        assert fast == slow, (lat, lng)
        found += fast is not None
    assert 2000 < found < len(points)  # most points inside, some outside the box
    assert index.locate_many(points) == [index.locate_code_loop(lat, lng) for lat, lng in points]
    assert index.locate_many([]) == []


def test_strtree_equals_loop_on_the_test_tree(tree):
    index = grid_index()
    rng = random.Random(3)
    for _ in range(2000):
        lat = rng.choice([rng.uniform(32.59, 32.62), 32.6, 32.61])
        lng = rng.choice([rng.uniform(110.69, 110.79), 110.7 + 0.01 * rng.randint(0, 8)])
        assert index.locate_code(lat, lng) == index.locate_code_loop(lat, lng)


def test_parse_boundary_accepts_multipolygon():
    geom = parse_boundary({"type": "MultiPolygon", "coordinates": [
        square(110.7, 32.6)["coordinates"], square(110.72, 32.6)["coordinates"]]})
    assert geom.geom_type == "MultiPolygon"
