"""每月一题 pages: the list, one problem with its progress, the promotion form and the actions.
Thin: the selectors scope (outside it: 404), the services write (errors: the form again, 400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.cases.selectors import cases_visible_to

from . import rising
from .models import MonthlyProblem
from .selectors import lead_units, problem_get_for, problems_visible_to
from .services import ACTION_LABELS, TRANSITIONS, may_manage, monthly_problem_act, monthly_problem_promote
from .sources import source_find
from .views import url

SOURCE_FIELDS = ("source", "week", "area", "category", "key")


def _status_filter(request: HttpRequest) -> str:
    value = request.GET.get("status", "")
    return value if value in MonthlyProblem.Status.values or value == "overdue" else ""


@login_required
@require_GET
def monthly_list(request: HttpRequest) -> HttpResponse:
    if not rising.can_view(request.user):
        return render(request, "hotspots/no_role.html", status=403)
    problems = problems_visible_to(request.user)
    status = _status_filter(request)
    if status == "overdue":
        problems = problems.exclude(status=MonthlyProblem.Status.DONE).filter(deadline__lt=timezone.localdate())
    elif status:
        problems = problems.filter(status=status)
    return render(request, "hotspots/monthly_list.html", {
        "problems": problems[:200], "status": status, "statuses": MonthlyProblem.Status.choices,
    })


def _problem(request: HttpRequest, pk: int) -> MonthlyProblem:
    try:
        return problem_get_for(request.user, pk)
    except MonthlyProblem.DoesNotExist:
        raise Http404(_("每月一题不存在或不在您的管辖范围内")) from None


def _detail(request: HttpRequest, problem: MonthlyProblem, *, errors: dict | None = None, note: str = "",
            status: int = 200) -> HttpResponse:
    manage = may_manage(request.user, problem.street)
    linked = problem.cases.all()
    visible = cases_visible_to(request.user).filter(pk__in=linked.values("pk")).order_by("-created_at")
    actions = [(a, ACTION_LABELS[a]) for a, (allowed, _to) in TRANSITIONS.items() if problem.status in allowed]
    return render(request, "hotspots/monthly_detail.html", {
        "problem": problem, "updates": problem.updates.select_related("actor"), "manage": manage,
        "actions": actions if manage else [], "cases": visible[:200], "linked_count": linked.count(),
        "errors": errors or {}, "general_errors": (errors or {}).get("__all__", []), "note": note,
        "labels": ACTION_LABELS,
    }, status=status)


@login_required
@require_GET
def monthly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _problem(request, pk))


@login_required
@require_POST
def monthly_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    problem = _problem(request, pk)
    note = request.POST.get("note", "")
    try:
        monthly_problem_act(problem=problem, action=action, actor=request.user, note=note)
    except PermissionDenied as exc:
        return _detail(request, problem, errors={"__all__": [str(exc)]}, note=note[:2000], status=403)
    except ValidationError as exc:
        return _detail(request, problem, errors=exc.message_dict, note=note[:2000], status=400)
    messages.success(request, _("已记录：%(action)s") % {"action": ACTION_LABELS.get(action, action)})
    return redirect("hotspots:monthly_detail", pk=problem.pk)


@login_required
@require_http_methods(["GET", "POST"])
def promote(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    coords = {k: data.get(k, "") for k in SOURCE_FIELDS}
    try:
        source = source_find(request.user, **coords)
    except rising.OutOfScope:
        raise Http404(_("区域不存在或不在您的管辖范围内")) from None
    except ValidationError as exc:
        if "street" in exc.message_dict:
            return render(request, "hotspots/no_role.html", {"message": exc.message_dict["street"][0]}, status=403)
        return render(request, "hotspots/promote.html", {"errors": exc.message_dict, "coords": coords,
                                                         "source": None}, status=400 if data.get("week") else 404)
    values = {"title": source.title, "lead_unit": "", "plan": "", "deadline": ""}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            problem, created = monthly_problem_promote(
                actor=request.user, street=source.street, title=values["title"], lead_unit=values["lead_unit"],
                plan=values["plan"], deadline=values["deadline"], source=source.kind, source_key=source.key,
                source_data=source.data, category=source.category, cases=source.cases,
                residents=source.residents)
        except PermissionDenied as exc:
            errors, status = {"__all__": [str(exc)]}, 403
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            if created:
                messages.success(request, _("已立项为本月的“每月一题”"))
            else:
                messages.info(request, _("这个问题已经立项，下面是已有的每月一题"))
            return redirect("hotspots:monthly_detail", pk=problem.pk)
        values = {k: v[:3000] for k, v in values.items()}
    existing = MonthlyProblem.objects.filter(street=source.street, source_key=source.key).first()
    return render(request, "hotspots/promote.html", {
        "source": source, "coords": coords, "values": values, "errors": errors, "existing": existing,
        "general_errors": errors.get("__all__", []),
        "units": lead_units(source.street), "today": timezone.localdate().isoformat(),
        "back_url": url("hotspots:index" if source.kind == "rising" else "hotspots:clusters",
                        week=coords["week"], area=coords["area"]),
    }, status=status)
