"""The volunteers' pages (phone first): activities to sign up for, one activity (with the organiser's
panel: the check-in/out code as QR and digits, the roster, hours to confirm), checking in with a
code, my history and certificate, teams; and the community's page to publish activities."""

from __future__ import annotations

import io
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area, Level
from grassroots.core import errors
from grassroots.portal.views import _district

from .certificate import certificate_pdf
from .models import CheckCode, Signup, Team
from .selectors import (
    activities_for,
    activity_visible,
    can_organise,
    managed_activities,
    my_hours,
    my_signups,
    roster,
    teams_of,
    volunteer_of,
)
from .services import (
    activity_close,
    activity_create,
    check,
    code_issue,
    hours_confirm,
    may_manage,
    signup,
    signup_cancel,
    team_create,
    team_join,
)


def resident_login_required(view):
    return login_required(view, login_url="portal:signin")


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _activity_or_404(request: HttpRequest, pk: int):
    activity = activity_visible(request.user, pk)
    if activity is None:
        raise Http404(_("没有这个活动"))
    return activity


@resident_login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    return _private(render(request, "volunteers/index.html", {
        "activities": activities_for(request.user, district)[:50], "volunteer": volunteer_of(request.user),
        "mine": {s.activity_id: s for s in my_signups(request.user)[:200]}, "active": "volunteers"}))


@resident_login_required
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    item = _activity_or_404(request, pk)
    organiser = can_organise(request.user, item)
    mine = Signup.objects.filter(activity=item, user=request.user).first()
    taken = item.signups.filter(status__in=("signed_up", "checked_in", "checked_out")).count()
    return _private(render(request, "volunteers/activity.html", {
        "item": item, "organiser": organiser, "mine": mine, "taken": taken, "active": "volunteers",
        "roster": roster(item) if organiser else None,
        "waiting": item.signups.filter(status="waitlisted").count()}))


@resident_login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    item = _activity_or_404(request, pk)
    try:
        row = signup(activity=item, user=request.user)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("报名成功") if row.status == "signed_up" else _("名额已满，已为您候补，有人取消时自动转正"))
    return redirect("volunteers:activity", pk=item.pk)


@resident_login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = _activity_or_404(request, pk)
    row = Signup.objects.filter(activity=item, user=request.user).first()
    if row is None:
        raise Http404(_("您没有报名这个活动"))
    try:
        signup_cancel(signup_row=row, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已取消报名"))
    return redirect("volunteers:activity", pk=item.pk)


@resident_login_required
@require_http_methods(["GET", "POST"])
def activity_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Type (or scan: the QR code opens this page with ?code=) the organiser's code."""
    item = _activity_or_404(request, pk)
    code = request.POST.get("code") or request.GET.get("code") or ""
    error = ""
    if request.method == "POST":
        try:
            row = check(activity=item, user=request.user, code=code)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("签到成功") if row.status == "checked_in" else
                             _("签退成功，本次志愿时长 %(h)s 小时，待组织者确认") % {"h": row.hours})
            return redirect("volunteers:activity", pk=item.pk)
    return _private(render(request, "volunteers/check.html", {"item": item, "code": code, "error": error,
                                                              "active": "volunteers"}, status=400 if error else 200))


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, dark="#222", light="#fff")


