"""The woodpeckers' pages: the quick-report app (phone first, works with no signal: manifest + service
worker + a queue in the phone's storage), joining, the community's roster, the grid worker's list of
reports to judge."""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area, Level
from grassroots.core import errors
from grassroots.core.services import export_audit
from grassroots.portal.views import _district
from grassroots.registers.xlsx import XLSX_MIME, rows_bytes

from .forms import DecideForm, JoinForm
from .models import Group, QuickReport, Woodpecker
from .selectors import (
    communities,
    is_grid_staff,
    may_see_roster,
    my_reports,
    reports_to_judge,
    roster_visible_to,
    woodpecker_of,
)
from .services import QUICK_CATEGORIES, QUICK_LABELS, quick_report_judge, woodpecker_apply, woodpecker_decide

SHELL_STATIC = ["woodpeckers/app.js", "woodpeckers/app.css", "portal/portal.css", "web/site.css",
                "vendor/htmx/htmx.min.js", "woodpeckers/icon-192.png", "woodpeckers/icon-512.png"]


def resident_login_required(view):
    return login_required(view, login_url="portal:signin")


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@resident_login_required
@require_GET
def app(request: HttpRequest) -> HttpResponse:
    """随手拍: photo, location, one tap on a category. Reports wait in the phone until they are sent."""
    woodpecker = woodpecker_of(request.user)
    staff = is_grid_staff(request.user)
    can_report = staff or (woodpecker is not None and woodpecker.active)
    return _private(render(request, "woodpeckers/app.html", {
        "woodpecker": woodpecker, "staff": staff, "can_report": can_report, "active": "woodpecker",
        "categories": [(k, label) for k, label, _p in QUICK_CATEGORIES], "labels_json": json.dumps(QUICK_LABELS),
        "reports": my_reports(request.user)[:20]}))


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {"name": "啄木鸟随手拍 · 基层治理平台", "short_name": "随手拍", "lang": "zh-CN",
            "start_url": reverse("woodpeckers:app"), "scope": reverse("woodpeckers:app"), "display": "standalone",
            "background_color": "#f6f5f2", "theme_color": "#c8102e",
            "icons": [{"src": static("woodpeckers/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                      {"src": static("woodpeckers/icon-512.png"), "sizes": "512x512", "type": "image/png"}]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with the app shell's static URLs as this installation serves them (hashed
    names in production); its cache name changes whenever one of them does."""
    shell = [reverse("woodpeckers:app"), reverse("woodpeckers:manifest")] + [static(p) for p in SHELL_STATIC]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    response = render(request, "woodpeckers/sw.js", {"shell_json": json.dumps(shell), "version": version},
                      content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("woodpeckers:app")
    response["Cache-Control"] = "no-cache"
    return response


@resident_login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    places = list(communities(district))
    current = woodpecker_of(request.user)
    form = JoinForm(request.POST or None, communities=places,
                    initial={"name": getattr(getattr(request.user, "person", None), "name", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = Area.objects.filter(code=data["community"], level=Level.COMMUNITY).first() if data["community"] else None
        try:
            woodpecker_apply(user=request.user, name=data["name"], community=community, group=data["group"],
                             duties=data["duties"], platform=data["platform"])
        except ValidationError as exc:
            errors.into_form(form, exc)
        else:
            messages.success(request, _("申请已提交，社区审核通过后就可以随手拍上报"))
            return redirect("woodpeckers:app")
    return _private(render(request, "woodpeckers/join.html", {"form": form, "current": current, "active": "woodpecker"},
                           status=400 if form.errors else 200))


# --- staff --------------------------------------------------------------------------------------------


def _roster_staff(view):
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not may_see_roster(request.user):
            raise PermissionDenied(_("啄木鸟队伍由社区工作人员管理"))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return login_required(wrapper)


@_roster_staff
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    rows = roster_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Woodpecker.Status.values:
        rows = rows.filter(status=status)
    group = request.GET.get("group", "")
    if group in Group.values:
        rows = rows.filter(group=group)
    return _private(render(request, "woodpeckers/roster.html", {
        "rows": rows[:500], "status": status, "group": group, "statuses": Woodpecker.Status.choices,
        "groups": Group.choices, "applied": roster_visible_to(request.user).filter(status="applied").count()}))


@_roster_staff
@require_GET
def roster_xlsx(request: HttpRequest) -> HttpResponse:
    headers = ["姓名", "社区", "身份", "五员", "平台/单位", "状态", "入队时间", "上报", "有效"]
    rows = [[w.name, w.community.name, w.get_group_display(), "、".join(w.duty_labels()), w.platform,
             w.get_status_display(), w.joined_at.strftime("%Y-%m-%d") if w.joined_at else "", w.report_count, w.valid_count]
            for w in roster_visible_to(request.user)[:20000]]
    export_audit(actor=request.user, kind="woodpecker.roster", object_type="woodpeckers.woodpecker", rows=len(rows),
                 fields=headers, filters={"scope": "visible_to_user"})
    response = HttpResponse(rows_bytes("啄木鸟队员", headers, rows), content_type=XLSX_MIME)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%95%84%E6%9C%A8%E9%B8%9F%E9%98%9F%E5%91%98.xlsx"
    return response


@_roster_staff
@require_POST
def roster_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = roster_visible_to(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这位队员，或不在您的社区"))
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意"))
        return redirect("woodpeckers:roster")
    try:
        woodpecker_decide(woodpecker=row, actor=request.user, approve=form.cleaned_data["decision"] == "yes",
                          reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已审核：%(name)s") % {"name": row.name})
    return redirect(reverse("woodpeckers:roster") + "?status=applied")


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    rows = reports_to_judge(request.user)
    if not is_grid_staff(request.user) and not request.user.is_superuser:
        raise PermissionDenied(_("随手拍由网格员核实"))
    status = request.GET.get("status", QuickReport.Status.PENDING)
    if status in QuickReport.Status.values:
        rows = rows.filter(status=status)
    return _private(render(request, "woodpeckers/reports.html", {
        "rows": rows[:200], "status": status, "labels": QUICK_LABELS,
        "statuses": [s for s in QuickReport.Status.choices if s[0] != QuickReport.Status.PATROL]}))


@login_required
@require_POST
def judge(request: HttpRequest, pk: int) -> HttpResponse:
    row = reports_to_judge(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这条随手拍，或不在您的网格"))
    back = reverse("cases:detail", args=[row.case_id]) if request.POST.get("next") == "case" else reverse("woodpeckers:reports")
    try:
        quick_report_judge(report=row, actor=request.user, valid=request.POST.get("valid") == "yes",
                           reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已核实"))
    return redirect(back)
