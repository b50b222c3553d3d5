"""The assessment pages: the ranking of the areas below an area (drill down by clicking), the
ranking of units, their .xlsx exports, and the page where district administrators edit the weights.

Thin views: the period and the area come from the query string, the area is fetched through the
scoped selector (outside the user's scope: 404, as if it did not exist), one selector computes the
ranking.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.core.db_router import replica_reads
from grassroots.core.i18n import source_label
from grassroots.core.models import AuditEntry

from .models import plain_number
from .periods import PRESETS, Period, period_from
from .selectors import (
    OutOfScope,
    Ranking,
    area_ranking,
    can_edit_settings,
    can_view_kpis,
    editable_districts,
    kpi_area_get,
    kpi_roots,
    kpi_settings_for,
    ranked_levels,
    unit_ids_of,
    unit_ranking,
)
from .services import MAX_INPUT, kpi_settings_update
from .xlsx import XLSX_MIME, ranking_xlsx

WEIGHT_FIELDS = ("response_weight", "resolution_weight", "satisfaction_weight", "basic_factor", "response_hours")


def _period(request: HttpRequest) -> tuple[Period, str]:
    return period_from(request.GET, today=timezone.localdate())


def _no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/no_role.html", status=403)


def _area(request: HttpRequest) -> Area:
    try:
        return kpi_area_get(request.user, request.GET.get("area", ""))
    except OutOfScope:
        raise Http404(_("区域不存在或不在您的管辖范围内")) from None


def _url(name: str, **params: str) -> str:
    params = {k: v for k, v in params.items() if v}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _breadcrumbs(user, area: Area, view: str, period: Period) -> list[tuple[str, str]]:
    scope = scope_for(user)
    out = []
    for a in [*area.ancestors(), area]:
        linked = a.code != area.code and scope.can_at(Capability.VIEW_CASES, a.code)
        out.append((a.name, _url(view, area=a.code, **period.query()) if linked else ""))
    return out


def _period_links(view: str, period: Period, **keep: str) -> list[dict]:
    return [{"key": key, "label": label, "url": _url(view, period=key, **keep), "active": period.preset == key}
            for key, label in PRESETS.items()]


def _common(*, view: str, period: Period, error: str, keep: dict) -> dict:
    return {"period": period, "period_error": error, "period_links": _period_links(view, period, **keep),
            "keep": keep, "view": view}


def _chooser(request: HttpRequest, roots: list[Area], view: str) -> HttpResponse:
    period, _error = _period(request)
    links = [(a, _url(view, area=a.code, **period.query())) for a in roots]
    return render(request, "assessment/choose.html", {"links": links})


def _drill_url(row_key: str, period: Period) -> str:
    if len(row_key) in (CODE_LENGTHS[Level.STREET], CODE_LENGTHS[Level.COMMUNITY], CODE_LENGTHS[Level.GRID]):
        return _url("assessment:index", area=row_key, **period.query())
    return ""


def _chart(ranking: Ranking, drill: bool) -> list[dict]:
    """The bars (best first) and, on each row, the link that drills down into it."""
    for r in ranking.rows:
        r.extra["url"] = _drill_url(r.key, ranking.period) if drill else ""
    return [{"name": r.name, "score": None if r.composite is None else round(r.composite * 100, 2),
             "url": r.extra["url"]} for r in ranking.rows]


def _scope_area(request: HttpRequest, view: str) -> Area | None | HttpResponse:
    """The area asked for (404 outside the scope), else the user's only one; a page to choose when
    they have several; None when they have none (a unit's handler)."""
    if request.GET.get("area"):
        return _area(request)
    roots = kpi_roots(request.user)
    if len(roots) > 1:
        return _chooser(request, roots, view)
    return roots[0] if roots else None


def _level(request: HttpRequest, area: Area) -> str:
    """The level to rank when the query names one that can be ranked in ``area``, else ""."""
    level = request.GET.get("level", "")
    return level if level in ranked_levels(area) else ""


def kpi_page(view):
    """A GET page for signed-in users with a case-viewing role; the others get the message."""
    @login_required
    @require_GET
    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_view_kpis(request.user):
            return _no_role(request)
        return view(request, *args, **kwargs)
    return page


@kpi_page
@replica_reads()  # rankings: a few seconds behind is fine (docs/scale.md)
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _scope_area(request, "assessment:index")
    if isinstance(area, HttpResponse):
        return area
    if area is None:
        return redirect("assessment:units") if unit_ids_of(user) else _no_role(request)
    period, error = _period(request)
    ranking = area_ranking(user=user, area=area, period=period, level=_level(request, area), compare=True)
    level = ranking.level if ranking.levels and ranking.level != ranking.levels[0] else ""
    keep = {"area": area.code, "level": level}
    context = _common(view="assessment:index", period=period, error=error, keep=keep)
    context.update({
        "ranking": ranking, "area": area, "breadcrumbs": _breadcrumbs(user, area, "assessment:index", period),
        "level_label": Level(ranking.level).label if ranking.level else "",
        "level_links": [{"label": Level(lv).label, "active": lv == ranking.level,
                         "url": _url("assessment:index", area=area.code, level=lv, **period.query())}
                        for lv in ranking.levels] if len(ranking.levels) > 1 else [],
        "chart": _chart(ranking, drill=True),
        "export_url": _url("assessment:export", area=area.code, level=level, **period.query()),
    })
    return render(request, "assessment/index.html", context)


@kpi_page
@replica_reads()  # rankings: a few seconds behind is fine (docs/scale.md)
def units(request: HttpRequest) -> HttpResponse:
    area = _scope_area(request, "assessment:units")
    if isinstance(area, HttpResponse):
        return area
    period, error = _period(request)
    ranking = unit_ranking(user=request.user, period=period, area=area, compare=True)
    keep = {"area": area.code if area else ""}
    context = _common(view="assessment:units", period=period, error=error, keep=keep)
    context.update({
        "ranking": ranking, "area": area,
        "breadcrumbs": _breadcrumbs(request.user, area, "assessment:units", period) if area else [],
        "chart": _chart(ranking, drill=False),
        "export_url": _url("assessment:units_export", area=keep["area"], **period.query()),
    })
    return render(request, "assessment/units.html", context)


def _xlsx(ranking: Ranking, *, title: str, filename: str, units: bool = False) -> HttpResponse:
    period = ranking.period
    response = HttpResponse(ranking_xlsx(ranking, title=title, units=units), content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}-{period.start:%Y%m%d}-{period.last_day:%Y%m%d}.xlsx")
    add_never_cache_headers(response)
    return response


@kpi_page
@replica_reads()  # rankings: a few seconds behind is fine (docs/scale.md)
def export(request: HttpRequest) -> HttpResponse:
    area = _scope_area(request, "assessment:index")
    if not isinstance(area, Area):
        raise Http404(_("请先选择区域"))
    period, _error = _period(request)
    ranking = area_ranking(user=request.user, area=area, period=period, level=_level(request, area))
    ranked = f"{source_label(Level, ranking.level)}排名" if ranking.level else "考核情况"
    return _xlsx(ranking, title=f"{area.name}{ranked}（接诉即办考核）", filename=f"考核排名-{area.name}")


@kpi_page
@replica_reads()  # rankings: a few seconds behind is fine (docs/scale.md)
def units_export(request: HttpRequest) -> HttpResponse:
    area = _scope_area(request, "assessment:units")
    if isinstance(area, HttpResponse):
        raise Http404(_("请先选择区域"))
    period, _error = _period(request)
    ranking = unit_ranking(user=request.user, period=period, area=area)
    name = area.name if area else "本单位"
    return _xlsx(ranking, title=f"{name}承办单位排名（接诉即办考核）", filename=f"承办单位排名-{name}", units=True)


# --- the weights -------------------------------------------------------------------------------------


def _weight_districts(user) -> list[Area]:
    """Districts whose parameters the user may see: those they administer, and those of their areas."""
    codes = {a.code for a in editable_districts(user)} | {a.code[:6] for a in kpi_roots(user)}
    return list(Area.objects.filter(code__in=codes, level=Level.DISTRICT).order_by("code"))


def _params_text(values: dict) -> str:
    """0.1 / 0.5 / 0.4 · 0.9 · 24h (the columns of the history table name them)."""
    if not values:
        return "—"
    w = " / ".join(plain_number(values.get(k)) for k in WEIGHT_FIELDS[:3])
    return f"{w} · {plain_number(values.get('basic_factor'))} · {values.get('response_hours')}h"


def _history(district_code: str) -> list[dict]:
    entries = (AuditEntry.objects.filter(action="assessment.kpi_settings_update", district_code=district_code)
               .select_related("actor").order_by("-at", "-pk")[:10])
    return [{"at": e.at, "actor": e.actor, "before": _params_text(e.detail.get("previous") or {}),
             "after": _params_text(e.detail.get("new") or {})} for e in entries]


@login_required
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    if not can_view_kpis(request.user) and not editable_districts(request.user):
        return _no_role(request)
    districts = _weight_districts(request.user)
    data = request.POST if request.method == "POST" else request.GET
    code = data.get("district") or (districts[0].code if districts else "")
    district = next((d for d in districts if d.code == code), None)
    if district is None:
        raise Http404(_("区县不存在或不在您的管辖范围内"))
    current = kpi_settings_for(district.code)
    editable = can_edit_settings(request.user, district.code)
    values = {name: getattr(current, name) for name in WEIGHT_FIELDS}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in WEIGHT_FIELDS}
        try:
            current = kpi_settings_update(district_code=district.code, actor=request.user, **values)
        except PermissionDenied as exc:
            errors, status = {"__all__": [str(exc)]}, 403
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            messages.success(request, _("已保存新的考核参数，排名已按新参数计算。"))
            return redirect(_url("assessment:weights", district=district.code))
        values = {name: value[:MAX_INPUT] for name, value in values.items()}  # as typed, but bounded
    return render(request, "assessment/weights.html", {
        "district": district, "districts": districts, "current": current, "values": values,
        "errors": errors, "general_errors": errors.get("__all__", []), "editable": editable,
        "history": _history(district.code),
    }, status=status)
