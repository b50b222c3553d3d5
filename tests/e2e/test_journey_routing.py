"""Smart routing in the browser: a confident new case arrives dispatched with the system's note on
its timeline; a doubtful one waits on the board with three suggestions, and one click applies the
second (a correction the model page then lists); the street's settings page at phone width."""

import pytest

from grassroots.cases.models import Case
from grassroots.cases.services import case_create
from grassroots.routing.models import CategoryThreshold
from tests.e2e.conftest import login, menu
from tests.factories import build_tree
from tests.routing.helpers import install_model, level1, street_policy

pytestmark = pytest.mark.e2e


def test_auto_dispatch_suggestions_and_a_correction(live_server, transactional_db, page, screenshot_dir):
    tree = build_tree()
    install_model(outcomes=[("城乡建设", tree.grid("A").code, tree.units["property"], 1.0)] * 3)
    street_policy(tree.streets[0], threshold=0.7)
    CategoryThreshold.objects.create(street=tree.streets[0], category=level1("城乡建设"), threshold=1.0,
                                     district_code=tree.district.code)
    auto = case_create(title="化工厂排放废气", body="化工厂排放废气刺鼻，晚上气味难闻", channel="resident_web",
                       area=tree.grid("A"))
    doubtful = case_create(title="楼道灯坏了", body="3栋楼道灯坏了不亮，晚上很黑", channel="resident_web",
                           area=tree.grid("B"))
    assert auto.status == "dispatched" and doubtful.status == "reported"
    login(page, live_server, "community_worker_1")

    menu(page, "诉求办理", "派单台")
    page.wait_for_url("**/cases/board/")
    row = page.locator(f"tr[data-case='{doubtful.code}']")
    assert row.locator(".routing-suggest button").count() == 3
    assert "城乡建设 → 阳光物业" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "routing_board.png"), full_page=True)
    row.locator(".routing-suggest button").nth(1).click()
    page.wait_for_url("**/cases/board/")
    assert "已按建议处理" in page.content()
    case = Case.objects.get(pk=doubtful.pk)
    assert case.status == "dispatched" and case.category.name != "城乡建设"

    page.goto(f"{live_server.url}/cases/{auto.pk}/")
    assert "系统根据内容自动分类为「环境保护」" in page.content()
    assert "已自动分类派单" in page.locator("#routing").inner_text()
    page.screenshot(path=str(screenshot_dir / "routing_case.png"), full_page=True)

    menu(page, "诉求办理", "智能分派")
    page.wait_for_url("**/routing/")
    assert doubtful.code in page.locator("#corrections").inner_text()
    assert "test-1" in page.locator("#model-category").inner_text()
    page.screenshot(path=str(screenshot_dir / "routing_index.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/routing/streets/{tree.streets[0].pk}/")
    assert page.locator("select[name=policy]").is_visible()
    page.screenshot(path=str(screenshot_dir / "routing_street_375.png"), full_page=True)
    another = case_create(title="小区路灯不亮", body="小区路灯不亮，晚上很黑", channel="resident_web", area=tree.grid("A"))
    page.goto(f"{live_server.url}/cases/board/")
    assert page.locator(f"tr[data-case='{another.code}'] .routing-suggest button").count() == 3
    page.locator(f"tr[data-case='{another.code}']").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshot_dir / "routing_board_375.png"))
