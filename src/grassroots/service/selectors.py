"""Scoped reads of 双报到: one's own registration and records; a community's registrations, posts,
records to verify and co-building units; the quarterly feedback jobs."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.orgs.models import PartyLevel, PartyOrg, Unit

from .models import Decision, FeedbackJob, MemberRegistration, Post, ServiceRecord, UnitRegistration


def registration_of(user) -> MemberRegistration | None:
    """The member's current registration (applied or approved), else their latest."""
    if user is None or not user.is_authenticated:
        return None
    rows = MemberRegistration.objects.filter(user=user).select_related("community", "branch", "member__employer")
    return rows.filter(status__in=[Decision.APPLIED, Decision.APPROVED]).first() or rows.order_by("-submitted_at").first()


def held_posts(registration: MemberRegistration) -> list[Post]:
    return [a.post for a in registration.assignments.filter(until__isnull=True).select_related("post")]


def hours_of(registration: MemberRegistration) -> dict:
    agg = registration.records.aggregate(
        verified=Sum("hours", filter=Q(status=ServiceRecord.Status.VERIFIED)),
        waiting=Sum("hours", filter=Q(status=ServiceRecord.Status.SUBMITTED)), count=Count("pk"))
    return {"verified": agg["verified"] or 0, "waiting": agg["waiting"] or 0, "count": agg["count"]}


def communities_managed_by(user) -> QuerySet[Area]:
    """Communities under the areas where the user dispatches cases and sees the Party structure."""
    scope = scope_for(user)
    qs = Area.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("code")
    if scope.is_superuser:
        return qs
    if not (scope.codes(Capability.DISPATCH_CASES) and scope.codes(Capability.VIEW_PARTY)):
        return qs.none()
    return qs.filter(scope.area_q(Capability.DISPATCH_CASES)).filter(scope.area_q(Capability.VIEW_PARTY))


def may_manage_any(user) -> bool:
    return communities_managed_by(user).exists()


def _in_managed(user, qs: QuerySet, field: str) -> QuerySet:
    scope = scope_for(user)
    if scope.is_superuser:
        return qs
    if not (scope.codes(Capability.DISPATCH_CASES) and scope.codes(Capability.VIEW_PARTY)):
        return qs.none()
    return qs.filter(scope.area_q(Capability.DISPATCH_CASES, field)).filter(scope.area_q(Capability.VIEW_PARTY, field))


def member_registrations_managed(user) -> QuerySet[MemberRegistration]:
    qs = outlines_unread(MemberRegistration.objects.select_related(
        "member__person", "member__employer", "community", "branch")).annotate(
        verified_hours=Sum("records__hours", filter=Q(records__status=ServiceRecord.Status.VERIFIED)))
    return _in_managed(user, qs, "community__code")


def unit_registrations_managed(user) -> QuerySet[UnitRegistration]:
    return _in_managed(user, UnitRegistration.objects.select_related("unit", "community"), "community__code")


def unit_registrations_of_units(user) -> QuerySet[UnitRegistration]:
    """The registrations of the units the user works for (a unit's own staff)."""
    ids = [u for u in scope_for(user).unit_ids.get(Capability.VIEW_UNITS, ())]
    return UnitRegistration.objects.filter(unit_id__in=ids).select_related("unit", "community")


def units_of(user) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=list(scope_for(user).unit_ids.get(Capability.VIEW_UNITS, ())))


def records_managed(user) -> QuerySet[ServiceRecord]:
    qs = outlines_unread(ServiceRecord.objects.select_related("registration__member__person", "registration__community",
                                                               "post"))
    return _in_managed(user, qs, "registration__community__code")


def posts_of(community: Area, *, active_only: bool = True) -> QuerySet[Post]:
    qs = Post.objects.filter(community=community)
    return qs.filter(active=True) if active_only else qs


def branches_of(community: Area) -> QuerySet[PartyOrg]:
    return PartyOrg.objects.filter(area__code__startswith=community.code, level__in=[
        PartyLevel.GRID_BRANCH, PartyLevel.COMMUNITY_COMMITTEE]).select_related("area").order_by("area__code", "level")


def co_building_units(community: Area) -> QuerySet[UnitRegistration]:
    return UnitRegistration.objects.filter(community=community, status=Decision.APPROVED).select_related("unit")


def feedback_jobs_managed(user) -> QuerySet[FeedbackJob]:
    return _in_managed(user, outlines_unread(FeedbackJob.objects.select_related("community", "requested_by")), "community__code")
