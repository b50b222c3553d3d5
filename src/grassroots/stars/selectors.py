"""Who may see and do what in the star ratings, and the scoped reads.

* rate (compute, enter inspectors' points, submit): the organisation departments' administrators —
  a street administrator (街道管理员) the branches of their street, a district administrator
  (区级管理员) the whole district; publish: the district administrator;
* read: the raters, and the secretary of a Party organisation (党组织书记) the branches at or under
  their organisation's area (a grid branch's secretary their own branch), a leader (领导) their area;
* everyone (no login): the published stars of a community's branches (``public_ratings``).

Whatever lies outside is "not found" (pages and API answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from grassroots.accounts.models import Role, RoleAssignment
from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.orgs.models import PartyOrg

from .measures import RATED_LEVELS
from .models import StarRating, StarScheme

RATER_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_ADMIN)
READER_ROLES = (*RATER_ROLES, Role.PARTY_SECRETARY, Role.LEADER)


def _prefix_q(codes, field: str) -> Q:
    if not codes:
        return Q(pk__in=[])
    q = Q()
    for code in codes:
        q |= Q(**{f"{field}__startswith": code})
    return q


@dataclass(frozen=True)
class StarAccess:
    superuser: bool = False
    rate: frozenset[str] = frozenset()
    read: frozenset[str] = frozenset()
    publish: frozenset[str] = frozenset()  # district codes

    def can_rate(self, code: str) -> bool:
        return self.superuser or any(code.startswith(c) for c in self.rate)

    def can_read(self, code: str) -> bool:
        return self.superuser or any(code.startswith(c) for c in self.read)

    def can_publish(self, district_code: str) -> bool:
        return self.superuser or district_code in self.publish

    @property
    def any(self) -> bool:
        return self.superuser or bool(self.read)

    def read_q(self, field: str = "area_code") -> Q:
        return Q() if self.superuser else _prefix_q(self.read, field)

    def rate_q(self, field: str = "area_code") -> Q:
        return Q() if self.superuser else _prefix_q(self.rate, field)


def access_for(user) -> StarAccess:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return StarAccess()
    cached = getattr(user, "_stars_access", None)
    if cached is not None:
        return cached
    rate, read, publish = set(), set(), set()
    for role, code in RoleAssignment.objects.filter(user=user, role__in=READER_ROLES, area__isnull=False).values_list(
            "role", "area__code"):
        read.add(code)
        if role in RATER_ROLES:
            rate.add(code)
        if role == Role.DISTRICT_ADMIN:
            publish.add(code[:6])
    access = StarAccess(superuser=user.is_superuser, rate=frozenset(rate), read=frozenset(read),
                        publish=frozenset(publish))
    user._stars_access = access
    return access


def districts_of(user) -> list[Area]:
    access = access_for(user)
    qs = Area.objects.filter(level=Level.DISTRICT)
    if not access.superuser:
        qs = qs.filter(code__in={c[:6] for c in access.read})
    return list(qs.order_by("code"))


def schemes(district_code: str) -> QuerySet[StarScheme]:
    return StarScheme.objects.filter(district_code=district_code).order_by("-year")


def scheme_of(district_code: str, year: int) -> StarScheme | None:
    return StarScheme.objects.filter(district_code=district_code, year=year).first()


def branches(district_code: str) -> QuerySet[PartyOrg]:
    """The branches rated in a district."""
    return PartyOrg.objects.filter(level__in=RATED_LEVELS, area__code__startswith=district_code)


def branches_visible(user, district_code: str, under: str = "") -> QuerySet[PartyOrg]:
    qs = branches(district_code).filter(access_for(user).read_q("area__code"))
    if under:
        qs = qs.filter(area__code__startswith=under)
    return outlines_unread(qs.select_related("area", "parent")).order_by("area__code", "name")


def branch_visible(user, pk: int) -> PartyOrg | None:
    org = outlines_unread(PartyOrg.objects.select_related("area", "parent")).filter(pk=pk, level__in=RATED_LEVELS).first()
    if org is None or not access_for(user).can_read(org.area.code):
        return None
    return org


def current_ratings(scheme: StarScheme, org_ids=None) -> dict[int, StarRating]:
    qs = StarRating.objects.filter(scheme=scheme, current=True)
    if org_ids is not None:
        qs = qs.filter(org_id__in=org_ids)
    return {r.org_id: r for r in qs}


def published_ratings(scheme: StarScheme | None, org_ids=None) -> dict[int, StarRating]:
    if scheme is None:
        return {}
    qs = StarRating.objects.filter(scheme=scheme, status=StarRating.Status.PUBLISHED)
    if org_ids is not None:
        qs = qs.filter(org_id__in=org_ids)
    return {r.org_id: r for r in qs}


def rating_history(org: PartyOrg) -> QuerySet[StarRating]:
    """Every version of every year of a branch, newest year first."""
    return StarRating.objects.filter(org=org).select_related("scheme").order_by("-scheme__year", "-version")


def public_ratings(area: Area) -> tuple[StarScheme | None, list[StarRating]]:
    """The latest published year of the area's district and the published ratings of the branches
    at or under ``area``."""
    scheme = StarScheme.objects.filter(district_code=area.code[:6], published=True).order_by("-year").first()
    if scheme is None:
        return None, []
    rows = (StarRating.objects.filter(scheme=scheme, status=StarRating.Status.PUBLISHED,
                                      area_code__startswith=area.code)
            .select_related("org", "org__area").order_by("-stars", "area_code", "org__name"))
    return scheme, list(rows[:500])


@dataclass
class Row:
    """One line of the year's table: a branch, its current rating and last year's published one."""

    org: PartyOrg
    rating: StarRating | None
    last: StarRating | None

    @property
    def change(self):
        if self.rating is None or self.last is None:
            return None
        return self.rating.total - self.last.total

    @property
    def star_change(self) -> int | None:
        if self.rating is None or self.last is None:
            return None
        return self.rating.stars - self.last.stars

    def subtotal(self, basic: str) -> str:
        return (self.rating.subtotals or {}).get(basic, "") if self.rating else ""


def year_table(user, district_code: str, scheme: StarScheme | None, under: str = "") -> list[Row]:
    orgs = list(branches_visible(user, district_code, under)[:5000])
    ids = [o.pk for o in orgs]
    now = current_ratings(scheme, ids) if scheme else {}
    last = published_ratings(scheme_of(district_code, scheme.year - 1), ids) if scheme else {}
    return [Row(org=o, rating=now.get(o.pk), last=last.get(o.pk)) for o in orgs]


def filter_areas(user, district_code: str) -> list[Area]:
    """The streets and communities a user may narrow the table to."""
    return list(Area.objects.filter(code__startswith=district_code, level__in=(Level.STREET, Level.COMMUNITY))
                .filter(access_for(user).read_q("code")).order_by("code")[:500])
