"""The pages that name a place or an object in their path read no outline of a district, street or
community either, unless drawing it is what they are for.

tests/areas/test_outlines_unread.py asks every page without a path parameter. This one fills the
parameters of every other page from the scope matrix's world (tests/scope/rules.py says how: a place's
area code, the case or resident at that place, …), as the district administrator, who may see them all.
A real outline is a GeoJSON of hundreds of kilobytes (areas/models.py leaves it unread until asked).
"""

from __future__ import annotations

import traceback
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.areas.models import Area
from tests.scope.rules import Skip
from tests.scope.test_every_url import (  # noqa: F401 — shared_world is this module's fixture too
    django_path,
    place_object,
    route_parameters,
    rule_for,
    shared_world,
    url_patterns,
)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("scope")]

BIG = ("district", "street", "community")
# pages whose answer is the outlines themselves (a map layer, the upload form showing the current one)
DRAWS_OUTLINES = {
    "areas/<str:code>/boundaries.geojson",
}
PLACES = ("A", "c1", "s1")  # a grid, a community, a street of the world


def _outline(lng: float, lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng, lat], [lng + 0.01, lat], [lng + 0.01, lat + 0.01], [lng, lat]]]}


def _fill(world, spec: dict, place: str) -> dict | None:
    """The rule's parameters filled from ``place`` (the first value of a constant), or None when the
    world has no such object there."""
    values = {}
    for param, filler in spec.items():
        if filler.startswith("const:"):
            values[param] = filler[6:].split("|")[0]
        elif filler in ("area", "community", "street"):
            p = {"area": place, "community": world.community_of(place), "street": world.street_of(place)}[filler]
            if p not in world.areas:
                return None
            values[param] = world.areas[p].code
        elif filler == "case.code":
            obj, _p = place_object(world, "cases.case", place)
            if obj is None:
                return None
            values[param] = obj.code
        else:
            obj, _p = place_object(world, filler, place)
            if obj is None:
                return None
            values[param] = obj.pk
    return values


def _pages(world) -> list[tuple[str, str]]:
    """(route, path) of every site page with path parameters that the world can fill (not the admin,
    not the API: their own tests ask them)."""
    out = []
    for route in url_patterns():
        rule = rule_for(route)
        if (rule == "api" or isinstance(rule, Skip) or not rule or not route_parameters(route)
                or route.startswith("admin/")):
            continue
        for place in PLACES:
            values = _fill(world, rule, place)
            if values is not None:
                out.append((route, django_path(route, values)))
    return sorted(set(out))


def test_pages_with_a_place_or_an_object_in_their_path_load_no_big_outline(shared_world, client):  # noqa: F811
    world, _media = shared_world
    for area in world.areas.values():  # the district, its streets, communities and grids
        area.boundary = _outline(110.6, 32.5)
        area.save()
    loaded: list[str] = []
    lazy: dict[str, int] = {}
    shown: set[str] = set()
    original = Area.from_db.__func__
    route = ""

    def from_db(cls, db, field_names, values):
        obj = original(cls, db, field_names, values)
        if "boundary" in field_names and obj.level in BIG and route not in DRAWS_OUTLINES:
            # where in the code: the failure names the query to wrap in outlines_unread
            frames = [f for f in traceback.extract_stack() if "/src/grassroots/" in f.filename]
            where = " < ".join(f"{f.filename.split('/src/grassroots/')[1]}:{f.lineno}" for f in frames[-3:][::-1])
            loaded.append(f"{route} ({obj.level} {obj.code}) {where}")
        return obj

    pages = _pages(world)
    client.force_login(world.users["district_admin"])
    with mock.patch.object(Area, "from_db", classmethod(from_db)):
        for route, path in pages:  # noqa: B007 — from_db reads ``route``
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            if response.status_code == 200:
                shown.add(route)
            one_by_one = [q for q in ctx.captured_queries if '"areas_area"."boundary"' in q["sql"]
                          and 'WHERE "areas_area"."id" =' in q["sql"]]
            if len(one_by_one) > 3:
                lazy[path] = len(one_by_one)
    assert not loaded, "\n".join(sorted(set(loaded)))
    assert lazy == {}
    # the pages were really shown, not refused, so the test read what they read (a POST-only route answers
    # 405, a code of another level 404: at least one filling of most routes shows the page)
    assert len(shown) >= 35, sorted(shown)  # 40 of them on 2026-12-07
