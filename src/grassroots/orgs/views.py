"""Pages about Party organisations and units. Thin: read through ``selectors``, render.

An organisation or unit outside the user's scope is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.people.selectors import area_path, party_members_visible_to

from . import selectors
from .models import PartyLevel, UnitKind

PAGE_SIZE = 50


@login_required
def party(request: HttpRequest) -> HttpResponse:
    """The five-level Party structure the user may see, as an indented tree with member counts."""
    user = request.user
    roots = selectors.party_tree_for(user)
    rows = [(depth, node) for root in roots for depth, node in root.walk()]
    return render(request, "orgs/party.html", {
        "rows": rows, "summary": selectors.party_level_summary(user),
        "allowed": scope_for(user).can(Capability.VIEW_PARTY),
    })


@login_required
def party_org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_object_or_404(selectors.party_orgs_visible_to(user), pk=pk)
    members = party_members_visible_to(user).filter(org=org)
    return render(request, "orgs/party_org_detail.html", {
        "org": org, "area_path": area_path(org.area),
        "parent_visible": selectors.party_orgs_visible_to(user).filter(pk=org.parent_id).exists(),
        "children": selectors.party_children(user, org),
        "page": Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")),
        "seats": selectors.seats_of_committee(org) if org.level == PartyLevel.COMMUNITY_COMMITTEE else [],
        "units": selectors.units_of_party_org(user, org),
    })


@login_required
def units(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind", "")
    kind = kind if kind in UnitKind.values else ""
    name = request.GET.get("name", "")[:50]
    red_only = request.GET.get("red") == "1"
    qs = selectors.units_filter(selectors.units_visible_to(user), kind=kind, name=name, red_only=red_only)
    return render(request, "orgs/units.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "kinds": UnitKind.choices, "kind": kind, "name": name, "red_only": red_only,
        "allowed": scope_for(user).can(Capability.VIEW_UNITS),
    })


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    party_visible = unit.party_org_id is not None and selectors.party_orgs_visible_to(
        request.user).filter(pk=unit.party_org_id).exists()
    return render(request, "orgs/unit_detail.html", {
        "unit": unit, "party_visible": party_visible, "area_path": area_path(unit.area),
        "seats": selectors.seats_of_unit(unit), "duties": selectors.duties_of_unit(unit),
    })
