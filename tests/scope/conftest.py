"""Print how much of the site the scope matrix covered (summed over xdist workers)."""

from collections import Counter

_FIGURES: Counter = Counter()
_PATTERNS: dict[str, int] = {}
_NO_OBJECT: dict[str, set] = {}  # pattern → the users who were never thrown a real object of its kind
_SHALLOW: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == "scope_patterns":
            _PATTERNS[report.nodeid] = value
        elif name == "scope_no_object":
            for pattern in value:
                _NO_OBJECT.setdefault(pattern, set()).add(report.nodeid.rsplit("[", 1)[-1].rstrip("]"))
        elif name == "scope_shallow":
            _SHALLOW.update(value)
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
    if _NO_OBJECT:
        terminalreporter.write_line(
            f"scope matrix: {len(_NO_OBJECT)} id-addressed patterns were asked with no real object of another "
            "place (for the users in brackets):")
        for pattern, users in sorted(_NO_OBJECT.items()):
            terminalreporter.write_line(f"  {pattern}  [{', '.join(sorted(users))}]")
    from tests.scope.rules import BODY_CHECKED_FIRST

    for op, answer in sorted(_SHALLOW.items()):
        why = " (by design: rules.BODY_CHECKED_FIRST)" if op in BODY_CHECKED_FIRST else ""
        terminalreporter.write_line(f"scope matrix: write refused by its body, not its scope: {op} → "
                                    f"{answer.split()[0]}{why}")
