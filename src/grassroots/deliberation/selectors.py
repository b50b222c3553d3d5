"""Reads of 议事协商, public ones returning only what may be shown to anyone (a proposer as
"居民 王*"; a secret vote's counts, never its voters' choices)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.areas.selectors import communities_where, community_of
from grassroots.orgs.models import Unit

from .models import Meeting, Resolution, Topic, Vote, VoterRoll
from .services import CODE_MINUTES, COMMUNITY_LEN, _proposer_label, verified_household


def topics(community: Area) -> QuerySet[Topic]:
    return outlines_unread(Topic.objects.filter(community=community).exclude(status=Topic.Status.CLOSED)
                           .select_related("area")).order_by("-supports", "-created_at")


def votes(community: Area) -> QuerySet[Vote]:
    return outlines_unread(Vote.objects.filter(community=community).select_related("area")).order_by("-opens_at")


def meetings(community: Area) -> QuerySet[Meeting]:
    return Meeting.objects.filter(community=community).select_related("series").order_by("-starts_at")


def open_resolutions(community: Area) -> QuerySet[Resolution]:
    return outlines_unread(Resolution.objects.filter(community=community, status=Resolution.Status.OPEN)
                           .select_related("owner_unit", "owner_user", "community")).order_by("deadline")


def overdue(community: Area) -> QuerySet[Resolution]:
    return open_resolutions(community).filter(deadline__lt=timezone.localdate())


def practical(place: Area) -> list[Resolution]:
    """为民办实事 under a community or street: top-level items, open first, then done."""
    rows = (Resolution.objects.filter(practical=True, parent__isnull=True, community__code__startswith=place.code)
            .exclude(status=Resolution.Status.DROPPED).select_related("community", "owner_unit", "owner_user"))
    return list(outlines_unread(rows).prefetch_related("notes").order_by("status", "deadline")[:500])


def units_of(community: Area) -> QuerySet[Unit]:
    """Units that work with a community: registered there (双报到) or placed there."""
    from grassroots.service.selectors import co_building_units

    registered = co_building_units(community).values("unit_id")
    return Unit.objects.filter(Q(pk__in=registered) | Q(area__code__startswith=community.code)).order_by("name")


def managed_communities(user) -> QuerySet[Area]:
    return communities_where(user, Capability.DISPATCH_CASES)


def proposal_areas(user, household: Area | None) -> list[Area]:
    """Where the user may propose a topic: a resident, their building, grid and community; a member or a
    unit, the communities they serve."""
    if household is not None:
        codes = [a.code for a in household.ancestors() if a.level in (Level.COMMUNITY, Level.GRID, Level.BUILDING)]
        return list(Area.objects.filter(code__in=codes).order_by("code"))
    scope = scope_for(user)
    if not user.is_authenticated or scope.is_superuser:
        return []
    roots = set(scope.codes(Capability.TAKE_CASES)) | set(scope.codes(Capability.DISPATCH_CASES))
    places = [community_of(a) for a in Area.objects.filter(code__in=roots) if a.level in (
        Level.COMMUNITY, Level.GRID, Level.BUILDING)]
    from grassroots.service.models import Decision, UnitRegistration

    units = scope.unit_ids.get(Capability.HANDLE_CASES, frozenset())
    places += [r.community for r in UnitRegistration.objects.filter(unit_id__in=units, status=Decision.APPROVED)
               .select_related("community")]
    return sorted({p.pk: p for p in places if _proposer_label(user, p)}.values(), key=lambda a: a.code)


def has_voted(vote: Vote, user, household: Area | None) -> str:
    """"online"/"paper" when this household (or person) has voted, "" otherwise."""
    if household is None:
        return ""
    rows = VoterRoll.objects.filter(vote=vote)
    rows = rows.filter(household=household) if vote.unit == Vote.Unit.HOUSEHOLD else rows.filter(
        user=user, household__isnull=True)
    return rows.values_list("channel", flat=True).first() or ""


def paper_households(user, vote: Vote | None) -> QuerySet[Area] | None:
    """The households of the vote's area in the user's grids (a grid worker collecting paper ballots)."""
    if vote is None or vote.unit != Vote.Unit.HOUSEHOLD or vote.status != Vote.Status.OPEN:
        return None
    scope = scope_for(user)
    if not getattr(user, "is_authenticated", False):
        return None
    rows = Area.objects.filter(level=Level.HOUSEHOLD, code__startswith=vote.area.code)
    if not scope.is_superuser:
        grids = [c for c in scope.codes(Capability.HANDLE_CASES) if len(c) > len(vote.community.code)]
        if not grids:
            return None
        rows = rows.filter(scope.area_q(Capability.HANDLE_CASES, "code"))
    return rows.order_by("code")


def checkin_meetings(user) -> list[Meeting]:
    """Meetings happening around now that the user can check in to."""
    window = timedelta(minutes=CODE_MINUTES)
    now = timezone.now()
    rows = Meeting.objects.filter(starts_at__gte=now - window, starts_at__lte=now + window).exclude(
        status=Meeting.Status.CANCELLED).select_related("community").order_by("starts_at")
    household = verified_household(user)
    if household is not None:
        rows = rows.filter(community__code=household.code[:COMMUNITY_LEN])
    return list(rows[:50])
