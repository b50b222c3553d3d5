import pytest

from tests.fuzz import summary


@pytest.fixture
def figures(record_property):
    """figures(kind, requests=…, …) → summed into the session's "fuzzing:" line (tests/fuzz/summary.py)."""

    def record(kind: str, **numbers):
        record_property(summary.KEY, {"kind": kind, **numbers})

    return record
