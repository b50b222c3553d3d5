import pytest

from tests.fuzz import summary

_RUNS: list[dict] = []


@pytest.fixture
def figures(record_property):
    """figures(what, requests=…, operations=…) → shown in the session's summary under "fuzzing"."""

    def record(what: str, **numbers):
        record_property(summary.KEY, {"what": what, **numbers})

    return record


def pytest_runtest_logreport(report):
    if report.when == "call":
        _RUNS.extend(value for key, value in report.user_properties if key == summary.KEY)


def pytest_terminal_summary(terminalreporter):
    """How many requests the fuzzers sent and over how many operations, shown without ``-s``."""
    if _RUNS:
        terminalreporter.section("fuzzing")
        for figures in _RUNS:
            terminalreporter.write_line(summary.line(figures))
