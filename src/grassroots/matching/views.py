"""Pages of the three lists: the community's board of resources, needs, projects and agreements (with
suggested matches and an ``.xlsx`` of all three), a need's page, a project's page with its evidence, an
agreement's page where each side reports what it delivered, a unit's own page, a resident's form to
raise a need, and the case page's panel that puts a case on the need list."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.views_shared import case_or_404
from grassroots.core import errors
from grassroots.core.params import bounded_date
from grassroots.registers.xlsx import XLSX_MIME
from grassroots.service.models import Decision
from grassroots.service.selectors import unit_registrations_of_units

from . import exports, selectors
from .models import AgreementItem, Category, Kind, Need, Project, ProjectNote, Resource
from .services import (
    _verified_household,
    agreement_create,
    item_add,
    item_deliver,
    match_accept,
    match_decline,
    may_deliver,
    may_manage,
    may_report,
    need_add,
    need_close,
    need_from_case,
    needs_import,
    project_add,
    project_progress,
    resource_add,
    resource_set_available,
    resources_from_commitments,
    survey_template,
    unit_ids_of,
)

TABS = ("needs", "resources", "projects", "agreements")


def _areas(community: Area):
    return Area.objects.under(community.code).filter(
        level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING)).order_by("code")[:400]


# --- the community's board --------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def board(request: HttpRequest) -> HttpResponse:
    places = list(selectors.managed_communities(request.user)[:300])
    if not places:
        if unit_ids_of(request.user):
            return redirect("matching:unit")
        raise PermissionDenied(_("资源、需求和项目清单由社区工作人员管理"))
    code = request.GET.get("c") or request.POST.get("community")
    place = next((c for c in places if c.code == code), places[0])
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "needs"
    problems: dict = {}
    if request.method == "POST":
        data, action = request.POST, request.POST.get("action", "")
        try:
            if action == "commitments":
                made = resources_from_commitments(community=place, actor=request.user)
                messages.success(request, _("已从双报到承诺导入 %(n)d 项资源") % {"n": made})
                return redirect(f"{request.path}?c={place.code}&tab=resources")
            if action == "resource":
                area = Area.objects.filter(code=data.get("area") or place.code, code__startswith=place.code).first()
                resource_add(community=place, actor=request.user, kind=data.get("kind", ""),
                             category=data.get("category", ""), title=data.get("title", ""),
                             detail=data.get("detail", ""), area=area,
                             unit=selectors.registered_units(place).filter(pk=data.get("unit") or 0).first())
                tab = "resources"
            elif action == "available":
                row = Resource.objects.filter(community=place, pk=data.get("resource") or 0).first()
                if row is None:
                    raise Http404(_("没有这项资源"))
                resource_set_available(resource=row, actor=request.user, available=data.get("available") == "1")
                tab = "resources"
            elif action == "need":
                area = Area.objects.filter(code=data.get("area") or place.code, code__startswith=place.code).first()
                need_add(actor=request.user, area=area or place, title=data.get("title", ""),
                         detail=data.get("detail", ""), kind=data.get("kind", ""), category=data.get("category", ""),
                         people=data.get("people", "1"), source=data.get("source", Need.Source.SURVEY))
                tab = "needs"
            elif action == "import":
                made = needs_import(community=place, actor=request.user, upload=request.FILES.get("file") or io.BytesIO())
                messages.success(request, _("已导入 %(n)d 项走访需求") % {"n": made})
                return redirect(f"{request.path}?c={place.code}&tab=needs")
            elif action == "agreement":
                unit = selectors.registered_units(place).filter(pk=data.get("unit") or 0).first()
                if unit is None:
                    raise ValidationError({"unit": [_("请选择已报到的单位")]})
                items = list(zip(data.getlist("side"), data.getlist("what"),
                                 [bounded_date(d, label="兑现时限") for d in data.getlist("due")], strict=False))
                made = agreement_create(unit=unit, community=place, actor=request.user, year=data.get("year", ""),
                                        signed_on=bounded_date(data.get("signed_on", ""), label="签订日期"), items=items)
                messages.success(request, _("协议已登记"))
                return redirect("matching:agreement", pk=made.pk)
            elif action == "project":
                made = project_add(community=place, actor=request.user, title=data.get("title", ""),
                                   deadline=bounded_date(data.get("deadline", ""), label="完成时限"), detail=data.get("detail", ""),
                                   owner_unit=selectors.registered_units(place).filter(pk=data.get("owner_unit") or 0).first(),
                                   practical=bool(data.get("practical")))
                return redirect("matching:project", pk=made.pk)
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect(f"{request.path}?c={place.code}&tab={tab}")
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    status = request.GET.get("status", "")
    if status not in Need.Status.values:
        status = ""
    return render(request, "matching/board.html", {
        "community": place, "communities": places, "tab": tab, "counts": selectors.counts(place),
        "needs": selectors.needs(place, status)[:selectors.LIST_LIMIT], "status": status,
        "need_statuses": Need.Status.choices, "resources": selectors.resources(place)[:selectors.LIST_LIMIT],
        "projects": selectors.projects(place)[:selectors.LIST_LIMIT], "agreements": selectors.agreements(place)[:200],
        "units": selectors.registered_units(place), "areas": _areas(place), "kinds": Kind.choices,
        "categories": Category.choices,
        "sources": Need.Source.choices, "sides": AgreementItem.Side.choices, "year": timezone.localdate().year,
        "errors": problems, "data": request.POST, "active": "matching"}, status=400 if problems else 200)


@login_required
@require_GET
def survey_template_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(survey_template(), content_type=XLSX_MIME)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''survey-needs.xlsx"
    return response


@login_required
@require_GET
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    place = selectors.managed_communities(request.user).filter(code=request.GET.get("c", "")).first()
    if place is None:
        raise Http404(_("没有这个社区，或不在您的管辖范围"))
    return exports.lists_xlsx(place, request.user)


# --- a need --------------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def need_new(request: HttpRequest) -> HttpResponse:
    """A verified resident raises a need for their building (phone first)."""
    household = _verified_household(request.user)
    problems: dict = {}
    if request.method == "POST":
        code = request.POST.get("area", "")
        area = None
        if household is not None and code and household.code.startswith(code):
            area = Area.objects.filter(code=code).first()
        try:
            row = need_add(actor=request.user, area=area, title=request.POST.get("title", ""),
                           detail=request.POST.get("detail", ""), kind=request.POST.get("kind", ""),
                           category=request.POST.get("category", ""), people=request.POST.get("people", "1"))
            messages.success(request, _("需求已提交，社区会为您对接资源"))
            return redirect("matching:need", pk=row.pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    places = []
    if household is not None:
        places = list(Area.objects.filter(code__in=[household.code[:n] for n in range(1, len(household.code))],
                                          level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING)).order_by("-code"))
    return render(request, "matching/need_new.html", {
        "household": household, "places": places, "kinds": Kind.choices, "categories": Category.choices,
        "mine": selectors.my_needs(request.user)[:50], "errors": problems, "data": request.POST,
        "active": "matching"}, status=400 if problems else 200)


def _need_for(user, pk: int) -> tuple[Need, bool]:
    row = selectors.need_visible(user, pk)
    if row is None:
        raise Http404(_("没有这项需求，或不在您的管辖范围"))
    return row, may_manage(user, row.community.code)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def need(request: HttpRequest, pk: int) -> HttpResponse:
    row, manager = _need_for(request.user, pk)
    problems: dict = {}
    if request.method == "POST":
        if not manager:
            raise PermissionDenied(_("只有社区工作人员可以对接需求"))
        data, action = request.POST, request.POST.get("action", "")
        resource = Resource.objects.filter(community=row.community, pk=data.get("resource") or 0).first()
        try:
            if action in ("accept", "decline") and resource is None:
                raise ValidationError({"resource": [_("请选择资源")]})
            if action == "accept":
                project = Project.objects.filter(community=row.community, pk=data.get("project") or 0,
                                                 status=Project.Status.ONGOING).first()
                match = match_accept(need=row, resource=resource, actor=request.user, title=data.get("title", ""),
                                     deadline=bounded_date(data.get("deadline", ""), label="完成时限"), practical=bool(data.get("practical")),
                                     project=project)
                messages.success(request, _("已对接，项目已建立"))
                return redirect("matching:project", pk=match.project_id)
            if action == "decline":
                match_decline(need=row, resource=resource, actor=request.user)
            elif action == "close":
                need_close(need=row, actor=request.user, reason=data.get("reason", ""))
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect("matching:need", pk=pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return render(request, "matching/need.html", {
        "need": row, "manager": manager, "suggestions": selectors.suggestions(row) if manager else [],
        "projects": row.projects.select_related("owner_unit"), "matches": row.matches.select_related("resource"),
        "open_projects": selectors.projects(row.community).filter(status=Project.Status.ONGOING)[:50] if manager else [],
        "default_deadline": timezone.localdate() + timedelta(days=60),
        "errors": problems, "data": request.POST, "active": "matching"}, status=400 if problems else 200)


@login_required
@require_POST
def case_need(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's button: put the case on its community's need list."""
    case = case_or_404(request.user, pk)
    try:
        row = need_from_case(case=case, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, f"{case.code}：{errors.text(exc)}")
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("已列入需求清单"))
    return redirect("matching:need", pk=row.pk)


