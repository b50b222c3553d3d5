"""The hand-computed set of docs/kpi.md's worked example (see factories.build_hand)."""

import pytest

from tests.assessment.factories import build_hand


@pytest.fixture
def hand(tree):
    return build_hand(tree)
