"""The fuzz runs' figures, summed into one line printed at the end of the pytest session.

A fuzz test records its figures as a user property of its report (the ``figures`` fixture of
tests/fuzz/conftest.py); xdist forwards a worker's reports, with their user properties, to the main
process. The hooks that read them live in tests/conftest.py: the main process of an xdist run loads
that conftest but never this folder's (it collects nothing itself).
"""

from __future__ import annotations

KEY = "fuzz-figures"
# kinds of run: the API fuzzer (schemathesis), the Open311 and the resident-page fuzzers (hypothesis)
API, OPEN311, RESIDENT = "api", "open311", "resident"

_RUNS: list[dict] = []


def collect(report) -> None:
    """Read at teardown: its report holds every property the test recorded, in its fixtures' teardown too."""
    if report.when == "teardown":
        _RUNS.extend(value for key, value in report.user_properties if key == KEY)


def line(runs: list[dict]) -> str | None:
    """One line over every run, e.g. "fuzzing: 12345 generated requests over 160 API operations × 7
    roles, Open311 90, resident pages 62; 0 server errors"."""
    if not runs:
        return None
    total = {kind: sum(r["requests"] for r in runs if r["kind"] == kind) for kind in (API, OPEN311, RESIDENT)}
    parts = []
    api = [r for r in runs if r["kind"] == API]
    if api:
        parts.append(f"{total[API]} generated requests over {max(r['operations'] for r in api)} API operations × "
                     f"{max(r['roles'] for r in api)} roles")
    if any(r["kind"] == OPEN311 for r in runs):
        parts.append(f"Open311 {total[OPEN311]}")
    if any(r["kind"] == RESIDENT for r in runs):
        parts.append(f"resident pages {total[RESIDENT]}")
    text = f"fuzzing: {', '.join(parts)}; {sum(r.get('server_errors', 0) for r in runs)} server errors"
    failed = sum(r.get("failed_operations", 0) for r in api)
    if failed:
        text += f", {failed} API operations failed their schema checks"
    return text


def write(terminalreporter) -> None:
    text = line(_RUNS)
    if text:
        terminalreporter.write_line(text)
