"""Scoped reads of the woodpeckers app: one's own membership and reports, the reports a grid worker
judges, the roster a community keeps."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level, outlines_unread

from .models import QuickReport, Woodpecker


def woodpecker_of(user) -> Woodpecker | None:
    if user is None or not user.is_authenticated:
        return None
    return Woodpecker.objects.select_related("community").filter(user=user).first()


def is_grid_staff(user) -> bool:
    """Grid staff (and community workers) file patrol reports with the same app."""
    return bool(scope_for(user).codes(Capability.HANDLE_CASES))


def my_reports(user) -> QuerySet[QuickReport]:
    return QuickReport.objects.filter(reporter=user).select_related("case").order_by("-received_at")


def reports_to_judge(user) -> QuerySet[QuickReport]:
    """Woodpeckers' reports in the grids where the user handles cases (pending first)."""
    scope = scope_for(user)
    qs = (QuickReport.objects.exclude(status=QuickReport.Status.PATROL)
          .select_related("case", "woodpecker", "reporter", "decided_by"))
    if not user.is_authenticated:
        return qs.none()
    if scope.is_superuser:
        return qs
    if not scope.codes(Capability.HANDLE_CASES):
        return qs.none()
    return qs.filter(scope.area_q(Capability.HANDLE_CASES, "area_code"))


def roster_visible_to(user) -> QuerySet[Woodpecker]:
    """Woodpeckers of the communities under the user's areas (community, street, district staff)."""
    scope = scope_for(user)
    qs = outlines_unread(Woodpecker.objects.select_related("community", "user")).annotate(
        report_count=Count("reports"), valid_count=Count("reports", filter=Q(reports__status=QuickReport.Status.VALID)))
    if not user.is_authenticated:
        return qs.none()
    if scope.is_superuser:
        return qs
    if not scope.codes(Capability.VIEW_RESIDENTS):
        return qs.none()
    return qs.filter(scope.area_q(Capability.VIEW_RESIDENTS, "community__code"))


def may_see_roster(user) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.codes(Capability.DISPATCH_CASES) and scope.codes(Capability.VIEW_RESIDENTS))


def communities(district: Area) -> QuerySet[Area]:
    return Area.objects.under(district.code).filter(level=Level.COMMUNITY).select_related("parent").order_by("code")
