"""Points end to end, on a phone (390 px): a woodpecker files a quick report, the grid worker confirms
it, the points arrive, the woodpecker redeems a property-fee voucher and shows the code, the property
company verifies it at its counter, and both statements show it."""

import pytest

from grassroots.points.models import Redemption
from grassroots.woodpeckers.models import QuickReport
from tests.e2e.conftest import login
from tests.factories import build_tree, make_user
from tests.portal.conftest import photo_bytes
from tests.woodpeckers.conftest import IN_GRID_A

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, geolocation={"latitude": IN_GRID_A[0], "longitude": IN_GRID_A[1]},
                                  permissions=["geolocation"])
    yield context
    context.close()


def test_points_from_a_quick_report_to_a_verified_fee_voucher(live_server, transactional_db, phone_context, page,
                                                              screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    from grassroots.points.services import merchant_save, offer_save
    from grassroots.woodpeckers.services import woodpecker_apply, woodpecker_decide

    rider = make_user("rider")
    row = woodpecker_apply(user=rider, name="张骑手", community=tree.communities[0], group="rider",
                           duties=["patroller"], platform="美团外卖")
    woodpecker_decide(woodpecker=row, actor=tree.user("community_worker_1"), approve=True)
    make_user("wuye")
    merchant = merchant_save(community=tree.communities[0], actor=tree.user("community_worker_1"), name="阳光物业",
                             kind="property", address="1栋物业服务中心", handlers="wuye")
    offer_save(merchant=merchant, actor=merchant.handlers.get(), values={
        "kind": "fee_voucher", "title": "物业费抵扣券5元", "price": 5, "face_value": "5", "stock": 20, "per_person": 2,
        "valid_from": "2020-01-01", "valid_until": "2099-12-31", "code_days": 7,
        "description": "下次缴纳物业费时抵扣5元"})

    p = phone_context.new_page()
    login(p, live_server, "rider")
    p.goto(f"{live_server.url}/w/")
    p.wait_for_selector("#wp-loc.ok")
    p.locator("#wp-photo").set_input_files({"name": "IMG_3001.jpg", "mimeType": "image/jpeg",
                                            "buffer": photo_bytes(size=(800, 600), colour="#886644")})
    p.wait_for_selector("#wp-step2:not([hidden])")
    p.click(".wp-tile[data-category=fire]")
    p.wait_for_selector(".wp-item.state-sent", timeout=15000)
    report = QuickReport.objects.get()

    login(page, live_server, "grid_worker_A")
    page.goto(f"{live_server.url}/w/reports/")
    page.wait_for_selector(f'tr[data-report="{report.pk}"]')
    page.click("button[name=valid][value=yes]")
    page.wait_for_selector("text=已核实")

    p.goto(f"{live_server.url}/points/")
    assert p.inner_text(".points-big") == "5"
    assert "随手拍" in p.inner_text("#statement")
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "points_balance_390.png"), full_page=True)

    p.click("text=去兑换")
    p.wait_for_selector("text=物业费抵扣券5元")
    p.screenshot(path=str(screenshot_dir / "points_store_390.png"), full_page=True)
    p.click("li[data-offer] button.primary")
    p.wait_for_selector("#code-digits")
    code = Redemption.objects.get().code
    assert p.inner_text("#code-digits").replace(" ", "") == code
    assert p.locator("#redemption svg").count() == 1  # the QR code
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "points_code_390.png"), full_page=True)

    login(page, live_server, "wuye")
    page.goto(f"{live_server.url}/points/merchant/")
    page.fill("input[name=code]", code)
    page.click("form.verify button")
    page.wait_for_selector("text=核销成功")
    assert "已核销" in page.inner_text("#redemptions")
    page.screenshot(path=str(screenshot_dir / "points_merchant_verified.png"), full_page=True)

    p.goto(f"{live_server.url}/points/")
    statement = p.inner_text("#statement")
    assert "兑换：物业费抵扣券5元（阳光物业）" in statement and "余额 0" in statement
    p.screenshot(path=str(screenshot_dir / "points_statement_390.png"), full_page=True)
    assert Redemption.objects.get().status == "settled"
