"""The command center's pages: the area's screen, a grid's drill-down panel, the numbers as .xlsx.

The screen itself is static HTML; its script asks ``/api/command/overview`` for the figures (the
same ``selectors.overview`` as the export) and again every ``refresh`` seconds, without a reload.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.assessment.periods import PRESETS, Period, period_from
from grassroots.assessment.selectors import OutOfScope, can_view_kpis, kpi_area_get, kpi_roots
from grassroots.assessment.xlsx import XLSX_MIME
from grassroots.cases.models import Category
from grassroots.core.db_router import replica_reads

from .selectors import grid_panel, overview
from .xlsx import overview_xlsx

REFRESH_SECONDS = 60
MIN_REFRESH = 5


def period_of(request: HttpRequest) -> tuple[Period, str]:
    return period_from(request.GET, today=timezone.localdate())


def _area(user, code: str) -> Area:
    try:
        return kpi_area_get(user, code)
    except OutOfScope:
        raise Http404(_("区域不存在或不在您的管辖范围内")) from None


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _refresh(request: HttpRequest) -> int:
    try:
        return max(MIN_REFRESH, int(request.GET.get("refresh", REFRESH_SECONDS)))
    except ValueError:
        return REFRESH_SECONDS


@login_required
@require_GET
@never_cache
@replica_reads()  # a screen of figures: a few seconds behind is fine (docs/scale.md)
def center(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_view_kpis(user):
        return render(request, "assessment/no_role.html", status=403)
    period, error = period_of(request)
    code = request.GET.get("area", "")
    if code:
        area = _area(user, code)
    else:
        roots = kpi_roots(user)
        if len(roots) != 1:
            links = [(a, _url("command:center", area=a.code)) for a in roots]
            return render(request, "command/choose.html", {"links": links}, status=200 if roots else 403)
        area = roots[0]
    scope = scope_for(user)
    crumbs = [(a.name, _url("command:center", area=a.code, **period.query())
               if a.code != area.code and scope.can_at(Capability.VIEW_CASES, a.code) else "")
              for a in [*area.ancestors(), area]]
    keep = {"area": area.code, **period.query()}
    context = {
        "area": area, "period": period, "period_error": error, "breadcrumbs": crumbs,
        "period_links": [{"label": label, "url": _url("command:center", area=area.code, period=key),
                          "active": period.preset == key} for key, label in PRESETS.items()],
        "data_url": _url("api:command_overview", **keep),
        "shapes_url": reverse("api:area_grids_geojson", kwargs={"code": area.code}),
        "export_url": _url("command:export", **keep),
        "grid_url": reverse("command:grid", kwargs={"code": "CODE"}) + "?" + urlencode(period.query()),
        "assessment_url": _url("assessment:index", **keep),
        "categories": Category.objects.filter(level=1).order_by("code"),
        "tile_url": settings.GRASSROOTS_TILE_URL, "tile_attribution": settings.GRASSROOTS_TILE_ATTRIBUTION,
        "refresh": _refresh(request),
    }
    return render(request, "command/center.html", context)


@login_required
@require_GET
@never_cache
@replica_reads()  # a screen of figures: a few seconds behind is fine (docs/scale.md)
def grid(request: HttpRequest, code: str) -> HttpResponse:
    """A grid's panel (HTML fragment for the screen's side panel, or a page of its own)."""
    if not can_view_kpis(request.user):
        return render(request, "assessment/no_role.html", status=403)
    area = _area(request.user, code)
    if area.level != Level.GRID:
        raise Http404(_("区域不存在或不在您的管辖范围内"))
    period, _error = period_of(request)
    context = grid_panel(request.user, area, period)
    context["center_url"] = _url("command:center", area=area.code, **period.query())
    return render(request, "command/_grid.html", context)


@login_required
@require_GET
@replica_reads()  # a screen of figures: a few seconds behind is fine (docs/scale.md)
def export(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_view_kpis(user):
        return render(request, "assessment/no_role.html", status=403)
    area = _area(user, request.GET.get("area", ""))
    period, _error = period_of(request)
    data = overview(user, area, period=period)
    response = HttpResponse(overview_xlsx(data), content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"指挥中心-{area.name}-{period.start:%Y%m%d}-{period.last_day:%Y%m%d}.xlsx")
    add_never_cache_headers(response)
    return response