def case_panel(request, case) -> dict | None:
    """On a case's page: the need the case raised, or a button for the community's staff."""
    if case is None or case.area_id is None or not getattr(request.user, "is_authenticated", False):
        return None
    found = Need.objects.filter(case=case).first()
    length = CODE_LENGTHS[Level.COMMUNITY]
    may = len(case.area.code) >= length and may_manage(request.user, case.area.code[:length])
    if found is None and not may:
        return None
    return {"matching": {"need": found, "can_add": may and found is None}}


# --- a project ----------------------------------------------------------------------------------------------------

def _project_for(user, pk: int) -> Project:
    row = selectors.project_visible(user, pk)
    if row is None:
        raise Http404(_("没有这个项目，或不在您的管辖范围"))
    return row


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def project(request: HttpRequest, pk: int) -> HttpResponse:
    row = _project_for(request.user, pk)
    problems: dict = {}
    if request.method == "POST":
        try:
            project_progress(project=row, actor=request.user, text=request.POST.get("text", ""),
                             progress=request.POST.get("progress", ""), photo=request.FILES.get("photo"))
            messages.success(request, _("进展已填报"))
            return redirect("matching:project", pk=pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return render(request, "matching/project.html", {
        "project": row, "needs": row.needs.select_related("area"), "resources": row.resources.select_related("unit"),
        "notes": row.notes.select_related("author")[:100], "errors": problems, "data": request.POST,
        "manager": may_manage(request.user, row.community.code), "active": "matching"},
        status=400 if problems else 200)


@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's evidence photo: public when the project is on the 为民办实事 list, else for its
    community's staff and its unit."""
    note = ProjectNote.objects.select_related("project__community").filter(pk=pk).exclude(photo="").first()
    if note is None or not (note.project.practical or (
            request.user.is_authenticated and may_report(request.user, note.project))):
        raise Http404(_("没有这张照片"))
    response = FileResponse(note.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- agreements and the unit's own page ----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.agreement_visible(request.user, pk)
    if row is None:
        raise Http404(_("没有这份协议，或不在您的管辖范围"))
    manager = may_manage(request.user, row.community.code)
    problems: dict = {}
    if request.method == "POST":
        data, action = request.POST, request.POST.get("action", "")
        try:
            if action == "deliver":
                item = row.items.filter(pk=data.get("item") or 0).first()
                if item is None:
                    raise ValidationError({"item": [_("没有这项承诺")]})
                item_deliver(item=item, actor=request.user, evidence=data.get("evidence", ""))
            elif action == "item":
                item_add(agreement=row, actor=request.user, side=data.get("side", ""), what=data.get("what", ""),
                         due=bounded_date(data.get("due", ""), label="兑现时限"))
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect("matching:agreement", pk=pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    rows = [(i, may_deliver(request.user, i) and i.delivered_at is None) for i in selectors.items(row)]
    return render(request, "matching/agreement.html", {
        "agreement": row, "rows": rows, "manager": manager, "sides": AgreementItem.Side.choices,
        "errors": problems, "data": request.POST, "today": timezone.localdate(), "active": "matching"},
        status=400 if problems else 200)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def unit(request: HttpRequest) -> HttpResponse:
    """A co-building unit's own page: what it offers, the projects it carries, its agreements."""
    ids = unit_ids_of(request.user)
    if not ids:
        raise PermissionDenied(_("这一页属于共建单位的工作人员"))
    regs = unit_registrations_of_units(request.user).filter(status=Decision.APPROVED)
    problems: dict = {}
    if request.method == "POST":
        data = request.POST
        reg = regs.filter(pk=data.get("registration") or 0).first()
        try:
            if reg is None:
                raise ValidationError({"registration": [_("请选择报到的社区")]})
            resource_add(community=reg.community, actor=request.user, kind=data.get("kind", ""),
                         category=data.get("category", ""), title=data.get("title", ""),
                         detail=data.get("detail", ""), unit=reg.unit)
            messages.success(request, _("资源已提供给社区"))
            return redirect("matching:unit")
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return render(request, "matching/unit.html", {
        "registrations": regs, "resources": selectors.unit_resources(request.user)[:200],
        "projects": selectors.unit_projects(request.user)[:200], "agreements": selectors.unit_agreements(request.user),
        "kinds": Kind.choices, "categories": Category.choices, "errors": problems, "data": request.POST,
        "active": "matching"}, status=400 if problems else 200)
