"""The whole loop in the browser, every step by the person who does it (issue 3's journey):

a resident reports a need with a photo on their phone → the grid worker finds it in their inbox →
the community worker accepts it and dispatches it to the property company → the company's handler
finds the dispatch in their inbox, takes it (接单) and replies → the grid worker verifies on site →
the resident rates it 满意 on the tracking page, where every public step is listed in order.
"""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role
from grassroots.cases.models import Case, Rating
from grassroots.notifications.models import Notification
from tests.e2e.conftest import login
from tests.e2e.test_journey_resident import tap_map
from tests.factories import build_tree, make_user
from tests.portal.conftest import photo_bytes

pytestmark = pytest.mark.e2e


def staff_page(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, username)
    return page


def open_from_inbox(page, title_starts: str) -> None:
    """The top bar's 消息 → the inbox → the notification, which leads to the case."""
    page.click(".userbox a.inboxlink")
    page.wait_for_url("**/notifications/")
    item = page.locator("li.notification.unread", has_text=title_starts).first
    item.wait_for()
    with page.expect_navigation():
        item.locator("button.title").click()
    page.wait_for_selector("#actions")


def act(page, action: str, **fields: str) -> None:
    """Open one action of the detail page's panel, fill it, submit, and wait for the page to reload."""
    page.click(f"#action-{action} summary")
    for name, value in fields.items():
        page.fill(f"#id_{action}-{name}", value)
    with page.expect_navigation():
        page.click(f"#action-{action} button[type=submit]")


def test_report_dispatch_take_reply_verify_rate(live_server, transactional_db, browser, screenshot_dir,
                                                 settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    make_user("property_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["property"])

    # 1. The resident, on a phone, without an account.
    phone_ctx = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN", is_mobile=True,
                                    has_touch=True)
    phone = phone_ctx.new_page()
    phone.goto(f"{live_server.url}/r/new/")
    phone.wait_for_selector("#pick-map[data-loaded='true']")
    phone.fill("textarea[name=description]", "3栋2单元楼道灯坏了一周，晚上看不清，老人上下楼很危险。")
    phone.locator("#photos").set_input_files({"name": "IMG_2041.jpg", "mimeType": "image/jpeg",
                                              "buffer": photo_bytes(size=(800, 600), colour="#7a8899")})
    phone.wait_for_selector("#photo-list img")
    tap_map(phone, 32.605, 110.705)  # in grid A
    phone.fill("input[name=contact_name]", "王小明")
    phone.fill("input[name=contact_phone]", "13812345678")
    phone.click("#submit-report")
    phone.wait_for_url("**/r/done/")
    case = Case.objects.get()
    assert case.area == tree.grid("A") and case.attachments.count() == 1
    tracking = phone.locator("#tracking-code").inner_text()
    assert tracking.replace("-", "") == case.tracking_code
    phone.screenshot(path=str(screenshot_dir / "loop_1_resident_done.png"), full_page=True)

    # 2. The grid worker finds it in the inbox; the photo is on the case.
    grid = staff_page(browser, live_server, "grid_worker_A")
    assert grid.locator(".todo-item", has_text="待受理").locator(".num").inner_text() == "1"
    grid.screenshot(path=str(screenshot_dir / "loop_2_grid_dashboard.png"), full_page=True)
    open_from_inbox(grid, "新诉求")
    assert grid.url.endswith(f"/cases/{case.pk}/")
    assert "楼道灯坏了" in grid.locator("h1").inner_text()
    grid.wait_for_function("() => [...document.querySelectorAll('.photos img')].every(i => i.naturalWidth > 0)")
    assert "138****5678" in grid.content() and "13812345678" not in grid.content()

    # 3. The community worker accepts it and dispatches it to the property company.
    community = staff_page(browser, live_server, "community_worker_1")
    community.goto(f"{live_server.url}/cases/{case.pk}/")
    act(community, "accept")
    assert "已受理" in community.locator(".page-head").inner_text()
    community.click("#action-dispatch summary")
    community.select_option("#id_dispatch-to_unit", str(tree.units["property"].pk))
    community.fill("#id_dispatch-note", "请物业今天内更换灯泡")
    community.screenshot(path=str(screenshot_dir / "loop_3_community_dispatch.png"), full_page=True)
    with community.expect_navigation():
        community.click("#action-dispatch button[type=submit]")
    assert "已派单" in community.locator(".page-head").inner_text()

    # 4. The property company's handler takes it (接单) and replies.
    handler = staff_page(browser, live_server, "property_handler")
    open_from_inbox(handler, "派单")
    act(handler, "take")
    assert "办理中" in handler.locator(".page-head").inner_text()
    act(handler, "reply", reply="已更换3栋2单元楼道灯泡并检查线路，现已恢复照明。")
    assert "已答复" in handler.locator(".page-head").inner_text()
    handler.screenshot(path=str(screenshot_dir / "loop_4_handler_replied.png"), full_page=True)

    # 5. The grid worker is told it waits for verification, checks on site and verifies.
    open_from_inbox(grid, "已答复待核实")
    act(grid, "verify", note="已现场查看，灯已亮")
    assert "已核实" in grid.locator(".page-head").inner_text()

    # 6. The resident rates it on the tracking page; every public step is there, in order.
    phone.click("a.button:has-text('查看办理进度')")
    phone.wait_for_url(f"**/r/t/{case.tracking_code}/")
    timeline = phone.locator(".timeline").inner_text()
    steps = ["您的诉求已提交", "诉求已受理", "已派至“阳光物业”办理", "承办单位已接单", "承办单位已答复", "办理结果已核实"]
    positions = [timeline.find(s) for s in steps]
    assert -1 not in positions and positions == sorted(positions), timeline
    assert "community_worker_1" not in phone.content() and "请物业今天内更换灯泡" not in phone.content()
    assert "已更换3栋2单元楼道灯泡" in phone.content()
    phone.screenshot(path=str(screenshot_dir / "loop_5_resident_rate.png"), full_page=True)
    phone.check("input[name=rating][value=satisfied]")
    phone.fill("textarea[name=comment]", "修得很快，谢谢！")
    phone.click("button:has-text('提交评价')")
    phone.wait_for_selector("text=感谢您的评价")
    phone.screenshot(path=str(screenshot_dir / "loop_6_resident_closed.png"), full_page=True)

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.rating == Rating.SATISFIED
    assert [e.action for e in case.events.order_by("pk")] == [
        "report", "accept", "dispatch", "take", "reply", "verify", "rate"]
    assert Notification.objects.filter(recipient__username="property_handler", kind="rated").exists()
    for context in (phone_ctx, grid.context, community.context, handler.context):
        context.close()
