"""A resident on a phone (375×800) reports a need with a photo by tapping the map, gets the tracking
code, follows the case as staff work it, and rates it 满意 on the tracking page."""

import re

import pytest

from grassroots.cases import services as svc
from grassroots.cases.models import Case, Rating
from tests.factories import build_tree
from tests.portal.conftest import IN_GRID_B, photo_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def tap_map(page, lat: float, lng: float) -> None:
    x, y = page.evaluate(
        "([lat, lng]) => { const p = document.getElementById('pick-map').leafletMap"
        ".latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }", [lat, lng])
    page.locator("#pick-map").click(position={"x": x, "y": y})


def walk_to_verified(tree, case: Case) -> None:
    u = tree.user
    svc.case_accept(case=case, actor=u("community_worker_1"))
    svc.case_dispatch(case=case, actor=u("community_worker_1"), to_unit=tree.units["dept"])
    svc.case_take(case=case, actor=u("dept_handler"))
    svc.case_reply(case=case, actor=u("dept_handler"), reply="已安排电工更换楼道灯，并检查了线路，现已恢复照明。")
    svc.case_verify(case=case, actor=u("grid_worker_A"))


def test_resident_reports_tracks_and_rates(live_server, transactional_db, phone, screenshot_dir, settings,
                                           tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    page = phone

    page.goto(f"{live_server.url}/r/new/")
    page.wait_for_selector("#pick-map[data-loaded='true']")
    assert page.locator(".leaflet-overlay-pane svg path").count() == 8  # the district's grid outlines
    assert page.locator(".leaflet-tile-pane img").count() == 0  # no tile server configured
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.screenshot(path=str(screenshot_dir / "portal_new.png"), full_page=True)

    page.fill("textarea[name=description]", "3栋2单元楼道灯坏了一周，晚上看不清，老人上下楼很危险。")
    page.select_option("select[name=category]", label="公共设施（路灯、井盖、道路）")
    page.locator("#photos").set_input_files({"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                             "buffer": photo_bytes(size=(640, 480), colour="#8899aa",
                                                                   gps=IN_GRID_B)})
    page.wait_for_selector("#photo-list img")
    tap_map(page, 32.605, 110.705)  # grid A
    assert "网格1" in page.locator("#place-status").inner_text()
    tap_map(page, 32.6125, 110.705)  # just north of every grid
    assert "不在本区的网格范围内" in page.locator("#place-status").inner_text()
    tap_map(page, 32.605, 110.705)
    page.fill("input[name=contact_name]", "王小明")
    page.fill("input[name=contact_phone]", "13812345678")
    page.screenshot(path=str(screenshot_dir / "portal_new_filled.png"), full_page=True)
    page.click("#submit-report")
    page.wait_for_url("**/r/done/")

    case = Case.objects.get()
    assert case.area == tree.grid("A") and case.attachments.count() == 1
    grouped = "-".join(case.tracking_code[i:i + 4] for i in (0, 4, 8))
    assert page.locator("#tracking-code").inner_text() == grouped
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", grouped)
    page.screenshot(path=str(screenshot_dir / "portal_done.png"), full_page=True)

    walk_to_verified(tree, case)
    page.click("a.button:has-text('查看办理进度')")
    page.wait_for_url(f"**/r/t/{case.tracking_code}/")
    assert page.locator("h1.headline").inner_text() == "请您评价"
    page.wait_for_function("() => [...document.querySelectorAll('.photos img')].every(i => i.naturalWidth > 0)")
    page.screenshot(path=str(screenshot_dir / "portal_track_rate.png"), full_page=True)

    page.check("input[name=rating][value=satisfied]")
    page.fill("textarea[name=comment]", "修得很快，谢谢！")
    page.click("button:has-text('提交评价')")
    page.wait_for_selector("text=感谢您的评价")
    assert page.locator("h1.headline").inner_text() == "已办结"
    page.screenshot(path=str(screenshot_dir / "portal_track_closed.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.rating == Rating.SATISFIED


def test_errors_are_shown_next_to_the_fields(live_server, transactional_db, phone, screenshot_dir, settings,
                                             tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_tree()
    page = phone
    page.goto(f"{live_server.url}/r/new/")
    page.wait_for_selector("#pick-map[data-loaded='true']")
    page.fill("textarea[name=description]", "小区门口垃圾三天没人清运")
    page.locator("#photos").set_input_files({"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4"})
    page.fill("input[name=contact_phone]", "12345")
    page.click("#submit-report")
    page.wait_for_selector("#form-errors")
    errors = page.locator(".field-error").all_inner_texts()
    assert any("scan.jpg" in e for e in errors) and any("联系电话“12345”有误" in e for e in errors)
    assert any("请告诉我们问题在哪里" in e for e in errors)
    assert page.locator("textarea[name=description]").input_value() == "小区门口垃圾三天没人清运"
    page.screenshot(path=str(screenshot_dir / "portal_new_errors.png"), full_page=True)
    assert not Case.objects.exists()
