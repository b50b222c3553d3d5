"""Scoped reads of people. Every list and every object fetch of a person goes through here.

A user sees residents under the areas where they hold ``VIEW_RESIDENTS`` (a resident-role user:
only their own household); Party members under ``VIEW_PARTY``; grid staff under ``VIEW_AREAS``;
volunteers under ``VIEW_RESIDENTS``. Care tags are given only where the user has ``VIEW_CARE_TAGS``
at the resident's household; everyone else gets ``None`` and never the tags themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from grassroots.accounts.models import Capability, Role, RoleAssignment
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import outlines_unread
from grassroots.core import crypto

from .models import CareTag, GridStaff, PartyMember, Person, Resident, Volunteer


def own_household_codes(user) -> list[str]:
    """Codes of the households where ``user`` holds the resident role."""
    if Role.RESIDENT not in scope_for(user).roles:
        return []
    return list(
        RoleAssignment.objects.filter(user=user, role=Role.RESIDENT, area__isnull=False)
        .values_list("area__code", flat=True)
    )


def residents_visible_to(user) -> QuerySet[Resident]:
    q = scope_for(user).area_q(Capability.VIEW_RESIDENTS, "household__code")
    own = own_household_codes(user)
    if own:
        q |= Q(household__code__in=own)
    return Resident.objects.filter(q).select_related("person", "household", "household__parent__parent")


def residents_filter(qs: QuerySet[Resident], *, user, area_code: str = "", name: str = "",
                     care_tag: str = "") -> QuerySet[Resident]:
    """Narrow an already scoped queryset. The care-tag filter only matches where tags are visible."""
    if area_code:
        qs = qs.filter(household__code__startswith=area_code)
    if name:
        qs = qs.filter(person__name__icontains=name.strip())
    if care_tag:
        if care_tag not in CareTag.values:
            return qs.none()
        qs = qs.filter(scope_for(user).area_q(Capability.VIEW_CARE_TAGS, "household__code"),
                       care_tags__icontains=f'"{care_tag}"')
    return qs


def residents_by_number(qs: QuerySet[Resident], number: str) -> QuerySet[Resident]:
    """Exact look-up by ID number or phone through the blind index (never decrypts)."""
    indexes = crypto.blind_indexes(number)  # every data key's, while a key rotation runs
    if not indexes:
        return qs.none()
    return qs.filter(Q(person__id_number_index__in=indexes) | Q(person__phone_index__in=indexes))


def area_path(area) -> str:
    """``张湾区 / 某街道 / 某社区 / 网格1 / 2栋 / 201室``: where an area sits, for detail pages."""
    return " / ".join(a.name for a in [*area.ancestors(), area])


def can_view_care_tags(user, resident: Resident) -> bool:
    return scope_for(user).can_at(Capability.VIEW_CARE_TAGS, resident.household.code)


def care_tags_for(user, resident: Resident) -> list[str] | None:
    """The resident's care tag codes, or None when ``user`` may not see them."""
    if not can_view_care_tags(user, resident):
        return None
    return [t for t in resident.care_tags if t in CareTag.values]


def can_reveal(user, resident: Resident) -> bool:
    return scope_for(user).can_at(Capability.REVEAL_PERSONAL, resident.household.code)


@dataclass(frozen=True)
class ResidentRow:
    """What a page may show of a resident: the row plus the care tag labels the user may see."""

    resident: Resident
    care_labels: tuple[str, ...] | None

    @property
    def person(self) -> Person:
        return self.resident.person


def resident_rows(user, residents) -> list[ResidentRow]:
    rows = []
    for resident in residents:
        tags = care_tags_for(user, resident)
        labels = None if tags is None else tuple(str(CareTag(t).label) for t in tags)
        rows.append(ResidentRow(resident=resident, care_labels=labels))
    return rows


def care_tag_choices_for(user) -> list[tuple[str, str]]:
    """Care tags the user may filter by (none unless they can see tags somewhere)."""
    if not scope_for(user).can(Capability.VIEW_CARE_TAGS):
        return []
    return list(CareTag.choices)


def household_members(user, resident: Resident) -> QuerySet[Resident]:
    return residents_visible_to(user).filter(household=resident.household).exclude(pk=resident.pk)


def party_members_visible_to(user) -> QuerySet[PartyMember]:
    q = scope_for(user).area_q(Capability.VIEW_PARTY, "org__area__code")
    return PartyMember.objects.filter(q).select_related("person", "org", "org__area", "employer")


def party_members_filter(qs: QuerySet[PartyMember], *, name: str = "", org_id: int | None = None,
                         in_service: bool | None = None) -> QuerySet[PartyMember]:
    if name:
        qs = qs.filter(person__name__icontains=name.strip())
    if org_id:
        qs = qs.filter(org_id=org_id)
    if in_service is not None:
        qs = qs.filter(in_service=in_service)
    return qs


def grid_staff_visible_to(user) -> QuerySet[GridStaff]:
    q = scope_for(user).area_q(Capability.VIEW_AREAS, "grid__code")
    return GridStaff.objects.filter(q).select_related("person", "grid")


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    q = scope_for(user).area_q(Capability.VIEW_RESIDENTS, "area__code")
    return outlines_unread(Volunteer.objects.filter(q).select_related("person", "area"))


def name_filter(qs: QuerySet, name: str) -> QuerySet:
    return qs.filter(person__name__icontains=name.strip()) if name else qs


def persons_visible_to(user) -> QuerySet[Person]:
    """People the user reaches through any of the parts they play (resident, member, staff…)."""
    if scope_for(user).is_superuser:
        return Person.objects.all()
    q = (
        Q(pk__in=residents_visible_to(user).values("person_id"))
        | Q(pk__in=party_members_visible_to(user).values("person_id"))
        | Q(pk__in=grid_staff_visible_to(user).values("person_id"))
        | Q(pk__in=volunteers_visible_to(user).values("person_id"))
    )
    return Person.objects.filter(q)


@dataclass(frozen=True)
class OtherParts:
    """The other parts a person plays, as far as the user may see them."""

    party_member: PartyMember | None
    volunteer: Volunteer | None
    grid_posts: tuple[GridStaff, ...]


def other_parts_of(user, person: Person) -> OtherParts:
    return OtherParts(
        party_member=party_members_visible_to(user).filter(person=person).first(),
        volunteer=volunteers_visible_to(user).filter(person=person).first(),
        grid_posts=tuple(grid_staff_visible_to(user).filter(person=person)),
    )
