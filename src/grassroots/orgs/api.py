"""JSON API for Party organisations and units (session auth, mounted at /api/orgs).

Everything is read through ``orgs.selectors``; an object outside the caller's scope is a 404.
"""


from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from grassroots.core.params import BoundedPages

from . import selectors

router = Router()


class PartyOrgOut(Schema):
    id: int
    name: str
    level: str
    level_label: str = Field(..., alias="get_level_display")
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    parent_id: int | None = None
    secretary: str
    member_count: int
    is_red_property: bool


class SeatOut(Schema):
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    holder: str
    title: str


class PartyOrgDetailOut(PartyOrgOut):
    children: list[PartyOrgOut]
    seats: list[SeatOut]

    @staticmethod
    def resolve_children(obj, context) -> list:
        return list(selectors.party_children(context["request"].user, obj))

    @staticmethod
    def resolve_seats(obj) -> list:
        return list(selectors.seats_of_committee(obj))


@router.get("/party", response=list[PartyOrgOut])
@paginate(BoundedPages, page_size=100)
def party_orgs_list(request: HttpRequest, level: str = "", area: str = ""):
    qs = selectors.party_orgs_with_counts(request.user)
    if level:
        qs = qs.filter(level=level)
    if area:
        qs = qs.filter(area__code__startswith=area)
    return qs


@router.get("/party/{org_id}", response=PartyOrgDetailOut)
def party_org_detail(request: HttpRequest, org_id: int):
    return get_object_or_404(selectors.party_orgs_with_counts(request.user), pk=org_id)


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    party_org_id: int | None = None
    is_red_property: bool
    contact: str
    contact_phone_masked: str


class DutyOut(Schema):
    category_code: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    note: str


class UnitSeatOut(Schema):
    committee_id: int
    committee_name: str = Field(..., alias="committee.name")
    holder: str
    title: str


class UnitDetailOut(UnitOut):
    credit_code: str
    address: str
    duties: list[DutyOut]
    seats: list[UnitSeatOut]

    @staticmethod
    def resolve_duties(obj) -> list:
        return list(selectors.duties_of_unit(obj))

    @staticmethod
    def resolve_seats(obj) -> list:
        return list(selectors.seats_of_unit(obj))


@router.get("/units", response=list[UnitOut])
@paginate(BoundedPages, page_size=50)
def units_list(request: HttpRequest, kind: str = "", name: str = "", red: bool = False):
    return selectors.units_filter(selectors.units_visible_to(request.user), kind=kind, name=name[:50],
                                  red_only=red)


@router.get("/units/{unit_id}", response=UnitDetailOut)
def unit_detail(request: HttpRequest, unit_id: int):
    return get_object_or_404(selectors.units_visible_to(request.user), pk=unit_id)
