"""A community worker logs in, walks the organisation tree down to a grid and opens its map."""

import pytest

from tests.e2e.conftest import menu
from tests.factories import PASSWORD, build_tree

pytestmark = pytest.mark.e2e


def test_tree_to_map_journey(live_server, transactional_db, page, screenshot_dir):
    tree = build_tree()
    community, grid_a = tree.communities[0], tree.grid("A")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "community_worker_1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    menu(page, "基层组织", "组织架构")
    page.wait_for_url("**/areas/")
    root = page.locator(f"li.node[data-code='{community.code}']")
    assert root.locator(".name").inner_text() == community.name
    assert grid_a.name not in page.locator(".area-tree").inner_text()  # children load lazily

    root.locator("button.toggle").first.click()  # htmx fetches the grids
    grid_row = page.locator(f"li.node[data-code='{grid_a.code}']")
    grid_row.wait_for()
    assert "2 个楼栋" in grid_row.inner_text()
    grid_row.locator("button.toggle").first.click()  # and one level further: the buildings
    page.locator(f"li.node[data-code='{tree.buildings[0].code}']").wait_for()
    page.screenshot(path=str(screenshot_dir / "tree.png"), full_page=True)

    root.locator(".node-row").first.locator("a.maplink").click()
    page.wait_for_url(f"**/areas/map/?area={community.code}")
    page.wait_for_selector("#map[data-loaded='true']")
    paths = page.locator(".leaflet-overlay-pane svg path")
    assert paths.count() == 2  # the community's two grid outlines
    assert page.locator(".leaflet-tooltip.grid-label").all_inner_texts() == ["网格1", "网格2"]
    assert page.locator(".leaflet-tile-pane img").count() == 0  # no tile server configured
    page.screenshot(path=str(screenshot_dir / "tree_map.png"), full_page=True)

    page.fill("#locate-form input[name=lat]", "32.605")  # which grid is this patrol report in?
    page.fill("#locate-form input[name=lng]", "110.715")
    page.click("#locate-form button[type=submit]")
    page.wait_for_selector("#locate-result a")
    assert "网格2" in page.locator("#locate-result").inner_text()

    paths.first.click()  # a grid opens its detail page
    page.wait_for_url(f"**/areas/{grid_a.code}/")
    assert page.locator("h1").inner_text().endswith(grid_a.name)
