"""Pages of the star ratings: the year's table of the branches in the user's scope (stars, total, the
five basics, the change on last year; compute, submit and publish), a branch's page (each criterion
with its score and evidence, the inspectors' form, the versions and years), the ``.xlsx`` export,
and the public page of a community's published stars."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.areas.models import Area, Level
from grassroots.core import errors

from . import exports, selectors
from .jobs import latest_job, star_compute_request
from .models import Basic, StarCriterion, StarRating
from .selectors import access_for
from .services import (
    scheme_ensure,
    star_inspector_score,
    star_rating_compute,
    star_rating_publish,
    star_rating_submit,
)


def _year(raw, default: int) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _district(request) -> Area:
    districts = selectors.districts_of(request.user)
    if not districts:
        raise PermissionDenied(_("星级评定由街道、区级组织部门管理员评定；党组织书记可查看本支部的评定"))
    code = request.GET.get("d") or request.POST.get("d") or ""
    return next((d for d in districts if d.code == code), districts[0])


def _default_year(district_code: str) -> int:
    this = timezone.localdate().year
    years = list(selectors.schemes(district_code).values_list("year", flat=True)[:20])
    return this if this in years or not years else years[0]


def stars_text(n: int) -> str:
    return "★" * n + "☆" * (5 - n)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    access = access_for(request.user)
    year = _year(request.GET.get("year") or request.POST.get("year"), _default_year(district.code))
    under = (request.GET.get("area") or request.POST.get("area") or "").strip()[:22]
    if under and not under.startswith(district.code):
        under = ""
    scheme = selectors.scheme_of(district.code, year)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "scheme":
                scheme_ensure(district_code=district.code, year=year, actor=request.user)
                messages.success(request, _("已建立 %(year)d 年度评定方案") % {"year": year})
            elif scheme is None:
                raise ValidationError({"__all__": [_("本年度还没有评定方案")]})
            elif action == "compute":
                started = time.monotonic()
                job, n = star_compute_request(scheme=scheme, actor=request.user, under=under)
                if job is None:
                    messages.success(request, _("已计算 %(n)d 个党支部（用时 %(s).1f 秒）") % {
                        "n": n, "s": time.monotonic() - started})
                else:
                    messages.success(request, _("%(n)d 个党支部已交后台计算，稍后刷新本页查看") % {"n": n})
            elif action == "submit":
                n = star_rating_submit(scheme=scheme, actor=request.user, under=under)
                messages.success(request, _("已上报 %(n)d 个党支部的评定") % {"n": n})
            elif action == "publish":
                n = star_rating_publish(scheme=scheme, actor=request.user)
                messages.success(request, _("已发布 %(n)d 个党支部的评定") % {"n": n})
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
        except (PermissionDenied, ValidationError) as exc:
            errors.flash(request, exc)
        query = f"?d={district.code}&year={year}" + (f"&area={under}" if under else "")
        return redirect(request.path + query)
    rows = selectors.year_table(request.user, district.code, scheme, under)
    counts = {s: 0 for s in StarRating.Status.values}
    stars = [0] * 6
    for r in rows:
        if r.rating is not None:
            counts[r.rating.status] += 1
            stars[r.rating.stars] += 1
    return render(request, "stars/index.html", {
        "district": district, "districts": selectors.districts_of(request.user), "year": year, "scheme": scheme,
        "years": list(selectors.schemes(district.code).values_list("year", flat=True)[:20]),
        "rows": rows, "basics": Basic.choices, "under": under, "areas": selectors.filter_areas(request.user, district.code),
        "may_rate": access.superuser or any(c.startswith(district.code) or district.code.startswith(c)
                                            for c in access.rate),
        "may_publish": access.can_publish(district.code), "counts": counts,
        "unrated": sum(1 for r in rows if r.rating is None),
        "star_counts": [(n, stars_text(n), stars[n]) for n in range(5, -1, -1)],
        "this_year": timezone.localdate().year, "job": latest_job(scheme, under) if scheme else None,
    })


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    year = _year(request.GET.get("year"), _default_year(district.code))
    scheme = selectors.scheme_of(district.code, year)
    if scheme is None:
        raise Http404(_("本年度还没有评定方案"))
    under = (request.GET.get("area") or "").strip()[:22]
    under = under if under.startswith(district.code) else ""
    rows = selectors.year_table(request.user, district.code, scheme, under)
    return exports.ratings_xlsx(scheme, rows, request.user, under=under)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.branch_visible(request.user, pk)
    if org is None:
        raise Http404(_("没有这个党支部，或不在您的管辖范围"))
    access = access_for(request.user)
    district_code = org.area.code[:6]
    year = _year(request.GET.get("year") or request.POST.get("year"), _default_year(district_code))
    scheme = selectors.scheme_of(district_code, year)
    rating = selectors.current_ratings(scheme, [org.pk]).get(org.pk) if scheme else None
    may_rate = access.can_rate(org.area.code)
    problems: dict = {}
    form: dict = {}
    if request.method == "POST":
        if not may_rate:
            raise Http404(_("没有这个党支部，或不在您的管辖范围"))
        action = request.POST.get("action", "")
        try:
            if scheme is None:
                raise ValidationError({"__all__": [_("本年度还没有评定方案")]})
            if action == "compute":
                star_rating_compute(scheme=scheme, org=org, actor=request.user)
                messages.success(request, _("已重新计算"))
            elif action == "score":
                criterion = StarCriterion.objects.filter(scheme=scheme, pk=request.POST.get("criterion") or 0).first()
                if criterion is None:
                    raise ValidationError({"criterion": [_("请选择评定内容")]})
                if rating is None:
                    rating = star_rating_compute(scheme=scheme, org=org, actor=request.user)
                star_inspector_score(rating=rating, criterion=criterion, points=request.POST.get("points"),
                                     note=request.POST.get("note", ""), actor=request.user)
                messages.success(request, _("已保存“%(name)s”的得分") % {"name": criterion.name})
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            return redirect(f"{request.path}?year={year}")
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
        form = {"criterion": request.POST.get("criterion", ""), "points": request.POST.get("points", ""),
                "note": request.POST.get("note", "")}
        rating = selectors.current_ratings(scheme, [org.pk]).get(org.pk) if scheme else None
    scores = {s.criterion_id: s for s in rating.scores.select_related("scored_by")} if rating else {}
    lines = []
    if scheme is not None:
        for c in scheme.criteria.all():
            lines.append({"criterion": c, "score": scores.get(c.pk),
                          "editable": may_rate and not c.automatic and rating is not None and not rating.frozen
                          or may_rate and not c.automatic and rating is None,
                          "form": form if str(c.pk) == form.get("criterion") else {}})
    return render(request, "stars/branch.html", {
        "org": org, "year": year, "scheme": scheme, "rating": rating, "lines": lines, "may_rate": may_rate,
        "problems": problems, "history": list(selectors.rating_history(org)[:50]),
        "events": list(rating.events.select_related("actor")[:50]) if rating else [],
        "basics": Basic.choices, "stars_text": stars_text(rating.stars) if rating else "",
        "years": list(selectors.schemes(district_code).values_list("year", flat=True)[:20]),
        "community": Area.objects.filter(code=org.area.code[:12], level=Level.COMMUNITY).first(),
    })


@require_GET
def public(request: HttpRequest, code: str) -> HttpResponse:
    """A community's (or street's) published stars: no login, names and stars only."""
    area = Area.objects.filter(code=code[:22], level__in=(Level.STREET, Level.COMMUNITY, Level.GRID)).first()
    if area is None:
        raise Http404(_("没有这个社区"))
    scheme, ratings = selectors.public_ratings(area)
    return render(request, "stars/public.html", {
        "area": area, "scheme": scheme,
        "rows": [{"rating": r, "stars_text": stars_text(r.stars)} for r in ratings],
    })
