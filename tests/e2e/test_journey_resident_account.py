"""A resident on a phone (390 px) signs up with a text-message code, asks to be tied to a household
the register does not know them in, and the grid worker confirms it from their inbox."""

import re

import pytest

from grassroots.core import crypto
from grassroots.notifications.models import OutboxMessage
from tests.e2e.conftest import login
from tests.factories import build_tree

pytestmark = pytest.mark.e2e
PHONE = "13955550001"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def code_for(phone_number: str) -> str:
    message = OutboxMessage.objects.filter(address_index=crypto.blind_index(phone_number)).order_by("-pk").first()
    return re.search(r"验证码是 (\d{6})", message.text).group(1)


def test_resident_signs_up_claims_a_household_and_the_grid_worker_confirms(live_server, transactional_db, phone,
                                                                           page, screenshot_dir):
    tree = build_tree()
    p = phone
    p.goto(f"{live_server.url}/r/login/")
    p.fill("input[name=phone]", PHONE)
    p.click("#send-code")
    p.wait_for_selector("#code-step:not([hidden])")
    assert p.locator("#send-code").is_disabled()  # the countdown: no second code for a minute
    p.screenshot(path=str(screenshot_dir / "account_signin_390.png"), full_page=True)
    p.fill("input[name=code]", code_for(PHONE))
    p.click("button[value=verify]")
    p.wait_for_url(f"{live_server.url}/r/me/")
    assert "139****0001" in p.content() and p.locator(".badge-unverified").count() == 1
    assert p.evaluate("document.documentElement.scrollWidth") <= 390

    p.click("text=核验身份，绑定住户")
    p.fill("input[name=name]", "李新")
    p.fill("input[name=id_number]", crypto.id_number_with_check("42030319920305001"))
    p.click("#household-pick summary")
    p.fill("#building-q", "网格1 2栋")
    p.click("#building-results input[name=building]:not([value=''])")
    p.click("#household-results input[name=household_pick] >> nth=1")
    p.screenshot(path=str(screenshot_dir / "account_verify_390.png"), full_page=True)
    p.click("button:has-text('提交核验')")
    p.wait_for_url(f"{live_server.url}/r/me/")
    assert "正在等待网格员确认" in p.content()
    p.screenshot(path=str(screenshot_dir / "account_pending_390.png"), full_page=True)

    login(page, live_server, "grid_worker_A")
    page.goto(f"{live_server.url}/notifications/")
    page.click("text=居民认领住户待确认")
    page.wait_for_selector("#decide-form")
    assert "李新" in page.content() and "2栋201室" in page.content()
    page.screenshot(path=str(screenshot_dir / "account_claim_staff.png"), full_page=True)
    page.click("button[value=confirm]")
    page.wait_for_url(f"{live_server.url}/r/claims/")

    p.reload()
    assert "已绑定住户" in p.content() and "2栋201室" in p.content() and "住户认领已确认" in p.content()
    p.screenshot(path=str(screenshot_dir / "account_verified_390.png"), full_page=True)
    assert tree.households[3].residents.filter(person__name="李新").exists()
