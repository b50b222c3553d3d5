"""JSON API of the woodpeckers: the quick report (multipart: the phone app sends it, again if need be,
with the key it made), one's own reports, the reports a grid worker judges, joining and the roster."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.dateparse import parse_datetime
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from grassroots.areas.models import Area, Level
from grassroots.core.errors import ErrorOut, api_call, api_refusal

from .models import QuickReport, Woodpecker
from .selectors import (
    is_grid_staff,
    may_see_roster,
    my_reports,
    reports_to_judge,
    roster_visible_to,
    woodpecker_of,
)
from .services import (
    QUICK_LABELS,
    quick_report_judge,
    quick_report_submit,
    woodpecker_apply,
    woodpecker_decide,
)

router = Router(auth=django_auth, tags=["woodpeckers"])


class WoodpeckerReportOut(Schema):
    id: int
    case: str  # the case's number
    case_id: int
    tracking_code: str
    title: str
    category: str
    category_label: str
    status: str
    status_label: str
    reason: str
    created: bool = False
    received_at: datetime


class JudgeIn(Schema):
    valid: bool
    reason: str = ""


class JoinIn(Schema):
    name: str
    community: str  # the community's code
    group: str
    duties: list[str]
    platform: str = ""


class WoodpeckerOut(Schema):
    id: int
    name: str
    community: str
    community_name: str
    group: str
    duties: list[str]
    platform: str
    status: str
    status_label: str
    reports: int | None = None
    valid: int | None = None


class WoodpeckerDecideIn(Schema):
    approve: bool
    reason: str = ""


def _report_out(r: QuickReport, created: bool = False) -> dict:
    return {"id": r.pk, "case": r.case.code, "case_id": r.case_id, "tracking_code": r.case.tracking_code,
            "title": r.case.title, "category": r.quick_category, "category_label": QUICK_LABELS.get(r.quick_category, ""),
            "status": r.status, "status_label": str(r.get_status_display()), "reason": r.reason, "created": created,
            "received_at": r.received_at}


def _woodpecker_out(w: Woodpecker) -> dict:
    return {"id": w.pk, "name": w.name, "community": w.community.code, "community_name": w.community.name,
            "group": w.group, "duties": w.duties, "platform": w.platform, "status": w.status,
            "status_label": str(w.get_status_display()), "reports": getattr(w, "report_count", None),
            "valid": getattr(w, "valid_count", None)}


@router.post("/reports", response={200: WoodpeckerReportOut, 201: WoodpeckerReportOut, 400: ErrorOut, 403: ErrorOut},
             url_name="woodpeckers_report",
             summary="随手拍上报（照片、位置、类别、手机端编号；同一编号再次发送返回同一条诉求）")
def report_submit(request, key: Form[str], category: Form[str], lat: Form[str] = "", lng: Form[str] = "",
                  note: Form[str] = "", taken_at: Form[str] = "", photo: File[UploadedFile] = None):
    when = parse_datetime(taken_at) if taken_at else None
    try:
        done = quick_report_submit(reporter=request.user, key=key, category=category, lat=lat, lng=lng,
                                   photo=photo, note=note, taken_at=when)
    except (PermissionDenied, ValidationError) as exc:
        return api_refusal(exc)
    return Status(201 if done.created else 200, _report_out(done.report, done.created))


@router.get("/reports/mine", response=list[WoodpeckerReportOut], url_name="woodpeckers_mine", summary="我的随手拍")
def reports_mine(request):
    return [_report_out(r) for r in my_reports(request.user)[:100]]


@router.get("/reports", response={200: list[WoodpeckerReportOut], 403: ErrorOut}, url_name="woodpeckers_reports",
            summary="待核实的随手拍（本人管辖网格）")
def reports_list(request, status: str = "pending"):
    if not is_grid_staff(request.user):
        return Status(403, {"detail": "随手拍由网格员核实"})
    rows = reports_to_judge(request.user)
    if status:
        rows = rows.filter(status=status)
    return [_report_out(r) for r in rows[:200]]


@router.post("/reports/{pk}/judge", response={200: WoodpeckerReportOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="woodpeckers_judge", summary="核实随手拍：有效，或无效（写明原因）")
def report_judge(request, pk: int, payload: JudgeIn):
    row = reports_to_judge(request.user).filter(pk=pk).first()
    if row is None:
        return Status(404, {"detail": "随手拍不存在或不在您的网格"})
    return api_call(quick_report_judge, _report_out, report=row, actor=request.user, valid=payload.valid,
                    reason=payload.reason)


@router.post("/join", response={201: WoodpeckerOut, 400: ErrorOut}, url_name="woodpeckers_join",
             summary="申请加入啄木鸟队伍（社区审核）")
def join(request, payload: JoinIn):
    community = Area.objects.filter(code=payload.community.strip()[:30], level=Level.COMMUNITY).first()
    return api_call(woodpecker_apply, _woodpecker_out, created=True, user=request.user, name=payload.name,
                    community=community, group=payload.group, duties=payload.duties, platform=payload.platform)


@router.get("/me", response={200: WoodpeckerOut, 404: ErrorOut}, url_name="woodpeckers_me", summary="我的队员身份")
def me(request):
    row = woodpecker_of(request.user)
    if row is None:
        return Status(404, {"detail": "您还没有申请加入啄木鸟队伍"})
    return _woodpecker_out(row)


@router.get("/roster", response={200: list[WoodpeckerOut], 403: ErrorOut}, url_name="woodpeckers_roster",
            summary="本社区（街道、区）的啄木鸟队员")
def roster(request, status: str = ""):
    if not may_see_roster(request.user):
        return Status(403, {"detail": "啄木鸟队伍由社区工作人员管理"})
    rows = roster_visible_to(request.user)
    if status:
        rows = rows.filter(status=status)
    return [_woodpecker_out(w) for w in rows[:500]]


@router.post("/roster/{pk}/decide", response={200: WoodpeckerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="woodpeckers_decide", summary="审核啄木鸟队员申请")
def decide(request, pk: int, payload: WoodpeckerDecideIn):
    row = roster_visible_to(request.user).filter(pk=pk).first()
    if row is None:
        return Status(404, {"detail": "队员不存在或不在您的社区"})
    return api_call(woodpecker_decide, _woodpecker_out, woodpecker=row, actor=request.user, approve=payload.approve,
                    reason=payload.reason)
