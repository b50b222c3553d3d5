"""The content security policy holds on every kind of page: scripts only from the site's files, no
inline script or handler, nothing from elsewhere. Chromium reports each refusal to the console, and
the e2e conftest fails any browser test that saw one; this test walks a page of each app as a
district administrator and as a resident, and tries the behaviours that used to be inline script
(the language switch, a select that submits its form, the menus)."""

import pytest

from grassroots.accounts.models import Role
from tests.factories import PASSWORD, build_tree, make_user

pytestmark = pytest.mark.e2e

EXTRA_STAFF_PAGES = ["/", "/notifications/", "/admin/", "/admin/cases/case/", "/api/docs"]
RESIDENT_PAGES = ["/r/new/", "/r/me/", "/v/", "/wishes/", "/d/", "/points/me/", "/w/"]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_every_kind_of_page_satisfies_the_policy(live_server, transactional_db, page):
    tree = build_tree()
    make_user("district_boss", Role.DISTRICT_ADMIN, area=tree.district, is_staff=True, is_superuser=True)
    base = live_server.url
    login(page, base, "district_boss")
    menu_pages = page.eval_on_selector_all("nav.mainnav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(menu_pages) >= 25  # every page of the menu, one or more per app
    for path in EXTRA_STAFF_PAGES + menu_pages:
        response = page.goto(base + path)
        assert response.status < 500, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
        page.wait_for_load_state("networkidle")

    # The menu opens and closes without inline script.
    page.goto(base + "/")
    page.click("nav.mainnav summary:text-is('考核排名')")
    assert page.locator("details.navgroup[open]").count() == 1
    page.click("main.content")
    assert page.locator("details.navgroup[open]").count() == 0

    # The language switch submits its form from site.js.
    # (wait for the form's navigation itself: "networkidle" can hold before the submit has started)
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_resident_pages_satisfy_the_policy(live_server, transactional_db, browser):
    tree = build_tree()
    make_user("resident_csp", Role.RESIDENT, area=tree.households[0])
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, "resident_csp")
    for path in RESIDENT_PAGES:
        response = page.goto(live_server.url + path)
        assert response.status < 500, path
        page.wait_for_load_state("networkidle")
    context.close()
