"""Test data for the KPIs: cases received through the intake service (``case_create``), then given
the fields the case engine sets along the lifecycle, written directly so that every time is exact:
``created_at``, ``status``, ``responded_at``, ``replied_at``, ``closed_at``, ``rating``, ``rated_at``,
``overdue``, ``deadline``, ``first_deadline``, ``reopen_count`` and ``assigned_unit``.
(tests/assessment/test_lifecycle.py runs real service calls end to end instead.)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from grassroots.areas.models import Area
from grassroots.assessment.periods import TZ, Period
from grassroots.cases import hooks
from grassroots.cases.models import Case, Rating
from grassroots.cases.services import case_create
from grassroots.orgs.models import Unit

S = Case.Status
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


def put_case(area: Area, *, at: datetime = T0, status: str = S.REPORTED, responded: float | None = None,
             replied: float | None = None, deadline: float | None = 48, rating: str = "",
             overdue: bool = False, reopen: int = 0, unit: Unit | None = None, title: str = "楼道灯不亮") -> Case:
    """A case placed at ``area``, received at ``at``; the other times are hours after ``at``."""
    case = case_create(title=title, body=f"{title}，请尽快处理。", channel="resident_web", area=area)

    def later(hours):
        return None if hours is None else at + timedelta(hours=hours)

    closed = later((replied or 0) + 24) if status == S.CLOSED else None
    fields = {
        "created_at": at, "status": status, "responded_at": later(responded), "replied_at": later(replied),
        "closed_at": closed, "rating": rating, "rated_at": closed if rating else None, "overdue": overdue,
        "deadline": later(deadline), "first_deadline": later(deadline), "reopen_count": reopen,
        "assigned_unit": unit,
    }
    before = hooks.snapshot(case)
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    if before is not None:  # as the engine's own writes do: the daily rollups follow the row
        hooks.run_case_written(before, case)
    return case


def build_hand(tree):
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


def build_spread(tree, *, per_grid: int = 8, start: datetime = T0, seed: int = 7) -> list[Case]:
    """A livelier, deterministic set for screenshots: ``per_grid`` cases in every grid, with outcomes
    drawn so that the grids differ."""
    import random

    rng = random.Random(seed)
    units = list(tree.units.values())
    cases = []
    for g, grid in enumerate(tree.grids):
        skill = 0.55 + 0.05 * ((g * 3) % 8)  # how well this grid's cases go
        for i in range(per_grid):
            at = start + timedelta(days=i % 20, hours=g)
            good = rng.random() < skill
            if rng.random() < 0.12:
                cases.append(put_case(grid, at=at, status=S.IN_PROGRESS, responded=rng.choice([1, 30]),
                                      overdue=not good))
                continue
            rating = (rng.choice([Rating.SATISFIED, Rating.SATISFIED, Rating.BASIC]) if good
                      else rng.choice([Rating.BASIC, Rating.UNSATISFIED]))
            cases.append(put_case(grid, at=at, status=S.CLOSED, responded=rng.choice([1, 3, 8] if good else [10, 30]),
                                  replied=rng.choice([6, 20, 40] if good else [40, 60, 90]), rating=rating,
                                  overdue=not good and rng.random() < 0.6, reopen=0 if good else rng.choice([0, 1]),
                                  unit=rng.choice(units)))
    return cases
