"""The pure scorer: text similarity, distance, the finder's rules (no database)."""

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.cases.models import cell_of, cells_in_box
from grassroots.duplicates.scoring import (
    Item,
    Rules,
    Scorer,
    bounding_box,
    haversine_m,
    matches,
    normalize,
    numbers_conflict,
    place_numbers,
)
from grassroots.duplicates.scoring import _kept_place_numbers as kept

SCORER = Scorer.default()
T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)
LAT, LNG = 32.60, 110.70
texts = st.text(alphabet="楼道灯坏了电梯噪音垃圾停车小区栋单元一二三123 ，。！您好", min_size=0, max_size=60)
lats = st.floats(min_value=-80, max_value=80, allow_nan=False)
lngs = st.floats(min_value=-179, max_value=179, allow_nan=False)


def test_a_reworded_report_is_closer_than_another_problem_at_the_same_place():
    a = "阳光小区3栋2单元楼道灯坏了一周，晚上看不清，老人上下楼很危险。"
    same = "您好！阳光小区3栋2单元的楼道灯已经坏了好多天，晚上看不清楼梯，老人上下楼危险，请尽快修理。谢谢！"
    other = "阳光小区3栋2单元门口的垃圾桶满了没人清运，气味很大。"
    assert SCORER.similarity(a, same) > 0.45
    assert SCORER.similarity(a, other) < 0.3


def test_another_building_with_the_same_words_is_held_down():
    a = "阳光小区3栋电梯坏了三天，住户上下楼不便。"
    assert numbers_conflict(a, "阳光小区8栋电梯坏了三天，住户上下楼不便。")
    assert SCORER.similarity(a, "阳光小区8栋电梯坏了三天，住户上下楼不便。") < SCORER.similarity(
        a, "阳光小区三栋的电梯坏了3天了，上下楼很不方便。")


def test_place_numbers_read_chinese_numerals():
    assert place_numbers("十二栋二单元") == {"b12", "u2"}
    assert place_numbers("3号楼") == {"b3"}
    assert not numbers_conflict("3栋", "三栋2单元")


def test_a_long_text_is_read_the_same_and_not_kept():
    """Short texts' numbers are kept per process; a long one (a case holds up to 4,000 characters) is
    read again each time, so the kept answers stay a few MB."""
    long = "楼道灯坏了，" * 150 + "阳光小区十二栋二单元"
    assert len(long) > 500
    assert numbers_conflict(long, "阳光小区8栋")
    before = kept.cache_info().currsize
    assert place_numbers(long) == {"b12", "u2"}
    assert kept.cache_info().currsize == before
    short = "阳光小区七栋三单元的路灯坏了"
    assert place_numbers(short) == place_numbers(short) == {"b7", "u3"}
    assert kept.cache_info().currsize == before + 1


def test_polite_words_and_punctuation_do_not_count():
    assert normalize("尊敬的领导：您好！楼道灯坏了。谢谢！") == "楼道灯坏了"


@settings(max_examples=60, deadline=None)
@given(texts, texts)
def test_similarity_is_symmetric_and_bounded(a, b):
    ab, ba = SCORER.similarity(a, b), SCORER.similarity(b, a)
    assert abs(ab - ba) < 1e-3
    assert 0.0 <= ab <= 1.0


@settings(max_examples=40, deadline=None)
@given(texts.filter(lambda t: len(normalize(t)) >= 2))
def test_a_text_is_fully_similar_to_itself(a):
    assert SCORER.similarity(a, a) > 0.999


@settings(max_examples=80, deadline=None)
@given(lats, lngs, lats, lngs)
def test_haversine_is_symmetric_and_non_negative(lat1, lng1, lat2, lng2):
    d = haversine_m(lat1, lng1, lat2, lng2)
    assert d >= 0
    assert abs(d - haversine_m(lat2, lng2, lat1, lng1)) < 1e-6


def test_haversine_knows_a_degree_of_latitude():
    assert abs(haversine_m(32.0, 110.0, 33.0, 110.0) - 111_195) < 50


