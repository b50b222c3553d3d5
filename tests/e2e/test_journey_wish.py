"""A micro-wish: the community publishes it (the person's name stays private), a volunteer on a phone
(390 px) claims it on the public wall, fulfils it with a photo, the community confirms, and the wall
shows it fulfilled — never who wished it."""

import pytest

from grassroots.wishes.models import Wish
from tests.e2e.conftest import login, menu
from tests.factories import build_tree
from tests.portal.conftest import photo_bytes
from tests.wishes.test_wishes import helper

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_wish_is_published_claimed_fulfilled_and_confirmed(live_server, transactional_db, phone, page, screenshot_dir,
                                                           settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    helper(tree, 1)

    login(page, live_server, "community_worker_1")
    menu(page, "党员与志愿", "微心愿管理")
    page.fill("input[name=title]", "一台收音机")
    page.fill("input[name=story]", "独居老人，眼睛不好，想听戏曲广播。")
    page.fill("input[name=private_name]", "张秀英")
    page.fill("input[name=private_contact]", "13912345678 1栋101室")
    page.click("button[value=publish]")
    page.wait_for_selector("text=微心愿已发布")

    p = phone
    p.goto(f"{live_server.url}/wishes/c/{tree.communities[0].code}/")
    assert "张秀英" not in p.content() and "13912345678" not in p.content()
    login(p, live_server, "helper_1")
    p.goto(f"{live_server.url}/wishes/c/{tree.communities[0].code}/")
    p.click("button:has-text('我来认领')")
    p.wait_for_url(f"{live_server.url}/wishes/mine/")
    p.locator("input[name=photo]").set_input_files({"name": "IMG_4001.jpg", "mimeType": "image/jpeg",
                                                    "buffer": photo_bytes(size=(640, 480), colour="#aa8866")})
    p.fill("input[name=note]", "已送到老人家中，教会了调台")
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "wish_fulfil_390.png"), full_page=True)
    p.click("button[value=fulfil]")
    p.wait_for_selector("text=已完成，待确认")

    page.reload()
    page.locator(f'tr[data-wish="{Wish.objects.get().pk}"] button[value=confirm]').click()
    page.wait_for_selector("text=已处理")
    p.goto(f"{live_server.url}/wishes/c/{tree.communities[0].code}/")
    assert "已实现" in p.inner_text(".wish-wall") and "张秀英" not in p.content()
    p.screenshot(path=str(screenshot_dir / "wish_wall_390.png"), full_page=True)
    assert Wish.objects.get().status == "confirmed"
