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
from grassroots.cases.models import Case
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
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case