@resident_login_required
@require_GET
def activity_code(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The organiser's code panel (HTMX refreshes it before the code expires)."""
    item = _activity_or_404(request, pk)
    try:
        code = code_issue(activity=item, actor=request.user, kind=kind)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except ValidationError as exc:
        return HttpResponse(f'<p class="field-error">{"；".join(exc.messages)}</p>')
    url = request.build_absolute_uri(reverse("volunteers:check", args=[item.pk])) + f"?code={code.code}"
    return _private(render(request, "volunteers/_code.html", {
        "item": item, "code": code, "qr": mark_safe(_qr_svg(url)),  # noqa: S308 — segno's own SVG of our URL
        "kind_label": CheckCode.Kind(kind).label, "seconds": int((code.expires_at - timezone.now()).total_seconds())}))


@resident_login_required
@require_POST
def activity_confirm(request: HttpRequest, pk: int, signup_pk: int) -> HttpResponse:
    item = _activity_or_404(request, pk)
    row = Signup.objects.filter(activity=item, pk=signup_pk).first()
    if row is None:
        raise Http404(_("没有这条报名"))
    try:
        hours_confirm(signup_row=row, actor=request.user, hours=request.POST.get("hours") or None)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已确认时长"))
    return redirect("volunteers:activity", pk=item.pk)


@resident_login_required
@require_POST
def activity_finish(request: HttpRequest, pk: int) -> HttpResponse:
    item = _activity_or_404(request, pk)
    try:
        activity_close(activity=item, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("活动已结束，未签到的记为缺席"))
    return redirect("volunteers:activity", pk=item.pk)


@resident_login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "volunteers/me.html", {
        "rows": my_signups(request.user)[:200], "hours": my_hours(request.user), "volunteer": volunteer_of(request.user),
        "active": "volunteers"}))


@resident_login_required
@require_GET
def certificate(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("请先核验身份"))
    data, number = certificate_pdf(request.user, person.name)
    return FileResponse(io.BytesIO(data), content_type="application/pdf", filename=f"志愿服务时长证明-{number}.pdf")


@resident_login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    if request.method == "POST":
        team = Team.objects.filter(pk=request.POST.get("team") or 0, community__code__startswith=district.code).first()
        if team is None:
            raise Http404(_("没有这支服务队"))
        try:
            team_join(team=team, user=request.user)
        except ValidationError as exc:
            errors.flash(request, exc)
        else:
            messages.success(request, _("已加入%(t)s") % {"t": team.name})
        return redirect("volunteers:teams")
    volunteer = volunteer_of(request.user)
    joined = set(volunteer.team_memberships.values_list("team_id", flat=True)) if volunteer else set()
    return _private(render(request, "volunteers/teams.html", {"teams": teams_of(district), "joined": joined,
                                                              "active": "volunteers"}))


# --- publishing (community staff and team leaders) -------------------------------------------------------


def _when(value: str) -> datetime | None:
    parsed = parse_datetime((value or "").strip().replace(" ", "T"))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    communities = [c for c in Area.objects.under(district.code).filter(level=Level.COMMUNITY).order_by("code")
                   if may_manage(request.user, c.code)]
    leading = list(Team.objects.filter(members__role="leader", members__volunteer__person__user=request.user))
    if not communities and not leading and not request.user.is_superuser:
        raise PermissionDenied(_("志愿活动由社区工作人员或服务队队长发布"))
    problems: dict = {}
    if request.method == "POST":
        data = request.POST
        community = Area.objects.filter(code=data.get("community", ""), level=Level.COMMUNITY).first()
        try:
            if data.get("action") == "team":
                team_create(community=community, actor=request.user, name=data.get("name", ""),
                            description=data.get("description", ""))
                messages.success(request, _("服务队已成立"))
            else:
                team = Team.objects.filter(pk=data.get("team") or 0).first()
                slots = int(data.get("slots") or 0) if (data.get("slots") or "0").isdigit() else -1
                activity_create(community=community or (team.community if team else None), actor=request.user,
                                title=data.get("title", ""), place=data.get("place", ""),
                                starts_at=_when(data.get("starts_at", "")), ends_at=_when(data.get("ends_at", "")),
                                slots=slots, hours=data.get("hours") or None, description=data.get("description", ""),
                                team=team)
                messages.success(request, _("活动已发布"))
            return redirect("volunteers:manage")
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return _private(render(request, "volunteers/manage.html", {
        "communities": communities, "teams": list(Team.objects.filter(community__in=communities)) + leading,
        "activities": managed_activities(request.user).order_by("-starts_at")[:100], "errors": problems,
        "data": request.POST}, status=400 if problems else 200))
