"""In the browser: a street administrator finds the surge on the hot-problems page (chart drawn),
opens its weekly series, promotes it to the problem of the month, starts it and reports progress;
the pages fit a 375 px phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.factories import build_tree
from tests.hotspots.conftest import add_cases, category, steady, this_week

pytestmark = pytest.mark.e2e


def test_find_promote_and_follow_a_rising_problem(live_server, transactional_db, page, screenshot_dir):
    tree = build_tree()
    cat = category()
    steady(tree, "A", 8, 1, cat=cat, title="物业不及时清理楼道杂物", body="楼道堆放杂物无人清理。")
    add_cases(tree, "A", this_week(), 8, cat=cat, title="物业不及时清理楼道杂物", body="楼道堆放杂物无人清理，存在消防隐患。")
    login(page, live_server, "street_admin_1")
    page.click("nav.mainnav >> text=热点问题")
    page.wait_for_url("**/hotspots/")
    page.goto(page.url + f"?week={this_week():%G-W%V}")
    page.wait_for_selector("#hot-bars[data-ready='true']")
    rows = page.locator(".hot-table tbody tr")
    assert rows.count() >= 1 and "网格1" in rows.first.inner_text()
    page.screenshot(path=str(screenshot_dir / "hotspots_rising.png"), full_page=True)

    rows.first.locator("a").first.click()
    page.wait_for_selector("#hot-series[data-ready='true']")
    assert page.locator("#cases li").count() == 8
    page.screenshot(path=str(screenshot_dir / "hotspots_series.png"), full_page=True)

    page.click("#promote")
    page.wait_for_selector("#promote-form")
    page.select_option("select[name=lead_unit]", label="阳光物业（物业公司）")
    page.fill("textarea[name=plan]", "1. 物业一周内清理全部楼道；\n2. 网格员每周巡查。")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=20)).isoformat())
    page.click("#promote-form button[type=submit]")
    page.wait_for_url("**/hotspots/monthly/*/")
    assert "已立项" in page.locator("#problem").inner_text()
    page.fill("textarea[name=note]", "已召集物业和楼长开会")
    page.click("#actions button[value=start]")
    page.wait_for_selector(".messages li")
    page.fill("textarea[name=note]", "已清理3个单元楼道")
    page.click("#actions button[value=progress]")
    page.wait_for_selector("text=已清理3个单元楼道")
    assert "推进中" in page.locator("#problem").inner_text()
    page.screenshot(path=str(screenshot_dir / "hotspots_monthly.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 812})
    for url in (f"/hotspots/?week={this_week():%G-W%V}", page.url.replace(live_server.url, "")):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    page.screenshot(path=str(screenshot_dir / "hotspots_mobile.png"), full_page=True)
