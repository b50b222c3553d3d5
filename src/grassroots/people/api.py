"""JSON API for people (session auth, mounted at /api/people).

Lists and details carry masked ID numbers and phones only; the plain value comes from the
audited ``POST /residents/{id}/reveal``. An object outside the caller's scope is a 404. Care tags
are ``null`` for callers without ``VIEW_CARE_TAGS`` at the resident's household.
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from grassroots.core.params import BoundedPages, DbId

from . import selectors
from .services import person_reveal

router = Router()


class ErrorOut(Schema):
    detail: str


class PersonBits(Schema):
    name: str = Field(..., alias="person.name")
    gender: str = Field(..., alias="person.gender")
    phone_masked: str = Field(..., alias="person.phone_masked")


class ResidentOut(PersonBits):
    id: int
    id_number_masked: str = Field(..., alias="person.id_number_masked")
    household_code: str = Field(..., alias="household.code")
    household_name: str = Field(..., alias="household.name")
    relation: str
    care_tags: list[str] | None = None

    @staticmethod
    def resolve_care_tags(obj, context) -> list[str] | None:
        return selectors.care_tags_for(context["request"].user, obj)


class ResidentDetailOut(ResidentOut):
    birth_date: datetime.date | None = Field(None, alias="person.birth_date")
    moved_in: datetime.date | None = None
    can_reveal: bool = False

    @staticmethod
    def resolve_can_reveal(obj, context) -> bool:
        return selectors.can_reveal(context["request"].user, obj)


class ResidentFilters(Schema):
    area: str = Field("", max_length=22, pattern=r"^[0-9]*$", description="区域编码（含下级）")
    name: str = Field("", max_length=50, description="姓名（模糊）")
    care_tag: str = Field("", max_length=32, description="关爱标签（仅有权限者）")


class NumberIn(Schema):
    number: str = Field(..., min_length=7, max_length=32, description="身份证号或手机号（精确）")


class RevealIn(Schema):
    field: Literal["id_number", "phone"]


class PersonRevealOut(Schema):
    field: str
    value: str


@router.get("/residents", response=list[ResidentOut])
@paginate(BoundedPages, page_size=50)
def residents_list(request: HttpRequest, filters: Query[ResidentFilters]):
    qs = selectors.residents_visible_to(request.user)
    return selectors.residents_filter(qs, user=request.user, area_code=filters.area, name=filters.name,
                                      care_tag=filters.care_tag)


@router.post("/residents/lookup", response=list[ResidentOut])
def residents_lookup(request: HttpRequest, payload: NumberIn):
    """Exact search by ID number or phone (POST, so the number stays out of URLs and logs)."""
    return list(selectors.residents_by_number(selectors.residents_visible_to(request.user),
                                              payload.number)[:50])


@router.get("/residents/{resident_id}", response=ResidentDetailOut)
def resident_detail(request: HttpRequest, resident_id: int):
    return get_object_or_404(selectors.residents_visible_to(request.user), pk=resident_id)


@router.post("/residents/{resident_id}/reveal", response={200: PersonRevealOut, 403: ErrorOut})
def resident_reveal(request: HttpRequest, resident_id: int, payload: RevealIn, response: HttpResponse):
    """The plain ID number or phone. Permission-checked and written to the audit log."""
    resident = get_object_or_404(selectors.residents_visible_to(request.user), pk=resident_id)
    add_never_cache_headers(response)
    try:
        value = person_reveal(person=resident.person, field=payload.field, actor=request.user,
                              area_code=resident.household.code)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return {"field": payload.field, "value": value}


class PartyMemberOut(PersonBits):
    id: int
    org_id: int
    org_name: str = Field(..., alias="org.name")
    in_service: bool
    employer_id: int | None = None
    joined_on: datetime.date | None = None


@router.get("/party-members", response=list[PartyMemberOut])
@paginate(BoundedPages, page_size=50)
def party_members_list(request: HttpRequest, name: str = "", org: DbId | None = None,
                       in_service: bool | None = None):
    qs = selectors.party_members_visible_to(request.user)
    return selectors.party_members_filter(qs, name=name[:50], org_id=org, in_service=in_service)


@router.get("/party-members/{member_id}", response=PartyMemberOut)
def party_member_detail(request: HttpRequest, member_id: int):
    return get_object_or_404(selectors.party_members_visible_to(request.user), pk=member_id)


class GridStaffOut(PersonBits):
    id: int
    role: str
    grid_code: str = Field(..., alias="grid.code")
    grid_name: str = Field(..., alias="grid.name")


@router.get("/grid-staff", response=list[GridStaffOut])
@paginate(BoundedPages, page_size=50)
def grid_staff_list(request: HttpRequest, name: str = ""):
    return selectors.name_filter(selectors.grid_staff_visible_to(request.user), name[:50])


@router.get("/grid-staff/{post_id}", response=GridStaffOut)
def grid_staff_detail(request: HttpRequest, post_id: int):
    return get_object_or_404(selectors.grid_staff_visible_to(request.user), pk=post_id)


class VolunteerOut(PersonBits):
    id: int
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    team: str
    skills: str


@router.get("/volunteers", response=list[VolunteerOut])
@paginate(BoundedPages, page_size=50)
def volunteers_list(request: HttpRequest, name: str = ""):
    return selectors.name_filter(selectors.volunteers_visible_to(request.user), name[:50])


@router.get("/volunteers/{volunteer_id}", response=VolunteerOut)
def volunteer_detail(request: HttpRequest, volunteer_id: int):
    return get_object_or_404(selectors.volunteers_visible_to(request.user), pk=volunteer_id)
