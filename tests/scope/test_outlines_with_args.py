"""The pages that name a place or an object in their path, and the JSON API's reads, load no outline of
a district, street or community either, unless drawing it is what they are for.

tests/areas/test_outlines_unread.py asks every page without a path parameter. This one fills the
parameters of every other page from the scope matrix's world (tests/scope/rules.py says how: a place's
area code, the case or resident at that place, …), as the district administrator, who may see them all.
A real outline is a GeoJSON of hundreds of kilobytes (areas/models.py leaves it unread until asked).
"""

from __future__ import annotations

import re

import pytest

from tests.areas.outlines import Watch, outline
from tests.scope import rules
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

# pages whose answer is the outlines themselves (a map layer, the upload form showing the current one)
DRAWS_OUTLINES = {
    "areas/<str:code>/boundaries.geojson",
    "GET /api/areas/{code}/grids.geojson",
}
PLACES = ("A", "c1", "s1")  # a grid, a community, a street of the world


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
    """(route, path) of every site page, its path parameters filled from the world (not the admin, not the
    API: the API has its own test below). The pages without parameters are also asked in
    tests/areas/test_outlines_unread.py, as five kinds of user, but over a bare tree whose lists are empty."""
    out = []
    for route in url_patterns():
        rule = rule_for(route)
        if rule == "api" or isinstance(rule, Skip) or route.startswith("admin/"):
            continue
        if not route_parameters(route):  # asked too: here its lists hold objects of every kind
            out.append((route, django_path(route, {})))
            continue
        for place in PLACES:
            values = _fill(world, rule, place)
            if values is not None:
                out.append((route, django_path(route, values)))
    return sorted(set(out))


def _outlined(world) -> None:
    for area in world.areas.values():  # the district, its streets, communities and grids
        area.boundary = outline(110.6, 32.5)
        area.save()


def test_pages_with_a_place_or_an_object_in_their_path_load_no_big_outline(shared_world, client):  # noqa: F811
    world, _media = shared_world
    _outlined(world)
    client.force_login(world.users["district_admin"])
    with Watch(draws=DRAWS_OUTLINES) as watch:
        for route, path in _pages(world):
            watch.get(client, path, route=route)
    assert not watch.loaded, "\n".join(sorted(set(watch.loaded)))
    assert watch.one_by_one == {}
    # the pages were really shown, not refused, so the test read what they read (a POST-only route answers
    # 405, a code of another level 404: at least one filling of most routes shows the page)
    assert len(watch.shown) >= 110, sorted(watch.shown)  # 126 of the 203 routes on 2026-12-07


def test_the_api_reads_load_no_big_outline(shared_world, client):  # noqa: F811
    """Every GET operation of the JSON API, its path filled from the world as for the pages."""
    world, _media = shared_world
    _outlined(world)
    client.force_login(world.users["district_admin"])
    with Watch(draws=DRAWS_OUTLINES) as watch:
        for op, rule in rules.API.items():
            method, path = op.split(" ", 1)
            if method != "GET" or isinstance(rule, Skip):
                continue
            for place in PLACES if rule else ("",):
                values = _fill(world, rule, place) if rule else {}
                if values is not None:
                    filled = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v[m[1]]), path)
                    watch.get(client, filled, {"page_size": 100} if not rule else None, route=op)
    assert not watch.loaded, "\n".join(sorted(set(watch.loaded)))
    assert watch.one_by_one == {}
    assert len(watch.shown) >= 50, sorted(watch.shown)  # 60 of the 85 GET operations on 2026-12-07
