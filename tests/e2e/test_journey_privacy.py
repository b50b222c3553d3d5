"""A resident on a phone (390 px) sees what the platform holds about them, downloads it, asks for a
correction and sees which staff member revealed their numbers; the community worker (desktop) approves the
correction and the resident sees it done (docs/privacy.md)."""

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from grassroots.cases.services import case_contact_reveal, case_receive
from grassroots.core import crypto
from grassroots.people.models import Person
from grassroots.people.services import person_reveal
from grassroots.portal.models import ResidentAccount
from tests.e2e.conftest import login
from tests.factories import build_tree, resident_user

pytestmark = pytest.mark.e2e
NEW_PHONE = "13955550123"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


def fits(p) -> None:
    """Nothing wider than the phone: the page does not scroll sideways."""
    assert p.evaluate("document.documentElement.scrollWidth") <= 390, p.url


def small_targets(p, within: str = ".portal") -> list[str]:
    """Links, buttons and fields of the page's own part that a finger can hardly hit: less than 40 px high
    (about WCAG's 44 px target). Links inside running text and the portal's tab bar are left out."""
    return p.evaluate("""within => [...document.querySelector(within).querySelectorAll('a, button, select, input, textarea')]
        .filter(e => e.offsetParent !== null && e.type !== 'hidden' && !e.closest('.portal-nav, .hint, .lead'))
        .filter(e => e.getBoundingClientRect().height < 40)
        .map(e => e.outerHTML.slice(0, 80))""", within)


def test_resident_sees_downloads_corrects_and_sees_reveals_worker_decides(live_server, transactional_db, phone,
                                                                          page, screenshot_dir):
    tree = build_tree()
    resident = tree.residents[0]
    user = resident_user(tree, 1)
    account = ResidentAccount(user=user, status=ResidentAccount.Status.VERIFIED, person=resident.person,
                              household=resident.household, verified_at=timezone.now(), district_code="420303")
    account.set_phone("13900000001")
    account.save()
    Person.objects.filter(pk=resident.person_id).update(name="王小明")
    person = Person.objects.get(pk=resident.person_id)
    person.set_phone("13812345678")
    person.save()
    case, _ = case_receive(title="楼道灯不亮", body="3栋2单元楼道灯坏了一周。", channel="resident_web",
                           area=tree.grid("A"), reporter=person, actor=user, contact_name="王小明",
                           contact_phone="13812345678", address="阳光小区3栋2单元501")
    worker = tree.user("community_worker_1")
    person_reveal(person=person, field="phone", actor=worker, area_code=resident.household.code)
    case_contact_reveal(case=case, actor=worker)

    p = phone
    login(p, live_server, "resident_1")
    p.goto(f"{live_server.url}/r/me/")
    p.locator("#my-privacy").screenshot(path=str(screenshot_dir / "privacy_me_section_390.png"))
    assert small_targets(p, "#my-privacy") == []  # the other sections of 我的 are not this page's
    p.click("#my-privacy a:has-text('我的数据')")
    p.wait_for_url(f"{live_server.url}/privacy/me/")
    text = p.inner_text("main")
    assert "王小明" in text and "138****5678" in text and "13812345678" not in text
    assert "楼道灯不亮" in text and case.code in text
    p.screenshot(path=str(screenshot_dir / "privacy_data_390.png"), full_page=True)
    fits(p)
    assert small_targets(p) == []

    with p.expect_download() as got:
        p.click("a:has-text('下载 Excel')")
    book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()), read_only=True)
    cells = " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "王小明" in cells and "138****5678" in cells and "13812345678" not in cells and case.code in cells
    with p.expect_download() as got:
        p.click("a:has-text('下载 JSON')")
    data = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert data["人员"]["手机号"] == "138****5678"

    p.click("main a:has-text('申请删除')")
    p.wait_for_url(f"{live_server.url}/privacy/me/deletion/")
    assert "依法保留的" in p.inner_text("main")
    p.screenshot(path=str(screenshot_dir / "privacy_deletion_390.png"), full_page=True)
    fits(p)
    assert small_targets(p) == []
    p.click("a:has-text('返回我的数据')")
    p.wait_for_url(f"{live_server.url}/privacy/me/")

    p.click("main a:has-text('申请更正')")
    p.wait_for_url(f"{live_server.url}/privacy/me/correction/")
    p.select_option("select[name=field]", "phone")
    p.fill("input[name=new_value]", NEW_PHONE)
    p.fill("textarea[name=reason]", "换了新号码")
    p.screenshot(path=str(screenshot_dir / "privacy_correction_390.png"), full_page=True)
    fits(p)
    assert small_targets(p) == []
    p.click("button:has-text('提交申请')")
    p.wait_for_url(f"{live_server.url}/privacy/me/")
    assert "更正申请已提交" in p.content()
    assert "待审核" in p.inner_text("#my-requests")
    p.screenshot(path=str(screenshot_dir / "privacy_requested_390.png"), full_page=True)
    fits(p)

    p.click("main a:has-text('谁查看了我的号码')")
    p.wait_for_url(f"{live_server.url}/privacy/me/reveals/")
    rows = p.inner_text("main")
    assert "community_worker_1" in rows and "社区工作者" in rows and "手机号" in rows and case.code in rows
    p.screenshot(path=str(screenshot_dir / "privacy_reveals_390.png"), full_page=True)
    fits(p)
    assert small_targets(p) == []

    login(page, live_server, "community_worker_1")
    page.goto(f"{live_server.url}/privacy/requests/")
    row = page.locator("tr:has-text('换了新号码')")
    assert "王小明" in row.inner_text() and "139****0123" in row.inner_text() and NEW_PHONE not in page.content()
    page.screenshot(path=str(screenshot_dir / "privacy_requests_staff.png"), full_page=True)
    row.locator("input[name=reason]").fill("已电话核实")
    row.locator("button:has-text('同意')").click()
    page.wait_for_url(f"{live_server.url}/privacy/requests/")
    assert "已处理" in page.content() and "已同意" in page.locator("tr:has-text('换了新号码')").inner_text()
    page.screenshot(path=str(screenshot_dir / "privacy_decided_staff.png"), full_page=True)
    person.refresh_from_db()
    assert crypto.decrypt(person.phone_enc) == NEW_PHONE

    p.goto(f"{live_server.url}/privacy/me/")
    assert "139****0123" in p.inner_text("main") and "已同意" in p.inner_text("#my-requests")
    assert "已电话核实" in p.inner_text("#my-requests")
    p.screenshot(path=str(screenshot_dir / "privacy_done_390.png"), full_page=True)
    fits(p)

    # the same pages in English: every heading, label and link translated (the data stays as it is)
    p.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for url, shot in (("/privacy/me/", "privacy_data_en_390.png"), ("/privacy/me/reveals/", "privacy_reveals_en_390.png")):
        p.goto(f"{live_server.url}{url}")
        p.screenshot(path=str(screenshot_dir / shot), full_page=True)
        fits(p)
        shown = ".portal h1, .portal h2, .portal dt, .portal a, .portal .lead, .portal .badge, #reveals li p:nth-child(2)"
        labels = p.evaluate("s => [...document.querySelectorAll(s)].map(e => e.innerText)", shown)
        assert labels and not [t for t in labels if re.search(r"[\u4e00-\u9fff]", t.replace(case.code, ""))], labels
    assert "My data" in p.title() or "Who saw my numbers" in p.title()

