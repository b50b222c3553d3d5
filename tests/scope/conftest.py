"""Print how much of the site the scope matrix covered (summed over xdist workers)."""

from collections import Counter

_FIGURES: Counter = Counter()
_PATTERNS: dict[str, int] = {}


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == "scope_patterns":
            _PATTERNS[report.nodeid] = value
        elif name == "scope_total_patterns":
            _FIGURES[name] = max(_FIGURES[name], value)
        elif name.startswith("scope_"):
            _FIGURES[name] += value


def pytest_terminal_summary(terminalreporter):
    if not _PATTERNS:
        return
    terminalreporter.write_line(
        f"scope matrix: {len(_PATTERNS)} users, up to {max(_PATTERNS.values())} URL patterns/operations per user, "
        f"{_FIGURES['scope_requests']} requests ({_FIGURES['scope_writes']} writes), "
        f"{_FIGURES['scope_total_patterns']} patterns and operations enumerated")
