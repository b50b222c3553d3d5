"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside one.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(autouse=True)
def _seeded_tables(transactional_db):
    """Browser tests run against live_server, so each ends with a flush that also empties what the
    migrations seeded. Put it back the way the migrations do (idempotently), so every browser test
    sees a real installation — the taxonomy, the tier rules, the time limits — whatever ran before."""
    import importlib

    from django.apps import apps

    from grassroots.cases.models import Category, TierRule
    from grassroots.cases.taxonomy import load_taxonomy, load_tier_rules

    load_taxonomy(Category)
    load_tier_rules(Category, TierRule)
    importlib.import_module("grassroots.worktime.migrations.0002_seed_time_limits").seed(apps, None)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./dev test does)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import Page, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def watched_context(*args, **kwargs):
            """Every page of every context reports what the content security policy refused."""
            context = new_context(*args, **kwargs)
            context.on("console", lambda msg: CSP_REFUSALS.append(f"{msg.location.get('url', '')}: {msg.text}")
                       if msg.type == "error" and "Content Security Policy" in msg.text else None)
            return context

        browser.new_context = watched_context
        if not hasattr(Page.wait_for_function, "function_only"):
            Page.wait_for_function = _function_only(Page.wait_for_function)
        yield browser
        browser.close()


CSP_REFUSALS: list[str] = []


def _function_only(wait_for_function):
    """Playwright evaluates a bare expression ("a && b") with eval() on every poll, and the pages'
    policy forbids eval outside the first, synchronous evaluation: such a wait passes when the
    condition already holds and fails with an EvalError when it has to poll, which made CI flaky.
    A function ("() => a && b") is evaluated once and then called, so every wait must be one."""
    def checked(self, expression, *args, **kwargs):
        assert expression.lstrip().startswith(("(", "function", "async")), \
            f"wait_for_function needs a function under the CSP, e.g. '() => {expression}'"
        return wait_for_function(self, expression, *args, **kwargs)
    checked.function_only = True
    return checked


@pytest.fixture(autouse=True)
def _no_csp_refusals():
    """The pages satisfy the content security policy (settings.CONTENT_SECURITY_POLICY): no inline
    script, no inline handler, nothing from elsewhere. Chromium logs each refusal to the console."""
    CSP_REFUSALS.clear()
    yield
    assert not CSP_REFUSALS, "\n".join(CSP_REFUSALS)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def menu(page, group: str, item: str) -> None:
    """Open a group of the top bar's menu and click one of its pages."""
    page.click(f'nav.mainnav summary:text-is("{group}")')
    page.click(f'nav.mainnav .navmenu a:text-is("{item}")')


def login(page, live_server, username: str) -> None:
    """Log in through the login page (every demo and test user has the same password)."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
