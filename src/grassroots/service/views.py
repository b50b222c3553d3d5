"""The member's pages of 双报到 (phone first): register with the residential community, hold posts,
log service; and a unit's page to register with a community. The community's pages are in
``views_community.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area, Level
from grassroots.core import errors
from grassroots.portal.views import _district

from .forms import RecordForm, RegisterForm, UnitRegisterForm
from .models import Decision, Post, ServiceRecord
from .selectors import (
    held_posts,
    hours_of,
    posts_of,
    records_managed,
    registration_of,
    unit_registrations_of_units,
    units_of,
)
from .services import member_posts_set, member_register, service_record_submit, unit_register


def resident_login_required(view):
    return login_required(view, login_url="portal:signin")


def private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _communities(request: HttpRequest) -> list[Area]:
    district = _district(request)
    return list(Area.objects.under(district.code).filter(level=Level.COMMUNITY).select_related("parent").order_by("code"))


def _account_household(user) -> Area | None:
    account = getattr(user, "resident_account", None)
    return account.household if account is not None and account.verified else None


@resident_login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    reg = registration_of(request.user)
    context = {"reg": reg, "active": "service"}
    if reg is not None and reg.status == Decision.APPROVED:
        context |= {"posts": held_posts(reg), "all_posts": posts_of(reg.community), "hours": hours_of(reg),
                    "records": reg.records.select_related("post")[:30]}
    return private(render(request, "service/me.html", context))


@resident_login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    communities = _communities(request)
    household = _account_household(request.user)
    chosen = request.POST.get("community") or request.GET.get("community") or (
        household.code[:12] if household else "")
    community = next((c for c in communities if c.code == chosen), None)
    posts = list(posts_of(community)) if community else []
    person = getattr(request.user, "person", None)
    form = RegisterForm(request.POST or None, communities=communities, posts=posts, initial={
        "community": community.code if community else "", "name": person.name if person else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_register(user=request.user, name=data["name"], id_number=data["id_number"], community=community,
                            household=household if household and community and household.code.startswith(community.code)
                            else None, posts=[int(p) for p in data["posts"]])
        except ValidationError as exc:
            errors.into_form(form, exc)
        else:
            messages.success(request, _("已提交报到申请，社区审核后会通知您"))
            return redirect("service:me")
    return private(render(request, "service/register.html", {
        "form": form, "community": community, "posts": posts, "active": "service"},
        status=400 if form.errors else 200))


@resident_login_required
@require_POST
def posts_set(request: HttpRequest) -> HttpResponse:
    reg = registration_of(request.user)
    if reg is None:
        raise Http404(_("您还没有报到"))
    ids = [int(p) for p in request.POST.getlist("posts") if p.isdigit()]
    try:
        member_posts_set(registration=reg, actor=request.user, posts=ids)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("岗位已更新"))
    return redirect("service:me")


@resident_login_required
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    reg = registration_of(request.user)
    if reg is None or reg.status != Decision.APPROVED:
        messages.info(request, _("报到通过后才能记录服务"))
        return redirect("service:me")
    posts = held_posts(reg)
    form = RecordForm(request.POST or None, request.FILES or None, posts=posts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        post = Post.objects.filter(pk=data["post"], community=reg.community).first() if data["post"].isdigit() else None
        try:
            service_record_submit(registration=reg, actor=request.user, what=data["what"], served_on=data["served_on"],
                                  hours=data["hours"], post=post, photo=data["photo"])
        except ValidationError as exc:
            errors.into_form(form, exc)
        else:
            messages.success(request, _("已记录，社区核实后计入服务时长"))
            return redirect("service:me")
    return private(render(request, "service/record_new.html", {"form": form, "reg": reg, "active": "service"},
                          status=400 if form.errors else 200))


@login_required
@require_GET
def record_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A record's photo: for the member who logged it and the community that verifies it."""
    record = ServiceRecord.objects.select_related("registration").filter(pk=pk).first()
    if record is None or not record.photo or not (
            record.registration.user_id == request.user.pk or records_managed(request.user).filter(pk=pk).exists()):
        raise Http404(_("照片不存在"))
    response = FileResponse(record.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- a unit's own page ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def units(request: HttpRequest) -> HttpResponse:
    """单位报到: the units the user works for register with communities and see their registrations."""
    mine = list(units_of(request.user))
    if not mine and not request.user.is_superuser:
        raise PermissionDenied(_("单位报到由单位的经办人办理"))
    communities = _communities(request)
    form = UnitRegisterForm(request.POST or None, units=mine, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in mine if str(u.pk) == data["unit"]), None)
        community = next((c for c in communities if c.code == data["community"]), None)
        if unit is None:
            form.add_error("unit", _("请选择您所在的单位"))
        else:
            try:
                unit_register(unit=unit, community=community, actor=request.user, resources=data["resources"],
                              services=data["services"], volunteers=data["volunteers"] or 0,
                              venue_hours=data["venue_hours"], contact_name=data["contact_name"],
                              contact_phone=data["contact_phone"])
            except ValidationError as exc:
                errors.into_form(form, exc)
            else:
                messages.success(request, _("已提交单位报到，社区审核后会通知您"))
                return redirect("service:units")
    return private(render(request, "service/units.html", {
        "form": form, "rows": unit_registrations_of_units(request.user)}, status=400 if form.errors else 200))
