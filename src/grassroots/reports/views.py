"""The monthly reports' pages: the list (last month's report of each of the user's areas, one click
away; any month on request; the reports made before), one report with its progress bar (HTMX polls
it until the files are there), and the downloads. Outside the user's areas: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grassroots.areas.models import Area
from grassroots.core import errors
from grassroots.registers.xlsx import XLSX_MIME

from .models import MonthlyReport
from .months import month_bounds_ym, month_label, month_of, previous_month
from .selectors import can_view_reports, report_area_get, report_areas, report_get_for, reports_visible_to
from .services import report_request
from .storage import file_response


def month_text(month: str) -> str:
    """"2026年3月" (in English "3/2026") for the pages; the files stay in Chinese."""
    year, mon = month_bounds_ym(month)
    return _("%(year)s年%(month)s月") % {"year": year, "month": mon}


def private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/no_role.html", status=403)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not can_view_reports(request.user):
        return _no_role(request)
    today = timezone.localdate()
    last = previous_month(today)
    areas = report_areas(request.user)
    rows = reports_visible_to(request.user)
    latest = {r.area_id: r for r in rows.filter(month=last, area__in=areas)}
    return private(render(request, "reports/index.html", {
        "areas": [(a, latest.get(a.pk)) for a in areas], "last": last, "last_label": month_text(last),
        "this_month": month_of(today), "reports": rows.order_by("-month", "area__code")[:100],
    }))


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    try:
        area = report_area_get(request.user, request.POST.get("area", ""))
    except Area.DoesNotExist:
        raise Http404(_("区域不存在或不在您的管辖范围内")) from None
    try:
        report, created = report_request(area=area, month=request.POST.get("month", ""), actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
        return redirect("reports:index")
    if created:
        messages.success(request, _("已开始生成，请稍候"))
    elif report.busy:
        messages.info(request, _("这份报告正在生成中"))
    return redirect("reports:detail", pk=report.pk)


def _report(request: HttpRequest, pk: int) -> MonthlyReport:
    try:
        return report_get_for(request.user, pk)
    except MonthlyReport.DoesNotExist:
        raise Http404(_("没有这份月度报告，或不在您的管辖范围内")) from None


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    template = "reports/_status.html" if request.headers.get("HX-Request") else "reports/detail.html"
    return private(render(request, template, {"report": report, "label": month_text(report.month)}))


@login_required
@require_GET
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    report = _report(request, pk)
    if kind not in ("xlsx", "pdf") or not report.ready:
        raise Http404(_("这份月度报告还没有生成完成"))
    name = f"{report.area.name}{month_label(report.month)}月度报告.{kind}"
    mime = XLSX_MIME if kind == "xlsx" else "application/pdf"
    return private(file_response(report.xlsx if kind == "xlsx" else report.pdf, mime=mime, filename=name,
                                 attachment=kind == "xlsx"))
