"""Pages of smart routing: the model page (active model, figures, training, corrections), each
street's auto-dispatch settings, and the one-click actions of the board and the case page (apply a
suggestion, change the category). Thin: look up in scope, call one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area
from grassroots.cases.errors import CaseError
from grassroots.cases.models import Category
from grassroots.cases.views_shared import case_or_404

from . import selectors
from .models import CategoryThreshold, StreetSettings, TrainingJob
from .services import case_categorize, street_settings_update, suggestion_apply, training_request

PAGE_SIZE = 50


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [m for msgs in exc.message_dict.values() for m in msgs]
        return exc.messages
    return [str(getattr(exc, "message", "") or exc)]


def _back(request: HttpRequest, case_pk: int) -> HttpResponse:
    if request.GET.get("next") == "board":
        return redirect(reverse("cases:board"))
    return redirect(reverse("cases:detail", args=[case_pk]))


def _can_train(user) -> bool:
    return any(selectors.can_edit_street(user, s) for s in selectors.streets_visible_to(user))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    allowed = selectors.may_view_routing(request.user)
    context = {"allowed": allowed}
    if allowed:
        page = Paginator(selectors.corrections_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(models=selectors.active_models(), history=selectors.recent_models(), page=page,
                       job=selectors.latest_job(), can_train=_can_train(request.user),
                       streets=selectors.streets_visible_to(request.user))
    return render(request, "routing/index.html", context)


@login_required
@require_POST
def train(request: HttpRequest) -> HttpResponse:
    if not _can_train(request.user):
        raise PermissionDenied(_("只有街道或区级的受理派单人员可以发起训练"))
    job, created = training_request(actor=request.user, reason=_("人工发起（%(u)s）") % {"u": request.user})
    if created:
        messages.success(request, _("已提交训练任务，后台完成后自动启用新模型"))
    else:
        messages.info(request, _("已有训练任务在排队或进行中，无需重复提交"))
    return redirect(reverse("routing:index"))


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.may_view_routing(request.user):
        raise Http404
    try:
        found = TrainingJob.objects.get(pk=pk)
    except TrainingJob.DoesNotExist:
        raise Http404(_("训练任务不存在")) from None
    return render(request, "routing/_job.html", {"job": found})


@login_required
@require_GET
def streets(request: HttpRequest) -> HttpResponse:
    visible = selectors.streets_visible_to(request.user)
    rows = {s.street_id: s for s in StreetSettings.objects.filter(street__in=visible)}
    items = [{"street": s, "settings": rows.get(s.pk), "editable": selectors.can_edit_street(request.user, s)}
             for s in visible]
    return render(request, "routing/streets.html", {"items": items})


def _street_form(street: Area, data=None) -> dict:
    row = StreetSettings.objects.filter(street=street).first()
    values = {t.category_id: t.threshold for t in CategoryThreshold.objects.filter(street=street)}
    categories = list(Category.objects.filter(level=1).order_by("code")) + list(
        Category.objects.filter(pk__in=values, level__gt=1).order_by("code"))
    lines = [{"category": c, "path": " / ".join(c.path_names()),
              "value": (data.get(f"threshold_{c.pk}", "") if data is not None else
                        (round(values[c.pk] * 100) if c.pk in values else ""))} for c in categories]
    return {"street": street, "settings": row, "lines": lines, "policies": StreetSettings.Policy.choices,
            "policy": data.get("policy") if data is not None else (row.policy if row else StreetSettings.Policy.UNCATEGORISED),
            "default": data.get("default_threshold") if data is not None else (
                round((row.default_threshold if row else 0.85) * 100))}


@login_required
@require_http_methods(["GET", "POST"])
def street(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.street_visible_to(request.user, pk)
    except Area.DoesNotExist:
        raise Http404(_("街道不存在或您无权查看")) from None
    editable = selectors.can_edit_street(request.user, found)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("只有本街道（或区级）的受理派单人员可以修改自动派单设置"))
        thresholds = {key.removeprefix("threshold_"): value.strip() for key, value in request.POST.items()
                      if key.startswith("threshold_")}
        try:
            street_settings_update(street=found, actor=request.user, policy=request.POST.get("policy", ""),
                                   default_threshold=request.POST.get("default_threshold", ""), thresholds=thresholds)
        except ValidationError as exc:
            context = {**_street_form(found, request.POST), "editable": editable, "errors": _messages(exc)}
            return render(request, "routing/street.html", context, status=400)
        messages.success(request, _("已保存%(s)s的自动派单设置") % {"s": found.name})
        return redirect(reverse("routing:street", args=[found.pk]))
    return render(request, "routing/street.html", {**_street_form(found), "editable": editable})


@login_required
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request.user, pk)
    try:
        rank = int(request.POST.get("rank", ""))
    except ValueError:
        rank = 0
    try:
        suggestion_apply(case=case, rank=rank, actor=request.user)
    except (ValidationError, PermissionDenied, CaseError) as exc:
        for text in _messages(exc):
            messages.error(request, f"{case.code}：{text}")
    else:
        item = case.routing_suggestion.items[rank - 1]
        messages.success(request, _("已按建议处理 %(code)s：%(path)s") % {"code": case.code, "path": item["path"]})
    return _back(request, case.pk)


@login_required
@require_POST
def categorize(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request.user, pk)
    try:
        case_categorize(case=case, category=request.POST.get("category", ""), actor=request.user,
                        note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied, CaseError) as exc:
        for text in _messages(exc):
            messages.error(request, text)
    else:
        messages.success(request, _("已更改类别：%(path)s") % {"path": " / ".join(case.category.path_names())})
    return _back(request, case.pk)
