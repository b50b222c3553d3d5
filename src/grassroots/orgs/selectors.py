"""Scoped reads of Party organisations and units.

Party organisations are visible under the areas where the user holds ``VIEW_PARTY``; units under
the areas where they hold ``VIEW_UNITS``, plus — for unit roles (a department's handler) — the
user's own units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from .models import CommitteeSeat, Duty, PartyLevel, PartyOrg, Unit, UnitKind


def party_orgs_visible_to(user) -> QuerySet[PartyOrg]:
    q = scope_for(user).area_q(Capability.VIEW_PARTY, "area__code")
    return PartyOrg.objects.filter(q).select_related("area", "parent").defer("area__boundary")


def party_orgs_with_counts(user) -> QuerySet[PartyOrg]:
    red = Unit.objects.filter(party_org=OuterRef("pk"), kind=UnitKind.PROPERTY)
    return party_orgs_visible_to(user).annotate(member_count=Count("members", distinct=True),
                                                is_red_property=Exists(red))


@dataclass
class PartyNode:
    org: PartyOrg
    member_count: int
    children: list[PartyNode] = field(default_factory=list)

    @property
    def total_members(self) -> int:
        """Members of this organisation and of every visible organisation below it."""
        return self.member_count + sum(child.total_members for child in self.children)

    def walk(self, depth: int = 0):
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


def party_tree_for(user) -> list[PartyNode]:
    """The visible organisations as a forest; an org whose parent is out of sight is a root."""
    orgs = list(party_orgs_with_counts(user).order_by("area__code", "level", "name"))
    nodes = {org.pk: PartyNode(org=org, member_count=org.member_count) for org in orgs}
    roots: list[PartyNode] = []
    for org in orgs:
        parent = nodes.get(org.parent_id) if org.parent_id else None
        (parent.children if parent else roots).append(nodes[org.pk])
    return roots


@dataclass(frozen=True)
class LevelSummary:
    level: str
    label: str
    org_count: int
    member_count: int


def party_level_summary(user) -> list[LevelSummary]:
    """Per Party level: how many visible organisations and members (levels with none are skipped)."""
    rows = (
        party_orgs_visible_to(user).values("level")
        .annotate(orgs=Count("id", distinct=True), members=Count("members", distinct=True))
    )
    by_level = {row["level"]: row for row in rows}
    return [
        LevelSummary(level, str(PartyLevel(level).label), by_level[level]["orgs"], by_level[level]["members"])
        for level in PartyLevel.values if level in by_level
    ]


def party_children(user, org: PartyOrg) -> QuerySet[PartyOrg]:
    return party_orgs_with_counts(user).filter(parent=org)


def seats_of_committee(org: PartyOrg) -> QuerySet[CommitteeSeat]:
    return org.seats.select_related("unit").order_by("unit__name")


def units_visible_to(user) -> QuerySet[Unit]:
    scope = scope_for(user)
    q = scope.area_q(Capability.VIEW_UNITS, "area__code")
    own = scope.unit_ids.get(Capability.VIEW_UNITS)
    if own:
        q |= Q(pk__in=own)
    return Unit.objects.filter(q).select_related("area", "party_org").defer("area__boundary")


def units_filter(qs: QuerySet[Unit], *, kind: str = "", name: str = "", red_only: bool = False
                 ) -> QuerySet[Unit]:
    if kind:
        qs = qs.filter(kind=kind) if kind in UnitKind.values else qs.none()
    if name:
        qs = qs.filter(name__icontains=name.strip())
    if red_only:
        qs = qs.filter(kind=UnitKind.PROPERTY, party_org__isnull=False)
    return qs


def seats_of_unit(unit: Unit) -> QuerySet[CommitteeSeat]:
    return unit.seats.select_related("committee", "committee__area").order_by("committee__name")


def duties_of_unit(unit: Unit) -> QuerySet[Duty]:
    return unit.duties.select_related("category", "category__parent", "area").order_by(
        "category__code", "area__code")


def units_of_party_org(user, org: PartyOrg) -> QuerySet[Unit]:
    return units_visible_to(user).filter(party_org=org)
