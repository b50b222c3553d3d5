"""The hot-problem pages: rising problems of a week (and the .xlsx of the list), one series with
its chart and cases, and the clusters of the same problem across grids.

Thin views: the week and the area come from the query string (an area outside the user's scope is
a 404), the selectors compute, the template renders.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grassroots.areas.models import Area, Level
from grassroots.cases.models import Category

from . import rising, stats
from .clusters import PERIOD_WEEKS, cases_of, clusters_for
from .selectors import managed_streets
from .xlsx import XLSX_MIME, rising_xlsx


def hot_page(view):
    @login_required
    @require_GET
    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not rising.can_view(request.user):
            return render(request, "hotspots/no_role.html", status=403)
        return view(request, *args, **kwargs)
    return page


def week_of(request: HttpRequest):
    """(Monday, error, status): the week asked for, else the default week with the reason. A week
    that is no week ("下周", "0001-W01": the years run 1900–2200) is the client's mistake, answered
    400 with the default week's page and the message; a future week is shown as this week (200)."""
    raw = request.GET.get("week", "")
    if not raw:
        return rising.default_week(), "", 200
    try:
        monday = stats.week_parse(raw)
    except ValueError as exc:
        return rising.default_week(), str(exc), 400
    if monday > rising.current_week():
        return rising.current_week(), _("不能选择未来的周，已显示本周"), 200
    return monday, "", 200


def area_of(request: HttpRequest) -> Area | None:
    code = request.GET.get("area", "")
    if not code:
        return None
    try:
        return rising.area_get(request.user, code)
    except rising.OutOfScope:
        raise Http404(_("区域不存在或不在您的管辖范围内")) from None


def url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _common(request: HttpRequest, view: str, monday, error: str, area: Area | None) -> dict:
    label = stats.week_label(monday)
    prev, nxt = monday - timedelta(weeks=1), monday + timedelta(weeks=1)
    code = area.code if area else ""
    return {
        "week": monday, "week_label": label, "week_end": monday + timedelta(days=6), "week_error": error,
        "area": area, "area_code": code, "areas": rising.area_choices(request.user),
        "prev_url": url(view, week=stats.week_label(prev), area=code),
        "next_url": url(view, week=stats.week_label(nxt), area=code) if nxt <= rising.current_week() else "",
        "rising_url": url("hotspots:index", week=label, area=code),
        "clusters_url": url("hotspots:clusters", week=label, area=code),
        "can_promote": bool(managed_streets(request.user)),
    }


LEVEL_CHOICES = [(Level.STREET, Level.STREET.label), (Level.COMMUNITY, Level.COMMUNITY.label),
                 (Level.GRID, Level.GRID.label)]


def _level(request: HttpRequest) -> str:
    level = request.GET.get("level", "")
    return level if level in rising.LEVELS else ""


def _rows(items, monday) -> list[dict]:
    label = stats.week_label(monday)
    return [{"hot": h, "url": url("hotspots:rising", area=h.code, category=h.category_id, week=label),
             "level_label": Level(h.level).label} for h in items]


@hot_page
def index(request: HttpRequest) -> HttpResponse:
    monday, error, status = week_of(request)
    area = area_of(request)
    level = _level(request)
    items = rising.rising_problems(request.user, week=monday, area=area, level=level)
    context = _common(request, "hotspots:index", monday, error, area)
    context.update({
        "rows": _rows(items, monday), "level": level, "levels": LEVEL_CHOICES,
        "export_url": url("hotspots:export", week=context["week_label"], area=context["area_code"], level=level),
        "chart": [{"name": f"{h.name} · {h.category.split(' › ')[-1]}", "count": h.score.count,
                   "baseline": h.score.baseline} for h in items[:10]],
        "rules": {"weeks": stats.BASELINE_WEEKS, "min_count": stats.MIN_COUNT, "alpha": stats.ALPHA,
                  "floor": stats.RATE_FLOOR, "excess": stats.MIN_EXCESS},
    })
    return render(request, "hotspots/index.html", context, status=status)


@hot_page
def export(request: HttpRequest) -> HttpResponse:
    monday, error, status = week_of(request)
    if status == 400:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    area = area_of(request)
    items = rising.rising_problems(request.user, week=monday, area=area, level=_level(request), limit=1000)
    name = area.name if area else _("全部")
    response = HttpResponse(rising_xlsx(items, title=f"{name} {stats.week_label(monday)} 上升问题"),
                            content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"上升问题-{name}-{stats.week_label(monday)}.xlsx")
    add_never_cache_headers(response)
    return response


@hot_page
def rising_detail(request: HttpRequest) -> HttpResponse:
    monday, error, status = week_of(request)
    area = area_of(request)
    if area is None or area.level not in rising.LEVELS:
        raise Http404(_("请指定街道、社区或网格"))
    try:
        category = Category.objects.get(pk=int(request.GET.get("category", "")))
    except (ValueError, Category.DoesNotExist):
        raise Http404(_("类别不存在")) from None
    series = rising.series_for(request.user, area=area, category_id=category.pk, week=monday)
    context = _common(request, "hotspots:index", monday, error, area)
    label = context["week_label"]
    context.update({
        "series": series, "category": category, "cases": cases_of(request.user, series.case_ids)[:200],
        "chart": {"weeks": [stats.week_label(w) for w in series.weeks], "counts": series.counts,
                  "baselines": series.baselines, "thresholds": series.thresholds},
        "promote_url": url("hotspots:promote", source="rising", area=area.code, category=category.pk, week=label)
        if series.score.rising and context["can_promote"] else "",
    })
    return render(request, "hotspots/rising.html", context, status=status)


@hot_page
def clusters(request: HttpRequest) -> HttpResponse:
    monday, error, status = week_of(request)
    area = area_of(request)
    items = clusters_for(request.user, week=monday, area=area)[:50]
    context = _common(request, "hotspots:clusters", monday, error, area)
    label = context["week_label"]
    rows = []
    for c in items:
        rows.append({"cluster": c, "cases": cases_of(request.user, c.case_ids)[:30],
                     "promote_url": url("hotspots:promote", source="cluster", key=c.key, week=label,
                                        area=context["area_code"]) if context["can_promote"] else ""})
    context.update({"rows": rows, "period_start": monday - timedelta(weeks=PERIOD_WEEKS - 1),
                    "period_weeks": PERIOD_WEEKS})
    return render(request, "hotspots/clusters.html", context, status=status)
