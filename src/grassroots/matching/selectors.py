"""Reads of the three lists, scoped: a community's staff read their communities' lists; a unit's
staff read only their own unit's resources, projects and agreements; a resident only their own needs.
Every list is bounded (a community has tens of units and hundreds of needs, not millions)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.areas.selectors import communities_where
from grassroots.orgs.models import Unit
from grassroots.service.selectors import co_building_units

from .models import Agreement, AgreementItem, Match, Need, Project, Resource
from .services import Scored, _scored, unit_ids_of

LIST_LIMIT = 300
CANDIDATES = 500


def managed_communities(user) -> QuerySet[Area]:
    return communities_where(user, Capability.DISPATCH_CASES)


# --- every row the pages show a user (the admin lists the same) --------------------------------------------------
# A community's staff (DISPATCH_CASES: the board's communities) see their communities' rows; a unit's
# own staff see their unit's resources, projects and agreements (the unit page); whoever raised a need
# sees it. Seeing the area (VIEW_AREAS) alone shows nothing: the board refuses a leader or a grid worker.


def resources_visible_to(user) -> QuerySet[Resource]:
    """The board's resources of every managed community, and the unit page's own resources."""
    return Resource.objects.filter(Q(community__in=managed_communities(user)) | Q(unit_id__in=unit_ids_of(user)))


def needs_visible_to(user) -> QuerySet[Need]:
    """The board's needs of every managed community, and the needs the user raised (a need's page
    opens for these and no others)."""
    mine = Q(submitted_by=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return Need.objects.filter(Q(community__in=managed_communities(user)) | mine)


def matches_visible_to(user) -> QuerySet[Match]:
    """The matches a need's page lists: those of the needs the user may open."""
    return Match.objects.filter(need__in=needs_visible_to(user).values("pk"))


def projects_visible_to(user) -> QuerySet[Project]:
    """The board's projects of every managed community, and the projects the user's unit carries (a
    project's page opens for these and no others)."""
    return Project.objects.filter(Q(community__in=managed_communities(user))
                                  | Q(owner_unit_id__in=unit_ids_of(user)))


def agreements_visible_to(user) -> QuerySet[Agreement]:
    """The board's agreements of every managed community, and the user's unit's own agreements."""
    return Agreement.objects.filter(Q(community__in=managed_communities(user)) | Q(unit_id__in=unit_ids_of(user)))


def registered_units(community: Area) -> QuerySet[Unit]:
    """Units registered (双报到) with the community: the ones that can own its projects and agreements."""
    return Unit.objects.filter(pk__in=co_building_units(community).values("unit_id")).order_by("name")


def resources(community: Area) -> QuerySet[Resource]:
    return outlines_unread(Resource.objects.filter(community=community).select_related("unit", "area")).order_by(
        "-available", "kind", "-pk")


def needs(community: Area, status: str = "") -> QuerySet[Need]:
    qs = outlines_unread(Need.objects.filter(community=community).select_related("area", "case"))
    return qs.filter(status=status) if status else qs


def projects(community: Area) -> QuerySet[Project]:
    return outlines_unread(Project.objects.filter(community=community).select_related("owner_unit", "community")
                           ).order_by("status", "deadline", "pk")


def agreements(community: Area) -> QuerySet[Agreement]:
    return (Agreement.objects.filter(community=community).select_related("unit")
            .annotate(promised=Count("items"), delivered=Count("items", filter=Q(items__delivered_at__isnull=False))))


def counts(community: Area) -> dict:
    need_counts = dict(Need.objects.filter(community=community).values_list("status").annotate(n=Count("pk")))
    return {"resources": Resource.objects.filter(community=community, available=True).count(),
            "needs_open": need_counts.get(Need.Status.OPEN, 0), "needs_matched": need_counts.get(Need.Status.MATCHED, 0),
            "needs_met": need_counts.get(Need.Status.MET, 0),
            "projects": Project.objects.filter(community=community, status=Project.Status.ONGOING).count(),
            "agreements": Agreement.objects.filter(community=community).count()}


def suggestions(need: Need, limit: int = 5) -> list[Scored]:
    """Resources of the need's community that fit it, best first; pairs already accepted or declined
    are not offered again."""
    if need.status not in (Need.Status.OPEN, Need.Status.MATCHED):
        return []
    seen = Match.objects.filter(need=need).values_list("resource_id", flat=True)
    candidates = (Resource.objects.filter(community_id=need.community_id, available=True)
                  .filter(Q(category=need.category) | Q(kind=need.kind or "-"))
                  .exclude(pk__in=seen).select_related("unit", "area"))
    candidates = outlines_unread(candidates).order_by("-pk")[:CANDIDATES]
    return _scored(need, candidates)[:limit]


# --- a unit's own staff --------------------------------------------------------------------------------------------

def unit_resources(user) -> QuerySet[Resource]:
    return outlines_unread(Resource.objects.filter(unit_id__in=unit_ids_of(user)).select_related("community", "unit", "area"))


def unit_projects(user) -> QuerySet[Project]:
    return outlines_unread(Project.objects.filter(owner_unit_id__in=unit_ids_of(user)).select_related("community", "owner_unit"))


def unit_agreements(user) -> QuerySet[Agreement]:
    return (outlines_unread(Agreement.objects.filter(unit_id__in=unit_ids_of(user)).select_related("unit", "community"))
            .annotate(promised=Count("items"), delivered=Count("items", filter=Q(items__delivered_at__isnull=False))))


def agreement_visible(user, pk: int) -> Agreement | None:
    """The agreement if the user is the community's staff or the unit's own staff, else None."""
    return outlines_unread(agreements_visible_to(user).select_related("unit", "community")).filter(pk=pk).first()


def need_visible(user, pk: int) -> Need | None:
    """The need if the user manages its community or raised it, else None."""
    rows = needs_visible_to(user).select_related("community", "area", "case", "submitted_by")
    return outlines_unread(rows).filter(pk=pk).first()


def project_visible(user, pk: int) -> Project | None:
    """The project if the user manages its community or is its owner unit's staff, else None."""
    return outlines_unread(projects_visible_to(user).select_related("community", "owner_unit")).filter(pk=pk).first()


def items(agreement: Agreement) -> QuerySet[AgreementItem]:
    return agreement.items.select_related("delivered_by", "resource")


def my_needs(user) -> QuerySet[Need]:
    return outlines_unread(Need.objects.filter(submitted_by=user, source=Need.Source.RESIDENT).select_related("community", "area"))


def practical_projects(place: Area) -> QuerySet[Project]:
    """Projects marked 为民办实事 of a community, or of every community of a street."""
    qs = Project.objects.filter(practical=True).exclude(status=Project.Status.DROPPED)
    qs = qs.filter(community=place) if place.level == Level.COMMUNITY else qs.filter(
        community__code__startswith=place.code)
    return qs.select_related("community", "owner_unit").prefetch_related("notes").order_by("status", "deadline")[:300]
