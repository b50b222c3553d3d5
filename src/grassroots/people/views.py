"""Pages about people. Thin: read through ``selectors``, write through ``services``, render.

An object outside the user's scope is a 404 (it does not exist for them), never a 403 that would
confirm it exists. Plain ID numbers and phones appear only in the reveal response.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from . import selectors
from .forms import NameFilterForm, NumberSearchForm, PartyMemberFilterForm, ResidentFilterForm
from .services import REVEALABLE, person_reveal

PAGE_SIZE = 50


def _page(request: HttpRequest, qs) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _may_see_residents(user) -> bool:
    return scope_for(user).can(Capability.VIEW_RESIDENTS) or bool(selectors.own_household_codes(user))


@login_required
@require_http_methods(["GET", "POST"])
def residents(request: HttpRequest) -> HttpResponse:
    """GET: filter by area, name and care tag, paginated. POST: exact ID-number/phone search."""
    user = request.user
    form = ResidentFilterForm(request.GET or None, user=user)
    number_form = NumberSearchForm(request.POST or None)
    qs = selectors.residents_visible_to(user)
    if request.method == "POST":
        qs = selectors.residents_by_number(qs, number_form.cleaned_data["number"]) \
            if number_form.is_valid() else qs.none()
    else:
        qs = selectors.residents_filter(qs, user=user, **form.filters())
    page = _page(request, qs)
    return render(request, "people/residents.html", {
        "form": form, "number_form": number_form, "page": page, "searched": request.method == "POST",
        "rows": selectors.resident_rows(user, page.object_list), "allowed": _may_see_residents(user),
        "show_tags": bool(selectors.care_tag_choices_for(user)),
    })


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    resident = get_object_or_404(selectors.residents_visible_to(user), pk=pk)
    row = selectors.resident_rows(user, [resident])[0]
    return render(request, "people/resident_detail.html", {
        "row": row, "resident": resident, "person": resident.person,
        "can_reveal": selectors.can_reveal(user, resident),
        "members": selectors.resident_rows(user, selectors.household_members(user, resident)),
        "parts": selectors.other_parts_of(user, resident.person),
        "household_path": selectors.area_path(resident.household),
    })


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The plain value of one field, audited; an HTMX fragment that replaces the masked value."""
    resident = get_object_or_404(selectors.residents_visible_to(request.user), pk=pk)
    if field not in REVEALABLE:
        raise Http404
    try:
        value = person_reveal(person=resident.person, field=field, actor=request.user,
                              area_code=resident.household.code)
    except PermissionDenied as exc:
        response = render(request, "people/_reveal_denied.html", {"message": str(exc)}, status=403)
    else:
        response = render(request, "people/_revealed.html", {"value": value, "label": REVEALABLE[field]})
    add_never_cache_headers(response)
    return response


@login_required
def party_members(request: HttpRequest) -> HttpResponse:
    form = PartyMemberFilterForm(request.GET or None)
    qs = selectors.party_members_visible_to(request.user)
    qs = selectors.party_members_filter(qs, name=form.name_value(), in_service=form.in_service_value())
    return render(request, "people/party_members.html", {
        "form": form, "page": _page(request, qs),
        "allowed": scope_for(request.user).can(Capability.VIEW_PARTY),
    })


@login_required
def party_member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(selectors.party_members_visible_to(request.user), pk=pk)
    return render(request, "people/party_member_detail.html", {"member": member, "person": member.person})


@login_required
def grid_staff(request: HttpRequest) -> HttpResponse:
    form = NameFilterForm(request.GET or None)
    qs = selectors.name_filter(selectors.grid_staff_visible_to(request.user), form.name_value())
    return render(request, "people/grid_staff.html", {
        "form": form, "page": _page(request, qs),
        "allowed": scope_for(request.user).can(Capability.VIEW_AREAS),
    })


@login_required
def grid_staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(selectors.grid_staff_visible_to(request.user), pk=pk)
    return render(request, "people/grid_staff_detail.html", {
        "post": post, "person": post.person, "grid_path": selectors.area_path(post.grid)})


@login_required
def volunteers(request: HttpRequest) -> HttpResponse:
    form = NameFilterForm(request.GET or None)
    qs = selectors.name_filter(selectors.volunteers_visible_to(request.user), form.name_value())
    return render(request, "people/volunteers.html", {
        "form": form, "page": _page(request, qs),
        "allowed": scope_for(request.user).can(Capability.VIEW_RESIDENTS),
    })


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_object_or_404(selectors.volunteers_visible_to(request.user), pk=pk)
    return render(request, "people/volunteer_detail.html", {
        "volunteer": volunteer, "person": volunteer.person, "area_path": selectors.area_path(volunteer.area)})
