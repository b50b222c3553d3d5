"""JSON API of volunteering: activities, sign-up and cancellation, checking in and out with the code,
one's own history; for organisers: publishing, the code, the roster, confirming hours."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level
from grassroots.core.errors import ErrorOut, api_call
from grassroots.portal.views import _district

from .models import Signup, Team
from .selectors import activities_for, activity_visible, can_organise, my_hours, my_signups, roster
from .services import activity_create, check, code_issue, hours_confirm, signup, signup_cancel

router = Router(auth=django_auth, tags=["volunteers"])


class ActivityOut(Schema):
    id: int
    title: str
    place: str
    community: str
    team: str
    starts_at: datetime
    ends_at: datetime
    slots: int
    hours: Decimal
    status: str


class ActivityIn(Schema):
    community: str
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    slots: int
    hours: str | None = None
    description: str = ""
    team: int | None = None


class SignupOut(Schema):
    id: int
    activity: int
    name: str
    status: str
    status_label: str
    hours: Decimal | None
    confirmed: bool


class CodeIn(Schema):
    code: str


class CodeOut(Schema):
    kind: str
    code: str
    expires_at: datetime


class HoursConfirmIn(Schema):
    hours: str | None = None


class MineOut(Schema):
    hours: Decimal
    signups: list[SignupOut]


def _activity_out(a) -> dict:
    return {"id": a.pk, "title": a.title, "place": a.place, "community": a.community.code,
            "team": a.team.name if a.team else "", "starts_at": a.starts_at, "ends_at": a.ends_at, "slots": a.slots,
            "hours": a.hours, "status": a.status}


def _signup_out(s: Signup) -> dict:
    return {"id": s.pk, "activity": s.activity_id, "name": s.volunteer.person.name, "status": s.status,
            "status_label": str(s.get_status_display()), "hours": s.hours, "confirmed": s.confirmed_at is not None}


def _activity(request, pk: int):
    return activity_visible(request.user, pk)


@router.get("/activities", response=list[ActivityOut], url_name="volunteers_activities", summary="近期志愿活动")
def activities(request):
    return [_activity_out(a) for a in activities_for(request.user, _district(request))[:100]]


@router.post("/activities", response={201: ActivityOut, 400: ErrorOut, 403: ErrorOut}, url_name="volunteers_publish",
             summary="发布志愿活动（社区工作人员、服务队队长）")
def publish(request, payload: ActivityIn):
    community = Area.objects.filter(code=payload.community[:30], level=Level.COMMUNITY).first()
    team = Team.objects.filter(pk=payload.team).first() if payload.team else None
    return api_call(activity_create, _activity_out, created=True, community=community, actor=request.user,
                    title=payload.title, place=payload.place, starts_at=payload.starts_at, ends_at=payload.ends_at,
                    slots=payload.slots, hours=payload.hours, description=payload.description, team=team)


@router.post("/activities/{pk}/signup", response={200: SignupOut, 400: ErrorOut, 404: ErrorOut},
             url_name="volunteers_signup", summary="报名（名额满时候补）")
def activity_signup(request, pk: int):
    item = _activity(request, pk)
    if item is None:
        return Status(404, {"detail": "活动不存在"})
    return api_call(signup, _signup_out, activity=item, user=request.user)


@router.post("/activities/{pk}/cancel", response={200: SignupOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="volunteers_cancel", summary="取消报名（候补第一位自动转正）")
def activity_cancel(request, pk: int):
    row = Signup.objects.filter(activity_id=pk, user=request.user).first()
    if row is None:
        return Status(404, {"detail": "您没有报名这个活动"})
    return api_call(signup_cancel, _signup_out, signup_row=row, actor=request.user)


@router.post("/activities/{pk}/check", response={200: SignupOut, 400: ErrorOut, 404: ErrorOut},
             url_name="volunteers_check", summary="用组织者出示的码签到或签退")
def activity_check(request, pk: int, payload: CodeIn):
    item = _activity(request, pk)
    if item is None:
        return Status(404, {"detail": "活动不存在"})
    return api_call(check, _signup_out, activity=item, user=request.user, code=payload.code)


@router.post("/activities/{pk}/code/{kind}", response={201: CodeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="volunteers_code", summary="组织者：生成签到（in）或签退（out）码，两分钟有效")
def activity_code(request, pk: int, kind: str):
    item = _activity(request, pk)
    if item is None:
        return Status(404, {"detail": "活动不存在"})
    return api_call(code_issue, lambda c: {"kind": c.kind, "code": c.code, "expires_at": c.expires_at}, created=True,
                    activity=item, actor=request.user, kind=kind)


@router.get("/activities/{pk}/signups", response={200: list[SignupOut], 403: ErrorOut, 404: ErrorOut},
            url_name="volunteers_roster", summary="组织者：报名名单")
def activity_roster(request, pk: int):
    item = _activity(request, pk)
    if item is None:
        return Status(404, {"detail": "活动不存在"})
    if not can_organise(request.user, item):
        return Status(403, {"detail": "只有活动组织者可以查看名单"})
    return [_signup_out(s) for s in roster(item)]


@router.post("/signups/{pk}/confirm", response={200: SignupOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="volunteers_confirm", summary="组织者：确认（或修改）志愿时长")
def signup_confirm(request, pk: int, payload: HoursConfirmIn):
    row = Signup.objects.select_related("activity__community", "volunteer__person").filter(pk=pk).first()
    if row is None or not can_organise(request.user, row.activity):
        return Status(404, {"detail": "报名不存在或不是您组织的活动"})
    return api_call(hours_confirm, _signup_out, signup_row=row, actor=request.user, hours=payload.hours)


@router.get("/me", response=MineOut, url_name="volunteers_me", summary="我的志愿：已确认时长与报名记录")
def me(request):
    rows = my_signups(request.user).select_related("volunteer__person")[:200]
    return {"hours": my_hours(request.user), "signups": [_signup_out(s) for s in rows]}
