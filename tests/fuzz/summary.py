"""The fuzz runs' figures, printed at the end of the pytest session (tests/fuzz/conftest.py).

A test records its figures as a user property of its report, so they reach the session's terminal
from an xdist worker too."""

from __future__ import annotations

KEY = "fuzz-figures"


def line(figures: dict) -> str:
    what = figures["what"]
    rest = ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                     for k, v in figures.items() if k != "what")
    return f"fuzz {what}: {rest}"
