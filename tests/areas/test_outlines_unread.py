"""A district's, a street's or a community's outline is a GeoJSON of its whole border: a real one is
hundreds of kilobytes. ``Area.objects`` leaves it unread until asked (areas/models.py), so that the pages
which only name a place — nearly all of them: the scope, pickers, rankings, trees — never load it, and
the pages that draw outlines read them in one query, not one per place."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots.areas.models import Area
from tests.areas.outlines import ONE_AREA, Watch, outline

pytestmark = pytest.mark.django_db


def _plain_pages(resolver=None, prefix: str = "") -> list[str]:
    """Every site URL without arguments (the admin and the API aside)."""
    out = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/", "i18n/")):
                continue
            out += _plain_pages(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            out.append(("/" + prefix + route.lstrip("^").rstrip("$")).replace("\\", ""))
    return sorted(set(out))


@pytest.mark.parametrize("who", ["root", "district_admin", "street_admin_1", "community_worker_1", "grid_worker_A"])
def test_pages_load_no_outline_of_a_district_street_or_community(client, tree, who):
    for area in [tree.district, *tree.streets, *tree.communities, *tree.grids]:
        area.boundary = outline(110.6, 32.5)
        area.save()
    client.force_login(tree.users[who])
    with Watch() as watch:
        for page in _plain_pages():
            watch.get(client, page)
    assert not watch.loaded, "\n".join(sorted(set(watch.loaded)))
    assert watch.one_by_one == {}


def test_the_grid_outlines_are_read_in_one_query(client, tree):
    """The resident map's grid outlines (a GeoJSON of every grid) come with the grids, not one by one."""
    for i, grid in enumerate(tree.grids):
        grid.boundary = outline(110.6 + i * 0.01, 32.5)
        grid.save()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/r/grids.geojson")
    assert response.status_code == 200
    features = response.json()["features"]
    assert {f["properties"]["code"] for f in features} == {g.code for g in tree.grids}
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    assert len([q for q in ctx.captured_queries if "areas_area" in q["sql"]]) <= 3


def test_an_outline_is_there_when_read(tree):
    """Deferred, not lost: reading ``boundary`` loads it, and saving another field keeps it."""
    tree.district.boundary = outline(110.6, 32.5)
    tree.district.save()
    district = Area.objects.get(pk=tree.district.pk)
    assert "boundary" in district.get_deferred_fields()
    district.name = "张湾区（改）"
    district.save()
    assert Area.objects.with_boundary().get(pk=district.pk).boundary == outline(110.6, 32.5)
    assert Area.objects.get(pk=district.pk).boundary == outline(110.6, 32.5)


def test_the_admin_list_of_areas_reads_nooutline(client, tree):
    """The admin's ✓ "有边界" column is answered by the database, not by loading each row's outline."""
    for area in [tree.district, *tree.grids]:
        area.boundary = outline(110.6, 32.5)
        area.save()
    client.force_login(tree.users["root"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/areas/area/")
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if ONE_AREA.search(q["sql"])]
    assert not [q for q in ctx.captured_queries if '"areas_area"."boundary" FROM' in q["sql"]]
    html = response.content.decode()
    district_row = html[html.index(">张湾区<"):].split("</tr>", 1)[0]
    street_row = html[html.index(">测试街道1<"):].split("</tr>", 1)[0]
    assert district_row.endswith('alt="True"></td>') and street_row.endswith('alt="False"></td>')


def test_outlines_unread_leaves_every_joined_area_outline_unread():
    """A join reads every column of the joined table; ``outlines_unread`` defers the outline of each area
    joined, however deep (a resolution's community, its meeting's community)."""
    from grassroots.areas.models import outlines_unread
    from grassroots.deliberation.models import Resolution

    joined = Resolution.objects.select_related("community", "meeting__community", "owner_unit")
    assert str(joined.query).count('"boundary"') == 2
    assert '"boundary"' not in str(outlines_unread(joined).query)
    assert str(outlines_unread(Resolution.objects.all()).query) == str(Resolution.objects.all().query)
