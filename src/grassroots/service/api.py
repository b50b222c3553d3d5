"""JSON API of 双报到: a member's registration, posts and service records; a unit's registration; the
community's decisions, posts, records to verify, co-building units and quarterly feedback jobs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level
from grassroots.core.errors import ErrorOut, api_call, api_refusal
from grassroots.orgs.models import PartyOrg

from .feedback import feedback_request
from .models import Post
from .selectors import (
    co_building_units,
    communities_managed_by,
    feedback_jobs_managed,
    held_posts,
    hours_of,
    member_registrations_managed,
    posts_of,
    records_managed,
    registration_of,
    unit_registrations_managed,
    units_of,
)
from .services import (
    member_posts_set,
    member_register,
    member_registration_decide,
    post_save,
    service_record_submit,
    service_record_verify,
    unit_register,
    unit_registration_decide,
)

router = Router(auth=django_auth, tags=["service"])


class PostOut(Schema):
    id: int
    name: str
    duties: str
    takes_cases: bool
    active: bool


class RegistrationOut(Schema):
    id: int
    name: str
    employer: str
    community: str
    community_name: str
    branch: str
    status: str
    status_label: str
    reason: str
    posts: list[str]
    verified_hours: Decimal
    waiting_hours: Decimal


class RegisterIn(Schema):
    name: str
    id_number: str
    community: str
    household: str = ""
    posts: list[int] = []


class PostsIn(Schema):
    posts: list[int]


class RecordIn(Schema):
    what: str
    served_on: date
    hours: str
    post: int | None = None


class RecordOut(Schema):
    id: int
    member: str
    post: str
    what: str
    served_on: date
    hours: Decimal
    status: str
    reason: str


class ServiceDecideIn(Schema):
    approve: bool
    reason: str = ""
    branch: int | None = None
    posts: list[int] | None = None


class PostIn(Schema):
    community: str
    name: str
    duties: str = ""
    takes_cases: bool = False
    active: bool = True


class UnitRegisterIn(Schema):
    unit: int
    community: str
    resources: str = ""
    services: str = ""
    volunteers: int = 0
    venue_hours: str = ""
    contact_name: str
    contact_phone: str


class UnitRegistrationOut(Schema):
    id: int
    unit: str
    community: str
    resources: str
    services: str
    volunteers: int
    venue_hours: str
    contact_name: str
    contact_phone: str  # masked
    status: str


class FeedbackIn(Schema):
    community: str
    quarter: str


class FeedbackOut(Schema):
    id: int
    community: str
    quarter: str
    status: str
    progress: int
    stage: str
    error: str
    xlsx_url: str | None
    pdf_url: str | None
    finished_at: datetime | None


def _area(code: str, level: str) -> Area | None:
    return Area.objects.filter(code=(code or "").strip()[:30], level=level).first()


def _reg_out(r) -> dict:
    hours = hours_of(r)
    return {"id": r.pk, "name": r.member.person.name, "employer": r.member.employer.name if r.member.employer else "",
            "community": r.community.code, "community_name": r.community.name, "branch": r.branch.name if r.branch else "",
            "status": r.status, "status_label": str(r.get_status_display()), "reason": r.reason,
            "posts": [p.name for p in held_posts(r)], "verified_hours": hours["verified"], "waiting_hours": hours["waiting"]}


def _record_out(r) -> dict:
    return {"id": r.pk, "member": r.registration.member.person.name, "post": r.post.name if r.post else "",
            "what": r.what, "served_on": r.served_on, "hours": r.hours, "status": r.status, "reason": r.reason}


def _post_out(p: Post) -> dict:
    return {"id": p.pk, "name": p.name, "duties": p.duties, "takes_cases": p.takes_cases, "active": p.active}


def _unit_out(r) -> dict:
    return {"id": r.pk, "unit": r.unit.name, "community": r.community.code, "resources": r.resources,
            "services": r.services, "volunteers": r.volunteers, "venue_hours": r.venue_hours,
            "contact_name": r.contact_name, "contact_phone": r.contact_phone_masked, "status": r.status}


def _job_out(j) -> dict:
    done = j.status == "done"
    return {"id": j.pk, "community": j.community.code, "quarter": j.quarter, "status": j.status, "progress": j.progress,
            "stage": j.stage, "error": j.error, "finished_at": j.finished_at,
            "xlsx_url": reverse("service:feedback_file", args=[j.pk, "xlsx"]) if done else None,
            "pdf_url": reverse("service:feedback_file", args=[j.pk, "pdf"]) if done else None}


def _managed_community(request, code: str) -> Area | None:
    return communities_managed_by(request.user).filter(code=(code or "").strip()[:30]).first()


# --- the member ---------------------------------------------------------------------------------------------


@router.get("/me", response={200: RegistrationOut, 404: ErrorOut}, url_name="service_me", summary="我的双报到")
def me(request):
    reg = registration_of(request.user)
    if reg is None:
        return Status(404, {"detail": "您还没有报到"})
    return _reg_out(reg)


@router.post("/register", response={201: RegistrationOut, 400: ErrorOut}, url_name="service_register",
             summary="在职党员到居住社区报到（与党员名册核对姓名、身份证号）")
def register(request, payload: RegisterIn):
    household = _area(payload.household, Level.HOUSEHOLD) if payload.household.strip() else None
    return api_call(member_register, _reg_out, created=True, user=request.user, name=payload.name,
                    id_number=payload.id_number, community=_area(payload.community, Level.COMMUNITY),
                    household=household, posts=payload.posts)


@router.post("/me/posts", response={200: RegistrationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_posts_set", summary="认领岗位（含接单岗）")
def posts_set(request, payload: PostsIn):
    reg = registration_of(request.user)
    if reg is None:
        return Status(404, {"detail": "您还没有报到"})
    return api_call(member_posts_set, _reg_out, registration=reg, actor=request.user, posts=payload.posts)


@router.post("/records", response={201: RecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_record", summary="记录一次服务（纪实；照片请用页面上传）")
def record_submit(request, payload: RecordIn):
    reg = registration_of(request.user)
    if reg is None:
        return Status(404, {"detail": "您还没有报到"})
    post = Post.objects.filter(pk=payload.post, community=reg.community).first() if payload.post else None
    return api_call(service_record_submit, _record_out, created=True, registration=reg, actor=request.user,
                    what=payload.what, served_on=payload.served_on, hours=payload.hours, post=post)


@router.get("/records/mine", response={200: list[RecordOut]}, url_name="service_records_mine", summary="我的服务纪实")
def records_mine(request):
    reg = registration_of(request.user)
    return [_record_out(r) for r in reg.records.select_related("post", "registration__member__person")[:200]] if reg else []


# --- units ------------------------------------------------------------------------------------------------


@router.post("/units/register", response={201: UnitRegistrationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_unit_register", summary="单位到社区报到（资源、服务、志愿者、场地，联系人）")
def unit_register_api(request, payload: UnitRegisterIn):
    unit = units_of(request.user).filter(pk=payload.unit).first()
    if unit is None:
        return Status(404, {"detail": "单位不存在或您不是该单位的经办人"})
    return api_call(unit_register, _unit_out, created=True, unit=unit, community=_area(payload.community, Level.COMMUNITY),
                    actor=request.user, resources=payload.resources, services=payload.services,
                    volunteers=payload.volunteers, venue_hours=payload.venue_hours, contact_name=payload.contact_name,
                    contact_phone=payload.contact_phone)


# --- the community ---------------------------------------------------------------------------------------


@router.get("/registrations", response={200: list[RegistrationOut]}, url_name="service_registrations",
            summary="本社区的党员报到（status: applied / approved / refused / ended）")
def registrations(request, community: str = "", status: str = "applied"):
    rows = member_registrations_managed(request.user)
    if community:
        rows = rows.filter(community__code=community)
    if status:
        rows = rows.filter(status=status)
    return [_reg_out(r) for r in rows[:500]]


@router.post("/registrations/{pk}/decide", response={200: RegistrationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_registration_decide", summary="审核党员报到：通过（编入党支部、确定岗位）或不通过")
def registration_decide(request, pk: int, payload: ServiceDecideIn):
    row = member_registrations_managed(request.user).filter(pk=pk).first()
    if row is None:
        return Status(404, {"detail": "报到不存在或不在您的社区"})
    branch = PartyOrg.objects.filter(pk=payload.branch).first() if payload.branch else None
    return api_call(member_registration_decide, _reg_out, registration=row, actor=request.user, approve=payload.approve,
                    branch=branch, posts=payload.posts, reason=payload.reason)


@router.get("/records", response={200: list[RecordOut]}, url_name="service_records", summary="本社区的服务纪实")
def records(request, community: str = "", status: str = "submitted"):
    rows = records_managed(request.user)
    if community:
        rows = rows.filter(registration__community__code=community)
    if status:
        rows = rows.filter(status=status)
    return [_record_out(r) for r in rows[:500]]


@router.post("/records/{pk}/verify", response={200: RecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_record_verify", summary="核实服务纪实（approve=false 时需说明原因）")
def record_verify(request, pk: int, payload: ServiceDecideIn):
    row = records_managed(request.user).filter(pk=pk).first()
    if row is None:
        return Status(404, {"detail": "记录不存在或不在您的社区"})
    return api_call(service_record_verify, _record_out, record=row, actor=request.user, verified=payload.approve,
                    reason=payload.reason)


@router.get("/posts", response={200: list[PostOut], 404: ErrorOut}, url_name="service_posts", summary="社区的岗位")
def posts(request, community: str):
    place = _area(community, Level.COMMUNITY)
    if place is None:
        return Status(404, {"detail": "社区不存在"})
    return [_post_out(p) for p in posts_of(place, active_only=False)]


@router.post("/posts", response={201: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, url_name="service_post_add",
             summary="添加岗位")
def post_add(request, payload: PostIn):
    place = _managed_community(request, payload.community)
    if place is None:
        return Status(404, {"detail": "社区不存在或不在您的管辖范围内"})
    return api_call(post_save, _post_out, created=True, community=place, actor=request.user, name=payload.name,
                    duties=payload.duties, takes_cases=payload.takes_cases, active=payload.active)


@router.get("/units", response={200: list[UnitRegistrationOut], 404: ErrorOut}, url_name="service_units",
            summary="社区的报到单位（status: applied 待审核，approved 共建单位）")
def units(request, community: str, status: str = "approved"):
    place = _managed_community(request, community)
    if place is None:
        return Status(404, {"detail": "社区不存在或不在您的管辖范围内"})
    rows = co_building_units(place) if status == "approved" else unit_registrations_managed(request.user).filter(
        community=place, status=status)
    return [_unit_out(r) for r in rows]


@router.post("/units/{pk}/decide", response={200: UnitRegistrationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_unit_decide", summary="审核单位报到")
def unit_decide(request, pk: int, payload: ServiceDecideIn):
    row = unit_registrations_managed(request.user).filter(pk=pk).first()
    if row is None:
        return Status(404, {"detail": "单位报到不存在或不在您的社区"})
    return api_call(unit_registration_decide, _unit_out, registration=row, actor=request.user, approve=payload.approve,
                    reason=payload.reason)


@router.post("/feedback", response={202: FeedbackOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="service_feedback", summary="生成季度反馈（后台生成，返回任务，可查询进度）")
def feedback_create(request, payload: FeedbackIn):
    place = _managed_community(request, payload.community)
    if place is None:
        return Status(404, {"detail": "社区不存在或不在您的管辖范围内"})
    try:
        job, _created = feedback_request(community=place, quarter=payload.quarter, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        return api_refusal(exc)
    return Status(202, _job_out(job))


@router.get("/feedback/{pk}", response={200: FeedbackOut, 404: ErrorOut}, url_name="service_feedback_job",
            summary="季度反馈的进度和文件")
def feedback_job(request, pk: int):
    job = feedback_jobs_managed(request.user).filter(pk=pk).first()
    if job is None:
        return Status(404, {"detail": "季度反馈不存在或不在您的社区"})
    return _job_out(job)
