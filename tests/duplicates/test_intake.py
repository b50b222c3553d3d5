"""The intake step: a new case's candidates are stored; a strong one holds back auto-dispatch."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from grassroots.cases import hooks
from grassroots.cases.models import Case
from grassroots.duplicates.models import DuplicateCandidate, DuplicateSettings
from grassroots.duplicates.selectors import rules_for

from .conftest import LAMP, LAMP_AGAIN, TRASH


def candidates(case):
    return list(DuplicateCandidate.objects.filter(case=case).values_list("candidate_id", "strong"))


def test_a_second_report_of_the_same_problem_nearby_is_a_strong_candidate(report):
    first = report(LAMP)
    second = report(LAMP_AGAIN, lat=32.6052, lng=110.7051)  # about 25 m away
    assert candidates(first) == []
    row = DuplicateCandidate.objects.get(case=second)
    assert row.candidate_id == first.pk and row.strong
    assert 15 < row.distance_m < 40
    assert row.district_code == second.district_code


def test_the_step_tells_later_steps_which_cases_it_duplicates(report):
    first = report(LAMP)
    seen = {}

    def spy(case, context):
        seen.update(context)

    hooks.on_case_received(spy, order=99)
    try:
        report(LAMP_AGAIN)
    finally:
        hooks._steps[:] = [s for s in hooks._steps if s[2] is not spy]
    assert seen["duplicate_of"] == [first.pk]


def test_another_problem_at_the_same_place_is_not_a_candidate(report):
    report(LAMP)
    other = report(TRASH)
    assert candidates(other) == []


def test_the_same_words_beyond_the_radius_are_not_a_candidate(report):
    report(LAMP)
    far = report(LAMP_AGAIN, lat=32.605, lng=110.709)  # about 375 m east
    assert candidates(far) == []


def test_a_district_may_widen_the_radius(report, tree):
    DuplicateSettings.objects.create(district_code=tree.district.code, radius_m=600)
    assert rules_for(tree.district.code).radius_m == 600
    first = report(LAMP)
    far = report(LAMP_AGAIN, lat=32.605, lng=110.709)
    assert candidates(far) == [(first.pk, True)]


def test_closed_rejected_or_merged_cases_are_not_offered(report, tree):
    from grassroots.cases.services import case_reject

    first = report(LAMP)
    case_reject(case=first, reason="请向物业反映", actor=tree.user("community_worker_1"))
    assert candidates(report(LAMP_AGAIN)) == []


def test_an_old_case_outside_the_time_window_is_not_offered(report):
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        report(LAMP)
    assert candidates(report(LAMP_AGAIN)) == []


def test_a_case_without_a_point_is_compared_within_its_grid(tree, report):
    first = report(LAMP, lat=None, lng=None, area=tree.grid("A"))
    second = report(LAMP_AGAIN, lat=None, lng=None, area=tree.grid("A"))
    elsewhere = report(LAMP_AGAIN, lat=None, lng=None, area=tree.grid("C"))
    assert candidates(second) == [(first.pk, True)]
    assert DuplicateCandidate.objects.get(case=second).distance_m is None
    assert candidates(elsewhere) == []


def test_a_case_without_a_point_is_near_by_its_buildings_point_or_its_grid(tree, report):
    """A new case with a point finds older ones without: through their building's point when it is in the
    radius, through the grid when their place has no point; a building beyond the radius is not near."""
    by_building = report(LAMP, lat=None, lng=None, area=tree.buildings[0])  # its point: 32.602, 110.705
    in_grid = report(LAMP, lat=None, lng=None, area=tree.grid("A"))  # the grid has no point of its own
    report(LAMP, lat=None, lng=None, area=tree.buildings[2])  # the next grid's building, about 940 m east
    report(LAMP, lat=None, lng=None, area=tree.buildings[1])  # grid A, 32.606: about 420 m north
    second = report(LAMP_AGAIN, lat=32.6021, lng=110.7052)
    assert sorted(pk for pk, _ in candidates(second)) == [by_building.pk, in_grid.pk]
    assert DuplicateCandidate.objects.get(case=second, candidate=by_building).distance_m < 30


def test_a_failing_finder_loses_no_case(report, monkeypatch):
    from grassroots.duplicates import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "candidates_store", broken)
    case = report(LAMP)
    assert Case.objects.filter(pk=case.pk, status=Case.Status.REPORTED).exists()


def test_a_case_with_its_own_point_is_looked_up_without_the_area_join(report):
    """The finder's cost must not grow with the history nor with the district's intake: the cases with a
    point are read through the map cells around the point (index district, cell, created_at), not the
    district's whole window (at a million cases a year that scan was 30 ms of every new case); only the
    cases without one join their area, through the partial index of cases without a point."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.duplicates.selectors import case_item, similar_open_cases

    first = report(LAMP)
    second = report(LAMP_AGAIN, lat=32.6052, lng=110.7051)
    with CaptureQueriesContext(connection) as ctx:
        found = similar_open_cases(case_item(second), district_code=second.district_code, older_only=True)
    assert [m.id for m in found] == [first.pk]
    sql = next(q["sql"] for q in ctx.captured_queries if "UNION ALL" in q["sql"])
    own, theirs = sql.split("UNION ALL")
    assert "areas_area" not in own and "areas_area" in theirs
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " | ".join(row[3] for row in cursor.fetchall())
        assert "case_district_cell" in plan and "case_district_nopoint" in plan, plan
        assert "case_district_created" not in plan, plan


def test_a_report_across_a_map_cell_border_still_finds_the_first(report):
    """The finder reads the map cells around a point (cases.models.cells_in_box): two reports 20 m apart
    on either side of a cell border, north-south and east-west, are still a pair."""
    from grassroots.cases.models import cell_of

    first = report(LAMP, lat=32.60491, lng=110.70491)
    north = report(LAMP_AGAIN, lat=32.60509, lng=110.70491)
    east = report(LAMP_AGAIN, lat=32.60491, lng=110.70509)
    assert len({cell_of(c.lat, c.lng) for c in (first, north, east)}) == 3  # three cells
    assert (first.pk, True) in candidates(north)
    assert (first.pk, True) in candidates(east)


def test_the_database_keeps_each_cases_map_cell(report):
    """``Case.cell`` is computed by the database on every write, an update behind the ORM's back
    included, with the same arithmetic as ``cell_of`` (south and west of zero too)."""
    from grassroots.cases.models import cell_of

    case = report(LAMP)
    case.refresh_from_db()
    assert case.cell == cell_of(case.lat, case.lng)
    for lat, lng in [(-33.45691, -70.64827), (0.0001, -0.0001), (39.9042, 116.4074)]:
        Case.objects.filter(pk=case.pk).update(lat=lat, lng=lng)
        case.refresh_from_db()
        assert case.cell == cell_of(lat, lng)
    Case.objects.filter(pk=case.pk).update(lat=None, lng=None)
    case.refresh_from_db()
    assert case.cell is None
