"""Two residents report the same broken stairwell light; a grid worker entering it a third time sees
the similar open cases live; the dispatcher sees "疑似与 #N 重复" on the board, compares the texts
side by side and merges (a double click merges once); the second resident's tracking page says it
was merged, shows the original's progress, and lets them rate the original once it is answered."""

import pytest

from grassroots.cases import services as svc
from grassroots.cases.models import Case, CaseEvent
from grassroots.duplicates.models import MergedRating
from tests.factories import build_tree

from .conftest import login
from .test_journey_resident import phone, tap_map  # noqa: F401 — the phone-sized page and the map tap

pytestmark = pytest.mark.e2e
FIRST = "阳光小区3栋2单元楼道灯坏了一周，晚上看不清，老人上下楼很危险，请尽快维修。"
SECOND = "您好！阳光小区3栋2单元的楼道灯已经坏了好多天了，晚上看不清楼梯，老人上下楼危险，麻烦尽快修一下。"


def resident_reports(page, live_server, text: str, lat: float, lng: float) -> Case:
    page.goto(f"{live_server.url}/r/new/")
    page.wait_for_selector("#pick-map[data-loaded='true']")
    page.fill("textarea[name=description]", text)
    tap_map(page, lat, lng)
    page.fill("input[name=contact_phone]", "13900005678")
    page.click("#submit-report")
    page.wait_for_url("**/r/done/")
    return Case.objects.order_by("-pk").first()


def test_two_residents_one_problem_merged(live_server, transactional_db, page, phone, screenshot_dir):  # noqa: F811
    tree = build_tree()
    first = resident_reports(phone, live_server, FIRST, 32.605, 110.705)
    second = resident_reports(phone, live_server, SECOND, 32.6052, 110.7052)
    assert first.pk != second.pk and second.body == SECOND

    # a grid worker entering the same problem on patrol sees both open cases as they type
    login(page, live_server, "grid_worker_A")
    page.goto(f"{live_server.url}/r/staff/new/")
    page.wait_for_selector("#pick-map[data-loaded='true']")
    page.fill("textarea[name=description]", "3栋2单元楼道灯坏了，晚上一片黑，老人上下楼不安全")
    tap_map(page, 32.6051, 110.7051)
    page.wait_for_selector(".dup-live-row")
    live = page.locator("#dup-live").inner_text()
    assert "附近已有类似诉求正在办理" in live and first.code in live and second.code in live
    assert "13900005678" not in live
    page.locator("#dup-live").screenshot(path=str(screenshot_dir / "duplicate_live_staff_form.png"))
    page.context.clear_cookies()

    # the dispatcher sees "same as #N" on the board and compares the two texts
    login(page, live_server, "community_worker_1")
    page.goto(f"{live_server.url}/cases/board/")
    hint = page.locator(f'tr[data-case="{second.code}"] a.dup-hint')
    assert f"疑似与 #{first.code} 重复" in hint.inner_text()
    page.screenshot(path=str(screenshot_dir / "duplicate_board.png"), full_page=True)
    hint.click()
    page.wait_for_selector(".dup-side")
    assert FIRST in page.inner_text(".dup-side") and SECOND in page.inner_text(".dup-side")
    page.screenshot(path=str(screenshot_dir / "duplicate_pair.png"), full_page=True)
    page.locator(".dup-merge button").dblclick()
    page.wait_for_url(f"**/cases/{first.pk}/")
    assert f"已把 {second.code} 合并到 {first.code}" in page.inner_text("body")
    second.refresh_from_db()
    assert second.status == Case.Status.MERGED and second.merged_into_id == first.pk
    assert CaseEvent.objects.filter(case=second, action="merge").count() == 1

    # the second resident's page says it was merged and follows the original
    track = f"{live_server.url}/r/t/{second.tracking_code}/"
    phone.goto(track)
    text = phone.inner_text("main")
    assert "已合并办理" in text and f"诉求 {first.code}" in text and FIRST not in text
    phone.screenshot(path=str(screenshot_dir / "duplicate_merged_tracking.png"), full_page=True)

    u = tree.user
    svc.case_accept(case=first, actor=u("community_worker_1"))
    svc.case_start(case=first, actor=u("grid_worker_A"))
    svc.case_reply(case=first, reply="已更换3栋2单元楼道灯泡，并检查了线路，现已恢复照明。", actor=u("grid_worker_A"))
    svc.case_verify(case=first, actor=u("community_worker_1"))
    phone.goto(track)
    assert "已恢复照明" in phone.inner_text("#merged-original")
    phone.check("#merged-rate input[value=satisfied]")
    phone.click("#merged-rate button[type=submit]")
    phone.wait_for_selector("text=您的评价：满意")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(screenshot_dir / "duplicate_merged_rated.png"), full_page=True)
    assert MergedRating.objects.get(case=second).rating == "satisfied"
    first.refresh_from_db()
    assert first.rating == ""  # the original's own resident still rates it
