"""Who sees which monthly reports. A report is about a whole street or district, so it is shown to
those who see every case there: ``VIEW_CASES`` at the area or above it (a street's administrator and
leaders their street; the district's administrators and leaders the district and all its streets).
Community and grid staff, units' handlers and residents see none (pages and API: 404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level, outlines_unread

from .models import MonthlyReport

REPORT_LEVELS = (Level.DISTRICT, Level.STREET)
STREET_LEN = CODE_LENGTHS[Level.STREET]


def may_view_area(user, area: Area) -> bool:
    return area.level in REPORT_LEVELS and scope_for(user).can_at(Capability.VIEW_CASES, area.code)


def _roots(user) -> list[str]:
    """The user's VIEW_CASES roots at street level or above."""
    return [c for c in scope_for(user).codes(Capability.VIEW_CASES) if len(c) <= STREET_LEN]


def report_areas(user) -> list[Area]:
    """The districts and streets whose reports the user may read and ask for, in code order."""
    scope = scope_for(user)
    areas = Area.objects.filter(level__in=REPORT_LEVELS)
    if not scope.is_superuser:
        q = Q(pk__in=[])
        for root in _roots(user):
            q |= Q(code__startswith=root)
        areas = areas.filter(q)
    return list(areas.order_by("code"))


def can_view_reports(user) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or bool(_roots(user))


def report_area_get(user, code: str) -> Area:
    """A street or district the user may see, else Area.DoesNotExist (404)."""
    area = Area.objects.filter(code=(code or "").strip()[:30], level__in=REPORT_LEVELS).first()
    if area is None or not may_view_area(user, area):
        raise Area.DoesNotExist(code)
    return area


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    scope = scope_for(user)
    rows = outlines_unread(MonthlyReport.objects.select_related("area", "requested_by"))
    if scope.is_superuser:
        return rows.all()
    q = Q(pk__in=[])
    for root in _roots(user):
        q |= Q(area__code__startswith=root)
    return rows.filter(q)


def report_get_for(user, pk: int) -> MonthlyReport:
    """One report the user may see, or MonthlyReport.DoesNotExist (404)."""
    return reports_visible_to(user).get(pk=min(int(pk), 2**63 - 1))
