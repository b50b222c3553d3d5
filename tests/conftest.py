import os

import pytest

os.environ.setdefault("GRASSROOTS_DATA_KEY", "test-data-key-0123456789abcdef0123456789")


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default="", metavar="ISO-MOMENT",
        help="run with this process's clock moved to this moment and ticking on (e.g. 2026-12-13T16:10:00+00:00, "
             "00:10 on a Monday in China): a test or a demo step that depends on the hour, the weekday, the "
             "month or the year shows up before CI runs into it. Python's clock only: not PostgreSQL's now(), "
             "a browser's or a server started in another process.")


def pytest_configure(config):
    moment = config.getoption("--clock", default="")
    if moment:
        from datetime import datetime

        import time_machine

        try:
            when = datetime.fromisoformat(moment)
        except ValueError:
            raise pytest.UsageError(f"--clock {moment!r}: give a moment like 2026-12-13T16:10:00+00:00") from None
        if when.tzinfo is None:
            raise pytest.UsageError(f"--clock {moment!r}: give the offset too (+00:00, +08:00)")
        config._grassroots_clock = time_machine.travel(when, tick=True)
        config._grassroots_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_grassroots_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    moment = config.getoption("--clock", default="")
    return [f"clock moved to {moment} (Python only)"] if moment else []


def pytest_runtest_setup(item):
    """A test marked ``postgresql`` (several connections or processes on one server, row locks) runs on
    PostgreSQL only. ./dev test's SQLite stage deselects them (-m "not postgresql") and its PostgreSQL stage
    runs them; run alone on SQLite they are skipped, and under CI that is an error: none may go unrun."""
    if item.get_closest_marker("postgresql") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        why = f"needs PostgreSQL (DATABASE_URL=postgres://…), not {connection.vendor}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}: under CI the SQLite stage must deselect it with -m 'not postgresql'")
        pytest.skip(why)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """build_tree() creates a dozen users; PBKDF2 would spend about 2 s per test on their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _after_commit_in_the_request(settings):
    """Tests of what follows a new case (notifications, duplicates, routing) see it done when
    ``case_receive`` returns, as with ``GRASSROOTS_AFTER_COMMIT=request``; the worker's way — the same
    steps a moment later, exactly once — is tested in tests/core/test_deferred.py and
    tests/cases/test_after_receive.py, which set it back to "worker"."""
    settings.GRASSROOTS_AFTER_COMMIT = "request"


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the site's language: a request of an earlier test (a page in English) leaves
    its language active in this thread, and labels read outside a request would follow it."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Each test starts without in-memory copies of small tables (they may hold an earlier test's
    rolled-back rows)."""
    from grassroots.core.memo import forget

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _holiday_calendar_entered_ahead(request):
    """The holiday calendar as a site keeps it. chinese_calendar knows the years up to its release (2026
    for 1.11.0); each winter an administrator enters the coming year on /worktime/ until the package
    catches up, and until then a deadline that reaches into that year is left empty (worktime/calendar.py).
    So that a test computing a deadline from today does not fail from mid-December on, this year and
    the next, where the package does not know them, are marked complete (weekdays work) in the test
    database. Tests of the calendar itself, where such a year is still missing, opt out with
    ``@pytest.mark.calendar_as_shipped``."""
    if request.node.get_closest_marker("calendar_as_shipped"):
        return
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
            request.fixturenames):
        return
    from django.utils import timezone

    from grassroots.worktime.calendar import library_covers

    year = timezone.localdate().year
    missing = [y for y in (year, year + 1) if not library_covers(y)]
    if not missing:
        return
    request.getfixturevalue("db")  # the test's own database (transactional when it asks for that)
    from grassroots.worktime.models import CalendarYear

    for year in missing:
        CalendarYear.objects.get_or_create(year=year, defaults={"complete": True, "note": "测试库：按周一至周五上班"})


@pytest.fixture
def tree(db):
    from tests.factories import build_tree

    return build_tree()


@pytest.fixture
def world(tree):
    """The tree plus Party orgs, members, staff, volunteers and units (tests/people/world.py)."""
    from tests.people.world import populate

    return populate(tree)


@pytest.fixture
def client_as(client):
    """client_as(user) → a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def new_case(tree):
    """new_case(grid="A", **overrides) → a fresh reported case placed in that grid."""
    from grassroots.cases.models import Channel
    from grassroots.cases.services import case_create

    def make(grid: str = "A", **kwargs):
        values = {"title": "楼道灯不亮", "body": "3栋2单元楼道灯坏了一周，晚上看不清。",
                  "channel": Channel.RESIDENT_WEB, "area": tree.grid(grid)}
        values.update(kwargs)
        return case_create(**values)

    return make


# --- the summaries printed at the end of the session ------------------------------------------------
# The fuzzers (tests/fuzz) and the scope matrix (tests/scope) record their figures as user properties
# of their reports; these hooks sum them and print a line each. They live here, not in those folders'
# conftests: under xdist the main process collects nothing, so it loads this conftest (the testpaths')
# but no folder's below it, and it is the main process that receives every worker's reports.

def pytest_runtest_logreport(report):
    from tests.fuzz import summary as fuzz
    from tests.scope import summary as scope

    fuzz.collect(report)
    scope.collect(report)


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput"):  # an xdist worker: its reports reach the main process, which prints
        return
    from tests.fuzz import summary as fuzz
    from tests.scope import summary as scope

    fuzz.write(terminalreporter)
    scope.write(terminalreporter)
