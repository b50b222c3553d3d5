"""A delivery rider in a basement (390 px, no signal) takes a photo and taps one category: the report
waits in the phone as 待发送 — the app even reloads with no signal — and is sent once the signal is
back; a resend of the same report finds the same case; the grid worker marks it valid."""

import json

import pytest

from grassroots.cases.models import Case
from grassroots.woodpeckers.models import QuickReport
from tests.e2e.conftest import login
from tests.factories import build_tree
from tests.portal.conftest import photo_bytes
from tests.woodpeckers.conftest import IN_GRID_A

pytestmark = pytest.mark.e2e


def within(p, promise: str, what: str, seconds: int = 20) -> None:
    """Wait for a promise in the page, failing with `what` after `seconds`: Playwright's evaluate
    waits for a promise without a limit, so one that never settles would hang the whole run."""
    p.evaluate(f"""() => Promise.race([({promise}).then(() => true), new Promise((_, reject) =>
        setTimeout(() => reject(new Error({json.dumps(f'{what} within {seconds} s')})), {seconds * 1000}))])""")


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, geolocation={"latitude": IN_GRID_A[0], "longitude": IN_GRID_A[1]},
                                  permissions=["geolocation"])
    yield context
    context.close()


def test_woodpecker_reports_with_no_signal_and_it_is_sent_once_when_back(live_server, transactional_db, phone_context,
                                                                        page, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    from grassroots.woodpeckers.services import woodpecker_apply, woodpecker_decide
    from tests.factories import make_user

    rider = make_user("rider")
    row = woodpecker_apply(user=rider, name="张骑手", community=tree.communities[0], group="rider",
                           duties=["patroller"], platform="美团外卖")
    woodpecker_decide(woodpecker=row, actor=tree.user("community_worker_1"), approve=True)

    p = phone_context.new_page()
    login(p, live_server, "rider")
    p.goto(f"{live_server.url}/w/")
    within(p, "navigator.serviceWorker.ready", "the service worker did not install")
    p.wait_for_selector("#wp-loc.ok")  # the phone's location is known
    p.reload()  # now the service worker controls the page and has the app shell cached
    p.wait_for_selector("#wp-loc.ok")

    phone_context.set_offline(True)
    p.wait_for_selector("#wp-net.offline")
    p.locator("#wp-photo").set_input_files({"name": "IMG_2001.jpg", "mimeType": "image/jpeg",
                                            "buffer": photo_bytes(size=(800, 600), colour="#556677")})
    p.wait_for_selector("#wp-step2:not([hidden])")
    p.click(".wp-tile[data-category=fire]")  # the one tap after the photo
    p.wait_for_selector(".wp-item.state-waiting")
    assert "待发送" in p.inner_text("#wp-outbox") and Case.objects.count() == 0
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(screenshot_dir / "woodpecker_offline_queued_390.png"), full_page=True)

    p.reload()  # no signal: the app opens from the phone, the report is still waiting
    p.wait_for_selector(".wp-item.state-waiting")
    assert Case.objects.count() == 0

    phone_context.set_offline(False)
    p.wait_for_selector(".wp-item.state-sent", timeout=15000)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.channel == "woodpecker" and case.category.name == "消防安全" and case.area == tree.grid("A")
    p.screenshot(path=str(screenshot_dir / "woodpecker_sent_390.png"), full_page=True)

    # The answer was lost (say): the phone sends the same report again — the same case comes back.
    within(p, """new Promise((resolve, reject) => {
        const open = indexedDB.open("grassroots-woodpecker", 1);
        open.onerror = open.onblocked = () => reject(new Error("the phone's store did not open"));
        open.onsuccess = () => {
            const t = open.result.transaction("reports", "readwrite"), s = t.objectStore("reports");
            s.getAll().onsuccess = (e) => { e.target.result.forEach((r) => { r.state = "waiting";
                r.photo = new Blob(["x"], {type: "image/jpeg"}); s.put(r); }); };
            t.oncomplete = () => resolve(true);
            t.onabort = () => reject(new Error("the phone's store refused the change"));
        };
    })""", "the report was not put back as waiting")
    p.evaluate("window.dispatchEvent(new Event('online'))")
    p.wait_for_selector(".wp-item.state-sent >> text=此前已收到", timeout=15000)
    assert Case.objects.count() == 1 and QuickReport.objects.count() == 1

    login(page, live_server, "grid_worker_A")
    page.goto(f"{live_server.url}/w/reports/")
    page.wait_for_selector(f'tr[data-report="{QuickReport.objects.get().pk}"]')
    page.screenshot(path=str(screenshot_dir / "woodpecker_reports_staff.png"), full_page=True)
    page.click("button[name=valid][value=yes]")
    page.wait_for_selector("text=已核实")
    assert QuickReport.objects.get().status == "valid"
