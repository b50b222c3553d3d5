"""Pages of the two-way evaluation: the units ranked by the evaluations they received, the
dispatching areas ranked by the units' evaluations of their dispatches, the pairs waiting for the
user's rating (with the forms), the ``.xlsx`` of both rankings, and the two rating posts (from the
case page's panel or the waiting list)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from grassroots.areas.models import CODE_LENGTHS, Level
from grassroots.cases.models import Case
from grassroots.cases.selectors import staff_cases_for
from grassroots.core import errors
from grassroots.orgs.models import Unit

from . import exports, rules, selectors
from .panels import STARS
from .periods import Period, period_from, this_month
from .services import dispatch_evaluation_create, unit_evaluation_create

LEVELS = {"street": CODE_LENGTHS[Level.STREET], "community": CODE_LENGTHS[Level.COMMUNITY]}


def _gate(request: HttpRequest) -> None:
    if not selectors.may_see_pages(request.user):
        raise PermissionDenied(_("双向评价由受理派单的街道、社区和承办单位使用"))


def _period(request: HttpRequest) -> tuple[Period, dict]:
    try:
        return period_from(request.GET.get("start", ""), request.GET.get("end", "")), {}
    except ValidationError as exc:
        return this_month(), errors.by_field(exc)


def _level(request: HttpRequest) -> str:
    level = request.GET.get("level", "")
    return level if level in LEVELS else "community"


def _page(request, template: str, tab: str, **context) -> HttpResponse:
    """The page; a period that is wrong shows this month's with the message, answered as a 400."""
    period, problems = _period(request)
    context.setdefault("period", period)
    return render(request, template, {"tab": tab, "period": period, "errors": problems,
                                      "active": "evaluation", "stars": STARS, **context},
                  status=400 if problems else 200)


@login_required
@require_GET
@never_cache
def units(request: HttpRequest) -> HttpResponse:
    _gate(request)
    period, _problems = _period(request)
    rows = selectors.unit_ranking(request.user, period.start_at, period.end_at)
    return _page(request, "evaluation/units.html", "units", rows=rows, level=_level(request))


@login_required
@require_GET
@never_cache
def dispatches(request: HttpRequest) -> HttpResponse:
    _gate(request)
    period, _problems = _period(request)
    level = _level(request)
    rows = selectors.dispatch_ranking(request.user, LEVELS[level], period.start_at, period.end_at)
    return _page(request, "evaluation/dispatches.html", "dispatches", rows=rows, level=level,
                 levels=[("community", _("按社区")), ("street", _("按街道"))])


@login_required
@require_GET
@never_cache
def awaiting(request: HttpRequest) -> HttpResponse:
    _gate(request)
    return _page(request, "evaluation/awaiting.html", "awaiting", level=_level(request),
                 units_todo=selectors.units_to_rate(request.user),
                 dispatches_todo=selectors.dispatches_to_rate(request.user))


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _gate(request)
    period, problems = _period(request)
    level = _level(request)
    if problems:  # the ranking page with the message, never this month's file in place of the one asked for
        rows = selectors.unit_ranking(request.user, period.start_at, period.end_at)
        return _page(request, "evaluation/units.html", "units", rows=rows, level=level)
    return exports.rankings_xlsx(
        units=selectors.unit_ranking(request.user, period.start_at, period.end_at),
        areas=selectors.dispatch_ranking(request.user, LEVELS[level], period.start_at, period.end_at),
        period=period, actor=request.user)


# --- rating -------------------------------------------------------------------------------------------


def case_for_rating(user, pk: int, unit_id: int) -> tuple[Case, Unit]:
    """The case and unit when the user sees the case or may rate on it; a 404 otherwise (never a 403
    that confirms another place's case exists)."""
    case = Case.objects.select_related("assigned_area").filter(pk=pk).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    if case is None or unit is None:
        raise Http404(_("诉求不存在或您无权查看"))
    if staff_cases_for(user).filter(pk=pk).exists():
        return case, unit
    pair = rules.pair_of(case, unit.pk)
    if pair is not None and (rules.may_rate_unit(user, pair) or rules.may_rate_dispatch(user, pair)):
        return case, unit
    raise Http404(_("诉求不存在或您无权查看"))


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return redirect(target)
    if staff_cases_for(request.user).filter(pk=case.pk).exists():
        return redirect(reverse("cases:detail", args=[case.pk]) + "#evaluation")
    return redirect("evaluation:awaiting")


def _rate(request: HttpRequest, pk: int, unit_id: int, service, fields: tuple[str, ...], done: str) -> HttpResponse:
    case, unit = case_for_rating(request.user, pk, unit_id)
    try:
        service(case=case, unit=unit, actor=request.user, comment=request.POST.get("comment", ""),
                **{f: request.POST.get(f, "") for f in fields})
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, done)
    return _back(request, case)


@login_required
@require_POST
def rate_unit(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    return _rate(request, pk, unit_id, unit_evaluation_create, ("speed", "attitude", "result"),
                 _("已评价承办单位的办理"))


@login_required
@require_POST
def rate_dispatch(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    return _rate(request, pk, unit_id, dispatch_evaluation_create, ("clear", "owner", "deadline"),
                 _("已评价这次派单"))
