"""The hand-computed set of docs/kpi.md's worked example (tests/assessment/test_formulas.py)."""

import pytest

from grassroots.cases.models import Rating
from tests.assessment.factories import S, put_case


@pytest.fixture
def hand(tree):
    """Grid A: 7 cases (one rejected, one merged); grid B: 2; community 1 itself: 1; grid C: 1.

    ==== ======== ========= ======= ======== ============ ======== ===========
    case status   responded replied deadline rating       overdue  unit
    ==== ======== ========= ======= ======== ============ ======== ===========
    a1   closed   2 h       30 h    48 h     满意          no       dept
    a2   closed   10 h      20 h    48 h     基本满意      no       dept
    a3   closed   30 h      100 h   48 h     不满意 (2nd)  yes      dept (reopened once)
    a4   in prog. 1 h       —       48 h     —            yes      —
    a5   reported —         —       2030     —            no       —
    a6   rejected                                                 (not counted)
    a7   merged                                                   (not counted)
    b1   verified 1 h       10 h    48 h     —            no       —
    b2   closed   5 h       12 h    48 h     满意          no       property
    c0   reported —         —       none     —            no       — (placed at community 1)
    c1   closed   1 h       5 h     48 h     满意          no       dept (grid C, community 2)
    ==== ======== ========= ======= ======== ============ ======== ===========
    """
    a, b, c = tree.grid("A"), tree.grid("B"), tree.grid("C")
    dept, prop = tree.units["dept"], tree.units["property"]
    far = 24 * 365 * 4
    return {
        "a1": put_case(a, status=S.CLOSED, responded=2, replied=30, rating=Rating.SATISFIED, unit=dept),
        "a2": put_case(a, status=S.CLOSED, responded=10, replied=20, rating=Rating.BASIC, unit=dept),
        "a3": put_case(a, status=S.CLOSED, responded=30, replied=100, rating=Rating.UNSATISFIED, overdue=True,
                       reopen=1, unit=dept),
        "a4": put_case(a, status=S.IN_PROGRESS, responded=1, overdue=True),
        "a5": put_case(a, deadline=far),
        "a6": put_case(a, status=S.REJECTED, responded=1),
        "a7": put_case(a, status=S.MERGED),
        "b1": put_case(b, status=S.VERIFIED, responded=1, replied=10),
        "b2": put_case(b, status=S.CLOSED, responded=5, replied=12, rating=Rating.SATISFIED, unit=prop),
        "c0": put_case(tree.communities[0], deadline=None),
        "c1": put_case(c, status=S.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED, unit=dept),
    }
