"""A street administrator reads the 接诉即办 ranking of their communities, drills down to a
community's grids and sorts the table; a district administrator edits the weights."""

import pytest

from tests.assessment.factories import build_spread
from tests.e2e.conftest import login, menu
from tests.factories import build_tree

pytestmark = pytest.mark.e2e
MARCH = "start=2026-03-01&end=2026-04-01"


def test_ranking_drill_down_and_sort(live_server, transactional_db, page, screenshot_dir):
    tree = build_tree()
    build_spread(tree)
    login(page, live_server, "street_admin_1")
    menu(page, "考核排名", "考核排名")  # the group also holds 指挥中心, 月度报告, 双向评价
    page.wait_for_url("**/assessment/")
    assert "测试街道1" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/assessment/?{MARCH}")
    page.wait_for_selector("#kpi-chart[data-ready='true']")
    assert page.locator("#kpi-table tbody tr").count() == 2  # the street's two communities
    page.screenshot(path=str(screenshot_dir / "assessment_street.png"), full_page=True)

    # clicking a bar drills down: the middle of the bar of 测试社区1-2 (second in the ranking here)
    second = page.locator("#kpi-table tbody tr").nth(1).locator("td").nth(1).inner_text()
    x, y = page.evaluate("""() => {
        const el = document.getElementById('kpi-chart'), chart = echarts.getInstanceByDom(el);
        const rows = JSON.parse(document.getElementById('kpi-chart-data').textContent);
        const [px, py] = chart.convertToPixel({seriesIndex: 0}, [1, rows[1].score / 2]);
        const box = el.getBoundingClientRect();
        return [box.left + px, box.top + py];
    }""")
    page.mouse.click(x, y)
    target = tree.communities[0] if second == "测试社区1-1" else tree.communities[1]
    page.wait_for_url(f"**/assessment/?area={target.code}*")
    assert target.name in page.locator("h1").inner_text()
    page.go_back()
    page.wait_for_selector("#kpi-chart[data-ready='true']")

    page.locator("#kpi-table tbody tr a", has_text="测试社区1-1").click()  # drill down from the table
    page.wait_for_url(f"**/assessment/?area={tree.communities[0].code}*")
    page.wait_for_selector("#kpi-chart[data-ready='true']")
    names = page.locator("#kpi-table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == ["网格1", "网格2"]
    page.locator("#kpi-table th", has_text="名称").locator("button").click()
    assert page.locator("#kpi-table tbody tr td:nth-child(2)").all_inner_texts() == ["网格1", "网格2"]
    page.screenshot(path=str(screenshot_dir / "assessment_community.png"), full_page=True)

    page.click("nav.kpi-tabs >> text=承办单位排名")
    page.wait_for_url("**/assessment/units/*")
    page.goto(page.url + f"&{MARCH}")
    page.wait_for_selector("#kpi-chart[data-ready='true']")
    assert sorted(page.locator("#kpi-table tbody tr td:nth-child(2)").all_inner_texts()) == ["区住建局", "阳光物业"]
    page.screenshot(path=str(screenshot_dir / "assessment_units.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/assessment/?{MARCH}")
    page.wait_for_selector("#kpi-chart[data-ready='true']")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # the wide table scrolls inside its box, not the page
    page.screenshot(path=str(screenshot_dir / "assessment_mobile.png"), full_page=True)


def test_weights_page(live_server, transactional_db, page, screenshot_dir):
    build_tree()
    login(page, live_server, "district_admin")
    page.goto(f"{live_server.url}/assessment/weights/")
    page.fill("input[name=response_weight]", "0.2")
    assert "须等于1" in page.locator("#weight-sum").inner_text()
    page.click("#weights-form button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "三项权重之和应等于1（现为1.1）" in page.locator(".errorlist").inner_text()
    page.screenshot(path=str(screenshot_dir / "assessment_weights_error.png"), full_page=True)
    page.fill("input[name=resolution_weight]", "0.4")
    page.click("#weights-form button[type=submit]")
    page.wait_for_selector(".messages li")
    assert "0.2 × 响应率 + 0.4 × 解决率 + 0.4 × 满意率" in page.locator("#current").inner_text()
    assert page.locator("#history tbody tr").count() == 1
    page.screenshot(path=str(screenshot_dir / "assessment_weights.png"), full_page=True)
