"""What the scope matrix covered, summed over its users (and xdist's workers), printed at the end of the
pytest session, e.g. "scope matrix: 380 URL patterns (250 routes + 130 API operations) × 7 users, 24000
requests, 0 leaks".

tests/scope/test_every_url.py records its tallies as user properties of its report; xdist forwards a
worker's reports, with their user properties, to the main process. The hooks that read them live in
tests/conftest.py: the main process of an xdist run loads that conftest but never this folder's.
"""

from __future__ import annotations

from collections import Counter

_FIGURES: Counter = Counter()
_USERS: set[str] = set()
_ROUTES: set[str] = set()  # Django routes requested by at least one user
_OPERATIONS: set[str] = set()  # API operations requested by at least one user
_SKIPPED: set[str] = set()
_NO_OBJECT: dict[str, set] = {}  # pattern → the users who were never thrown a real object of its kind
_SHALLOW: dict[str, str] = {}


def collect(report) -> None:
    """Read at teardown: its report holds every property the test recorded."""
    if report.when != "teardown":
        return
    user = report.nodeid.rsplit("[", 1)[-1].rstrip("]")
    for name, value in report.user_properties:
        if not name.startswith("scope_"):
            continue
        _USERS.add(user)
        if name == "scope_routes":
            _ROUTES.update(value)
        elif name == "scope_operations":
            _OPERATIONS.update(value)
        elif name == "scope_skipped":
            _SKIPPED.update(value)
        elif name == "scope_no_object":
            for pattern in value:
                _NO_OBJECT.setdefault(pattern, set()).add(user)
        elif name == "scope_shallow":
            _SHALLOW.update(value)
        elif name == "scope_total_patterns":
            _FIGURES[name] = max(_FIGURES[name], value)
        else:
            _FIGURES[name] += value


def write(terminalreporter) -> None:
    if not _USERS:
        return
    write_line = terminalreporter.write_line
    write_line(f"scope matrix: {len(_ROUTES) + len(_OPERATIONS)} URL patterns ({len(_ROUTES)} routes + "
               f"{len(_OPERATIONS)} API operations) × {len(_USERS)} users, {_FIGURES['scope_requests']} requests "
               f"({_FIGURES['scope_writes']} writes), {_FIGURES['scope_leaks']} leaks; of "
               f"{_FIGURES['scope_total_patterns']} patterns enumerated, {len(_SKIPPED)} skipped with a reason "
               "(rules.Skip)")
    if _NO_OBJECT:
        write_line(f"scope matrix: {len(_NO_OBJECT)} id-addressed patterns were asked with no real object of "
                   "another place (for the users in brackets):")
        for pattern, users in sorted(_NO_OBJECT.items()):
            write_line(f"  {pattern}  [{', '.join(sorted(users))}]")
    from tests.scope.rules import BODY_CHECKED_FIRST

    for op, answer in sorted(_SHALLOW.items()):
        why = " (by design: rules.BODY_CHECKED_FIRST)" if op in BODY_CHECKED_FIRST else ""
        write_line(f"scope matrix: write refused by its body, not its scope: {op} → {answer.split()[0]}{why}")
