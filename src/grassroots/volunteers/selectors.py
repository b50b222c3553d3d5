"""Scoped reads of the volunteers app: what a resident may join and sign up for, their own history,
what an organiser or the community manages."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, outlines_unread
from grassroots.people.models import Volunteer

from .models import Activity, Signup, Team
from .services import TAKING, confirmed_hours_q, may_organise


def volunteer_of(user) -> Volunteer | None:
    person = getattr(user, "person", None) if user.is_authenticated else None
    return Volunteer.objects.select_related("area").filter(person=person).first() if person else None


def activities_for(user, district: Area) -> QuerySet[Activity]:
    """Open activities of the district that have not ended, soonest first (any resident may look)."""
    rows = (Activity.objects.filter(community__code__startswith=district.code, status=Activity.Status.OPEN,
                                    ends_at__gt=timezone.now())
            .select_related("community", "team"))
    return outlines_unread(rows).annotate(taken=Count("signups", filter=Q(signups__status__in=TAKING))).order_by("starts_at")


def activity_visible(user, pk: int) -> Activity | None:
    return outlines_unread(Activity.objects.select_related("community", "team", "organiser")).filter(pk=pk).first()


def my_signups(user) -> QuerySet[Signup]:
    return Signup.objects.filter(user=user).select_related("activity__community", "activity__team").order_by(
        "-activity__starts_at")


def my_hours(user) -> Decimal:
    return Signup.objects.filter(user=user).filter(confirmed_hours_q()).aggregate(h=Sum("hours"))["h"] or Decimal(0)


def teams_of(district: Area) -> QuerySet[Team]:
    return outlines_unread(Team.objects.filter(community__code__startswith=district.code, active=True).select_related(
        "community")).annotate(size=Count("members"))


def managed_activities(user) -> QuerySet[Activity]:
    """Activities the user organises, or of the communities where they dispatch cases (community staff)."""
    scope = scope_for(user)
    qs = outlines_unread(Activity.objects.select_related("community", "team")).annotate(
        taken=Count("signups", filter=Q(signups__status__in=TAKING)))
    if scope.is_superuser:
        return qs
    mine = Q(organiser=user) | Q(team__members__role="leader", team__members__volunteer__person__user=user)
    if scope.codes(Capability.DISPATCH_CASES):
        mine |= scope.area_q(Capability.DISPATCH_CASES, "community__code")
    return qs.filter(mine).distinct()


def managed_signups(user) -> QuerySet[Signup]:
    """The sign-ups of every roster the user may open: an activity's page shows its roster to whoever
    may organise it, and those are the activities of ``managed_activities``."""
    return outlines_unread(Signup.objects.filter(activity__in=managed_activities(user).values("pk")).select_related(
        "activity__community", "volunteer__person"))


def roster(activity: Activity) -> QuerySet[Signup]:
    return activity.signups.select_related("volunteer__person").order_by("status", "signed_up_at", "pk")


def can_organise(user, activity: Activity) -> bool:
    return user.is_authenticated and may_organise(user, activity)
