"""The command center on the demo district: the district leader's wall screen (1920×1080) — grids
coloured on the map, the heat layer, the charts, their numbers, a grid's drill-down — then a street
on a laptop (1366×768), and the screen taking in a new case by itself, without a reload."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from grassroots.areas.models import Area, Level
from grassroots.cases import services as cs

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("command_center")]
DEMO = ("load_demo", "--seed", "77", "--people", "light", "--cases", "160", "--end", "2026-06-30",
        "--without", "points", "--without", "deliberation", "--without", "matching", "--without", "evaluation",
        "--without", "stars", "--without", "reports")
Q = "start=2026-01-01&end=2026-07-01&refresh=5"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def loaded(page, at_least=1):
    page.wait_for_function(f"() => parseInt(document.getElementById('cc').dataset.loads || '0') >= {at_least}"
                           " && document.getElementById('cc').dataset.grids !== undefined", timeout=30000)


def tile(page, key):
    return page.locator(f'[data-total="{key}"]').inner_text()


@override_settings(PASSWORD_HASHERS=[FAST_HASHER])
def test_command_center_district_street_drill_down_and_refresh(live_server, transactional_db, browser,
                                                               screenshot_dir):
    call_command(*DEMO, stdout=StringIO())
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/command/?{Q}")
    loaded(page)
    assert "张湾区 · 指挥中心" in page.locator("h1").inner_text()
    grids = Area.objects.filter(level=Level.GRID).count()
    assert int(page.locator("#cc").get_attribute("data-grids")) == grids  # every grid drawn on the map
    assert int(tile(page, "received")) > 100
    assert int(page.locator("#cc").get_attribute("data-heat")) > 20  # heat cells of the period's cases
    coloured = page.evaluate("""() => {
        const seen = new Set(); document.getElementById('cc').cc.grids().eachLayer(l => seen.add(l.options.fillColor));
        return seen.size; }""")
    assert coloured >= 3  # grids differ by their backlog
    assert page.evaluate("() => echarts.getInstanceByDom(document.getElementById('cc-trend')).getOption().series[0].data.length") == 12
    assert "街道" in page.locator("#cc-children-title").inner_text()
    page.screenshot(path=str(screenshot_dir / "command_district_1920.png"))

    # numbers one click away
    page.click('button[data-table="trend"]')
    assert page.locator('.cc-table[data-for="trend"] tbody tr').count() == 12
    page.select_option("#cc-metric", "composite")
    assert "综合得分" in page.locator("#cc-metric-label").inner_text()

    # drill down into a grid: zoom to one and click its middle
    x, y = page.evaluate("""() => {
        const cc = document.getElementById('cc').cc, grid = cc.grids().getLayers()[0];
        cc.map.fitBounds(grid.getBounds(), {animate: false});
        const p = cc.map.latLngToContainerPoint(grid.getBounds().getCenter());
        const box = document.getElementById('cc-map').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }""")
    page.mouse.click(x, y)
    page.wait_for_selector("#cc-panel .cc-grid-panel")
    panel = page.locator("#cc-panel").inner_text()
    assert "网格员" in panel and "党支部" in panel and "未办结诉求" in panel
    page.screenshot(path=str(screenshot_dir / "command_district_grid_panel.png"))

    # a street, on a laptop
    street = Area.objects.filter(level=Level.STREET).order_by("code").first()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/command/?area={street.code}&{Q}")
    loaded(page)
    assert street.name in page.locator("h1").inner_text()
    assert int(page.locator("#cc").get_attribute("data-grids")) == Area.objects.filter(
        level=Level.GRID, code__startswith=street.code).count()
    page.screenshot(path=str(screenshot_dir / "command_street_1366.png"), full_page=True)

    # the screen takes in a new case by itself
    before = int(tile(page, "open"))
    grid = Area.objects.filter(level=Level.GRID, code__startswith=street.code).order_by("code").first()
    cs.case_create(title="路灯不亮", body="小区门口路灯不亮。", channel="resident_web", area=grid)
    loads = int(page.locator("#cc").get_attribute("data-loads"))
    loaded(page, loads + 1)
    page.wait_for_function(f"() => parseInt(document.querySelector('[data-total=open]').textContent) === {before + 1}",
                           timeout=15000)
    assert errors == []
    context.close()
