"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server."""

import os
import threading
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside one.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(config, items):
    """A browser test that hangs is stopped by pytest-timeout's thread method: it ends the test process,
    which pytest-xdist reports as a failed test ("crashed while running …") and replaces. The signal
    method that the other tests use raises inside whatever Python code the main thread runs — here
    Playwright's event loop: tried with a promise that never settles, it stopped the wait, but a second
    such test, whose page kept the loop busy, failed its teardown too, and asyncio logs and drops an
    exception raised inside one of its callbacks. Under xdist the thread method's stacks are not shown;
    the name of the test is."""
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(method="thread"))


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


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time():
    """The live server answers in a thread per connection, and on SQLite every one of those threads
    uses the test's one in-memory connection (there is no other copy of the data). They share its one
    transaction state too, so two requests at the same moment can interleave inside each other's
    transaction, and one's rollback can take the other's writes with it. Pages fetch several things at
    once (the woodpecker's service worker caches its app shell in parallel). 90 parallel reads did not
    break here, but nothing needs the parallelism: the server takes one request at a time, its response
    read to the end included. Connections still get a thread each, so a browser keeping one open blocks
    nobody."""
    from django.test import testcases

    lock = threading.Lock()

    class OneAtATime(testcases.ThreadedWSGIServer):
        def set_app(self, application):
            def serialised(environ, start_response):
                # a generator: the lock is held until the server has sent the response and closed it
                # (a streamed export reads the database while it is sent)
                with lock:
                    result = application(environ, start_response)
                    try:
                        yield from result
                    finally:
                        if hasattr(result, "close"):
                            result.close()
            super().set_app(serialised)

    saved = testcases.LiveServerThread.server_class
    testcases.LiveServerThread.server_class = OneAtATime
    yield
    testcases.LiveServerThread.server_class = saved


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
