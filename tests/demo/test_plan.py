"""The generator without the database: determinism, exact counts, the tiling."""

from shapely.geometry import Point, shape

from grassroots.core.crypto import id_number_problem, phone_problem
from grassroots.demo.generator import build_plan
from grassroots.demo.geometry import Rect, allocate, tile


def test_allocate_is_exact_and_respects_the_minimum():
    parts = allocate(1077, [0.5, 2.0, 1.0, 0.1] * 50, minimum=1)
    assert sum(parts) == 1077 and min(parts) >= 1
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]


def test_tile_covers_the_rectangle_without_overlap():
    rect = Rect(110.70, 32.60, 110.86, 32.70)
    tiles = tile(rect, [1, 3, 2, 2, 5, 1, 1])
    assert len(tiles) == 7
    polys = [shape(t.geojson()) for t in tiles]
    total = sum(p.area for p in polys)
    assert abs(total - shape(rect.geojson()).area) < 1e-12
    for i, a in enumerate(polys):
        for b in polys[i + 1:]:
            assert a.intersection(b).area < 1e-12


def test_same_seed_same_plan_other_seed_other_plan():
    a = build_plan("zhangwan", 7, people="none")
    b = build_plan("zhangwan", 7, people="none")
    c = build_plan("zhangwan", 8, people="none")
    assert a == b
    sample = lambda p: [(x.code, x.name) for x in p.areas if x.level == "grid"]  # noqa: E731
    assert sample(a) != sample(c)
    # the counts the documents give do not depend on the seed
    for plan in (a, c):
        areas = plan.counts()["areas"]
        assert (areas["street"], areas["community"], areas["grid"], areas["building"]) == (4, 34, 335, 1077)


def test_people_are_deterministic_and_well_formed():
    a = build_plan("zhangwan", 11)
    b = build_plan("zhangwan", 11)
    assert a.persons == b.persons and a.residents == b.residents and a.members == b.members
    ids = [p.id_number for p in a.persons]
    assert len(set(ids)) == len(ids)
    for p in a.persons[::500]:
        assert id_number_problem(p.id_number) is None
        assert p.id_number.startswith("420303")
        assert p.id_number[6:14] == p.birth.strftime("%Y%m%d")
        assert int(p.id_number[16]) % 2 == (1 if p.gender == "M" else 0)
        assert phone_problem(p.phone) is None and p.phone[1] in "3456789"
    counts = a.counts()
    assert counts["in_service_party_members"] == 2497
    assert 8 * 1077 <= counts["areas"]["household"] <= 16 * 1077
    assert counts["areas"]["household"] <= counts["residents"] <= 4 * counts["areas"]["household"]


def test_documented_names_are_in_place():
    plan = build_plan("zhangwan", 3, people="none")
    by_code = {a.code: a for a in plan.areas}
    path = {a.name: [by_code[a.code[:n]].name for n in (9, 12)] for a in plan.areas if a.level == "grid"}
    assert path["阳光栖谷小区"] == ["汉江路街道", "阳光社区"]
    assert path["半山尚小区"] == ["车城路街道", "岩岭社区"]
    assert path["放马坪"][0] == "花果街道"
    assert path["东鑫大厦"][0] == "车城路街道"
    communities = {a.name for a in plan.areas if a.level == "community"}
    assert {"阳光社区", "高家湾社区", "岩岭社区", "头堰社区", "东风社区", "公园社区", "王湾社区",
            "燕沟社区", "家和苑社区", "阳光蓝山郡社区"} <= communities
    assert {s.name for s in plan.areas if s.level == "street"} == {"汉江路街道", "车城路街道", "红卫街道", "花果街道"}


def test_buildings_lie_inside_their_grid_in_the_plan():
    plan = build_plan("zhangwan", 5, people="none")
    grids = {a.code: shape(a.boundary) for a in plan.areas if a.level == "grid"}
    for b in plan.areas:
        if b.level == "building":
            assert grids[b.parent].contains(Point(b.lng, b.lat)), b.code


def test_changchun_scale_counts():
    counts = build_plan("changchun", 1, people="none").counts()
    assert counts["areas"]["community"] == 437
    assert counts["areas"]["grid"] == 2995
    assert counts["party_orgs"]["grid_branch"] == 2995
    assert counts["areas"].get("household", 0) == 0 and counts["persons"] == 0