@settings(max_examples=80, deadline=None)
@given(st.floats(min_value=-70, max_value=70), lngs, st.floats(min_value=10, max_value=5000),
       st.floats(min_value=0, max_value=6.283), st.floats(min_value=0, max_value=1))
def test_every_point_within_the_radius_is_in_the_bounding_box(lat, lng, radius, bearing, fraction):


    d = radius * fraction
    dlat = d * math.cos(bearing) / 111_195
    dlng = d * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
    lat2, lng2 = lat + dlat, lng + dlng
    if haversine_m(lat, lng, lat2, lng2) <= radius:
        lat0, lat1, lng0, lng1 = bounding_box(lat, lng, radius)
        assert lat0 <= lat2 <= lat1 and lng0 <= lng2 <= lng1


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0, max_value=2000), st.floats(min_value=20, max_value=1000))
def test_matches_respect_the_radius(offset_m, radius):
    query = Item(id=1, text="3栋楼道灯坏了", at=T0, lat=LAT, lng=LNG)
    other = Item(id=2, text="3栋楼道灯坏了", at=T0, lat=LAT + offset_m / 111_195, lng=LNG)
    found = matches(query, [other], rules=Rules(radius_m=radius, threshold=0.1), scorer=SCORER)
    distance = haversine_m(LAT, LNG, other.lat, other.lng)
    assert bool(found) == (distance <= radius)
    assert all(m.distance_m is not None and m.distance_m <= radius + 0.1 for m in found)


def test_matches_respect_the_time_window_and_rank_best_first():
    query = Item(id=1, text="阳光小区3栋楼道灯坏了一周", at=T0, lat=LAT, lng=LNG)
    others = [
        Item(id=2, text="阳光小区3栋楼道灯坏了一周", at=T0 - timedelta(days=20), lat=LAT, lng=LNG),  # too old
        Item(id=3, text="阳光小区3栋楼道的灯坏了好几天", at=T0 - timedelta(days=2), lat=LAT, lng=LNG),
        Item(id=4, text="阳光小区3栋楼道灯坏了一周", at=T0 - timedelta(days=1), lat=LAT, lng=LNG),
        Item(id=5, text="小区门口有人乱停车", at=T0, lat=LAT, lng=LNG),  # another matter
    ]
    found = matches(query, others, rules=Rules(window_days=14), scorer=SCORER)
    assert [m.id for m in found] == [4, 3]
    assert found[0].strong and found[0].hours == 24.0


def test_without_a_point_the_same_grid_is_near_and_another_grid_is_not():
    grid_a, grid_b = "420303001001001", "420303001001002"
    query = Item(id=1, text="3栋楼道灯坏了", at=T0, grid=grid_a)
    found = matches(query, [Item(id=2, text="3栋楼道灯坏了", at=T0, lat=LAT, lng=LNG, grid=grid_a + "001"),
                            Item(id=3, text="3栋楼道灯坏了", at=T0, grid=grid_b)], scorer=SCORER)
    assert [(m.id, m.distance_m) for m in found] == [(2, None)]


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-60, 60), lng=st.floats(-179, 179), radius=st.floats(10, 2000),
       bearing=st.floats(0, 1), share=st.floats(0, 1))
def test_every_point_within_the_radius_lies_in_a_cell_the_finder_reads(lat, lng, radius, bearing, share):
    """The finder reads only the map cells of the radius's box: no point within the radius is missed."""
    d = radius * share * 0.999
    angle = 2 * math.pi * bearing
    qlat = lat + math.degrees(d * math.cos(angle) / 6_371_000)
    qlng = lng + math.degrees(d * math.sin(angle) / 6_371_000) / math.cos(math.radians(lat))
    if haversine_m(lat, lng, qlat, qlng) > radius:
        return  # the flat-earth step overshot at a high latitude: not a point within the radius
    assert cell_of(qlat, qlng) in cells_in_box(*bounding_box(lat, lng, radius))
