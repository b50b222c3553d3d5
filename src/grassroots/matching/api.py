"""JSON API of the three lists: a community's needs, resources and projects and the suggested
matches (its staff), raising a need (a verified resident, or staff), pairing a need with a resource,
reporting a project's progress (its unit or the community), a unit's own agreements."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.core.errors import ErrorOut, api_call

from . import selectors
from .models import Need, Project, Resource
from .services import match_accept, may_manage, may_report, need_add, project_progress

router = Router(auth=django_auth, tags=["matching"])
BIGGEST = 2**63 - 1


class NeedOut(Schema):
    id: int
    title: str
    detail: str
    category: str
    kind: str
    area: str
    source: str
    people: int
    status: str
    created_at: datetime


class NeedIn(Schema):
    title: str
    detail: str = ""
    area: str = ""
    kind: str = ""
    category: str = ""
    people: int = 1
    source: str = "resident"


class ResourceOut(Schema):
    id: int
    title: str
    detail: str
    kind: str
    category: str
    unit: str
    area: str
    available: bool


class MatchSuggestionOut(Schema):
    resource: ResourceOut
    score: int
    reasons: list[str]


class MatchIn(Schema):
    resource: int
    deadline: date
    title: str = ""
    practical: bool = False


class ProjectOut(Schema):
    id: int
    community: str
    title: str
    owner: str
    deadline: date
    progress: int
    status: str
    practical: bool


class ProjectProgressIn(Schema):
    text: str
    progress: int


class AgreementOut(Schema):
    id: int
    unit: str
    community: str
    year: int
    promised: int
    delivered: int


def _need(n: Need) -> dict:
    return {"id": n.pk, "title": n.title, "detail": n.detail, "category": n.category, "kind": n.kind,
            "area": n.area.name, "source": n.source, "people": n.people, "status": n.status, "created_at": n.created_at}


def _resource(r: Resource) -> dict:
    return {"id": r.pk, "title": r.title, "detail": r.detail, "kind": r.kind, "category": r.category,
            "unit": r.unit.name if r.unit_id else "", "area": r.area.name, "available": r.available}


def _project(p: Project) -> dict:
    return {"id": p.pk, "community": p.community.name, "title": p.title, "owner": p.owner_label(),
            "deadline": p.deadline, "progress": p.progress, "status": p.status, "practical": p.practical}


def _managed(request, code: str) -> Area | None:
    place = Area.objects.filter(code=(code or "")[:30], level=Level.COMMUNITY).first()
    return place if place is not None and may_manage(request.user, place.code) else None


NOT_YOURS = {"detail": "没有这个社区，或不在您的管辖范围"}


@router.get("/needs", response={200: list[NeedOut], 404: ErrorOut}, url_name="matching_needs",
            summary="社区的需求清单（社区工作人员）")
def needs(request, community: str, status: str = ""):
    place = _managed(request, community)
    if place is None:
        return Status(404, NOT_YOURS)
    return [_need(n) for n in selectors.needs(place, status if status in Need.Status.values else "")[:300]]


@router.post("/needs", response={201: NeedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="matching_need_add", summary="提需求（居民为自己所在的楼栋或网格；社区工作人员登记走访、调查的需求）")
def need_new(request, payload: NeedIn):
    area = None
    if payload.area:
        area = Area.objects.filter(code=payload.area[:30], level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING)).first()
        if area is None:
            return Status(404, {"detail": "没有这个范围（请给出社区、网格或楼栋编码）"})
    return api_call(need_add, _need, created=True, actor=request.user, area=area, title=payload.title,
                    detail=payload.detail, kind=payload.kind, category=payload.category, people=payload.people,
                    source=payload.source)


@router.get("/needs/{pk}/suggestions", response={200: list[MatchSuggestionOut], 404: ErrorOut},
            url_name="matching_suggestions", summary="为需求推荐的资源（按领域、类型和范围打分）")
def suggestions(request, pk: int):
    need = outlines_unread(Need.objects.select_related("community", "area")).filter(pk=min(pk, BIGGEST)).first()
    if need is None or not may_manage(request.user, need.community.code):
        return Status(404, {"detail": "没有这项需求，或不在您的管辖范围"})
    return [{"resource": _resource(s.resource), "score": s.score, "reasons": s.reasons}
            for s in selectors.suggestions(need, limit=10)]


@router.post("/needs/{pk}/match", response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="matching_match", summary="对接：需求与资源结成项目（重复提交返回同一项目）")
def match(request, pk: int, payload: MatchIn):
    need = outlines_unread(Need.objects.select_related("community", "area")).filter(pk=min(pk, BIGGEST)).first()
    if need is None or not may_manage(request.user, need.community.code):
        return Status(404, {"detail": "没有这项需求，或不在您的管辖范围"})
    resource = Resource.objects.filter(pk=min(payload.resource, BIGGEST), community=need.community).first()
    if resource is None:
        return Status(404, {"detail": "本社区没有这项资源"})
    return api_call(match_accept, lambda m: _project(Project.objects.select_related("community", "owner_unit").get(
        pk=m.project_id)), need=need, resource=resource, actor=request.user, deadline=payload.deadline,
        title=payload.title, practical=payload.practical)


@router.get("/resources", response={200: list[ResourceOut], 404: ErrorOut}, url_name="matching_resources",
            summary="社区的资源清单（社区工作人员）")
def resources(request, community: str):
    place = _managed(request, community)
    if place is None:
        return Status(404, NOT_YOURS)
    return [_resource(r) for r in selectors.resources(place)[:300]]


@router.get("/projects", response={200: list[ProjectOut], 404: ErrorOut}, url_name="matching_projects",
            summary="项目清单：社区工作人员看本社区的，共建单位看本单位承接的")
def projects(request, community: str = ""):
    if community:
        place = _managed(request, community)
        if place is None:
            return Status(404, NOT_YOURS)
        return [_project(p) for p in selectors.projects(place)[:300]]
    return [_project(p) for p in selectors.unit_projects(request.user)[:300]]


@router.post("/projects/{pk}/progress", response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="matching_progress", summary="填报项目进展（承接单位或社区；100 即完成）")
def progress(request, pk: int, payload: ProjectProgressIn):
    row = Project.objects.select_related("community", "owner_unit").filter(pk=min(pk, BIGGEST)).first()
    if row is None or not may_report(request.user, row):
        return Status(404, {"detail": "没有这个项目，或不在您的管辖范围"})
    return api_call(project_progress, lambda _note: _project(Project.objects.select_related(
        "community", "owner_unit").get(pk=row.pk)), project=row, actor=request.user, text=payload.text,
        progress=payload.progress)


@router.get("/agreements", response={200: list[AgreementOut], 404: ErrorOut}, url_name="matching_agreements",
            summary="双向服务协议：社区工作人员看本社区的，共建单位看本单位的")
def agreements(request, community: str = ""):
    if community:
        place = _managed(request, community)
        if place is None:
            return Status(404, NOT_YOURS)
        rows = selectors.agreements(place)
    else:
        rows = selectors.unit_agreements(request.user)
    return [{"id": a.pk, "unit": a.unit.name, "community": a.community.name, "year": a.year, "promised": a.promised,
             "delivered": a.delivered} for a in rows.select_related("community")[:300]]
