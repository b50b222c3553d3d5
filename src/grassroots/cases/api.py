"""JSON API of the staff case pages (mounted at /api/cases by grassroots/api/api.py; session auth).

The same scoping, filters, forms and services as the pages: a case outside the caller's scope is
a 404; an action is ``POST /{id}/actions/{action}`` with the inputs that action needs, validated
by the page's form and done by the one service. Errors are JSON ``{"detail": "<中文>", "errors":
{"<field>": ["<中文>"]}}``: 422 bad input, 409 the case's state does not allow it now (e.g. a
second click: someone already did it), 403 not this user, 404 no such case for this user.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from grassroots.core.paging import CappedPaginator
from grassroots.core.params import Page

from . import selectors
from .forms import BulkForm, CaseFilterForm
from .forms_actions import ACTION_FORMS, PANEL_ORDER, action_form
from .models import Case, CaseEvent, WhistleTask
from .services import case_contact_reveal
from .views_shared import case_or_404

router = Router()
PAGE_SIZE = 50
ActionName = Literal[tuple(PANEL_ORDER)]  # type: ignore[valid-type]
STATUS_OF_FAILURE = {"invalid": 422, "conflict": 409, "denied": 403}


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class CaseOut(Schema):
    id: int
    code: str
    title: str
    status: str
    status_label: str
    urgency: str
    urgency_label: str
    channel: str
    channel_label: str
    tier: str
    tier_label: str
    category_code: str | None
    category_name: str | None
    area_code: str
    area_name: str | None
    address: str
    assigned_area_code: str | None
    assigned_area_name: str | None
    assigned_unit_id: int | None
    assigned_unit_name: str | None
    assigned_user_id: int | None = Field(description="接单党员的用户 id（派给党员个人时）")
    assigned_user_name: str | None
    contact_name: str = Field(description="联系人（脱敏；匿名反映为“匿名”）")
    contact_phone: str = Field(description="联系电话（脱敏）")
    created_at: datetime
    deadline: datetime | None
    deadline_state: str = Field(description="overdue 已超时 | near 临期 | ok | stopped 已停止计时 | none 未设时限")
    deadline_text: str = Field(description="剩余时间或“已超时…”")
    overdue: bool = Field(description="曾超时")
    supervised: bool
    replied_at: datetime | None
    closed_at: datetime | None
    rating: str


class TaskOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: str
    role_label: str
    task: str
    deadline: datetime | None
    status: str
    status_label: str
    reply: str
    replied_at: datetime | None


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    stage: str
    created_at: datetime


class CaseDetailOut(CaseOut):
    body: str
    lat: float | None
    lng: float | None
    anonymous: bool
    handler: str | None
    first_deadline: datetime | None
    deadline_started_at: datetime | None
    responded_at: datetime | None
    extension_requested_until: datetime | None
    parked_until: date | None
    merged_into_code: str | None
    return_count: int
    reopen_count: int
    rated_at: datetime | None
    can_reveal: bool
    actions: list[str] = Field(description="当前用户现在可以执行的操作（与页面的操作面板一致）")
    whistle_tasks: list[TaskOut]
    attachments: list[AttachmentOut]


class CasePage(Schema):
    count: int = Field(description="诉求件数；清单的件数最多数到 1000（more 为 true 时实际更多，请加筛选条件）")
    page: int
    pages: int
    more: bool = Field(False, description="实际件数超过 count（清单只数到上限）")
    items: list[CaseOut]


class EventOut(Schema):
    id: int
    at: datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str | None = Field(description="操作人；为空表示系统")
    note: str
    public: bool = Field(description="居民可见")
    data: dict[str, Any]


class CaseFilters(Schema):
    group: str = Field("", description="分类：" + "、".join(f"{g.key} {g.label}" for g in selectors.STATUS_GROUPS))
    status: str = Field("", description="状态")
    urgency: str = ""
    channel: str = ""
    tier: str = ""
    category: str = Field("", description="类别编码（含下级）")
    area: str = Field("", description="区域编码（含下级）")
    unit: str = Field("", description="承办单位 id")
    created_from: str = Field("", description="上报日期从（YYYY-MM-DD）")
    created_to: str = Field("", description="上报日期至（YYYY-MM-DD，含当天）")
    q: str = Field("", description="编号、标题或地址（模糊）")
    page: Page = 1


class ActionIn(Schema):
    """The inputs of every action; each action reads only the ones it needs."""

    note: str = Field("", description="说明（accept、start、take、dispatch、reassign、unpark、escalate、whistle、verify、"
                                      "close、merge、supervise、unsupervise；comment 必填）")
    reason: str = Field("", description="理由，必填（reject 须写明应反映的渠道、return、reopen、extend、park、"
                                        "request_extension、deny_extension）")
    reply: str = Field("", description="答复内容，必填（reply、task_reply）")
    public: bool = Field(True, description="答复是否居民可见（reply）")
    to_unit: int | str | None = Field(None, description="承办单位 id（dispatch、reassign：与 to_area、to_user 三选一）")
    to_area: str = Field("", description="责任网格/社区/街道的区域编码（dispatch、reassign）")
    to_user: int | str | None = Field(None, description="接单党员的用户 id（dispatch、reassign：派给党员个人接单）")
    until: str = Field("", description="extend、request_extension：新时限（ISO 日期时间）；park：复查日期（YYYY-MM-DD）")
    lead: int | str | None = Field(None, description="牵头单位 id（whistle）")
    assisting: list[int | str] = Field([], description="协办单位 id（whistle）")
    tasks: dict[str, str] = Field({}, description="每个单位的任务：{单位 id: 任务}（whistle；未填的用 note）")
    deadline: str = Field("", description="吹哨任务时限（whistle，ISO 日期时间）")
    rating: str = Field("", description="回访评价 satisfied | basic | unsatisfied（rate）")
    comment: str = Field("", description="居民意见（rate）")
    into: str = Field("", description="合并到的诉求编号（merge）")
    task: int | str | None = Field(None, description="要回复的吹哨任务 id（task_reply）")


class ActionOut(Schema):
    event: EventOut
    case: CaseDetailOut


class BulkIn(Schema):
    action: Literal["accept", "dispatch"]
    cases: list[int] = Field(..., min_length=1, max_length=500)
    to_unit: int | None = None
    to_area: str = ""
    note: str = ""


class BulkFailure(Schema):
    case_id: int | None
    code: str | None
    message: str


class BulkOut(Schema):
    done: list[int]


class BulkErrorOut(ErrorOut):
    failures: list[BulkFailure] = []


class RevealOut(Schema):
    name: str
    phone: str


# --- conversions ------------------------------------------------------------------------------------


def _case_out(row: selectors.CaseRow) -> dict[str, Any]:
    c = row.case
    return {
        "id": c.pk, "code": c.code, "title": c.title, "status": c.status, "status_label": c.get_status_display(),
        "urgency": c.urgency, "urgency_label": c.get_urgency_display(), "channel": c.channel,
        "channel_label": c.get_channel_display(), "tier": c.tier, "tier_label": c.get_tier_display(),
        "category_code": c.category.code if c.category else None,
        "category_name": c.category.name if c.category else None, "area_code": c.area_code,
        "area_name": c.area.name if c.area else None, "address": c.address,
        "assigned_area_code": c.assigned_area.code if c.assigned_area else None,
        "assigned_area_name": c.assigned_area.name if c.assigned_area else None,
        "assigned_unit_id": c.assigned_unit_id,
        "assigned_unit_name": c.assigned_unit.name if c.assigned_unit else None,
        "assigned_user_id": c.assigned_user_id,
        "assigned_user_name": str(c.assigned_user) if c.assigned_user_id else None,
        "contact_name": row.contact_name, "contact_phone": row.contact_phone, "created_at": c.created_at,
        "deadline": c.deadline, "deadline_state": row.deadline.state, "deadline_text": row.deadline.text,
        "overdue": c.overdue, "supervised": c.supervised_at is not None, "replied_at": c.replied_at,
        "closed_at": c.closed_at, "rating": c.rating,
    }


def _task_out(t: WhistleTask) -> dict[str, Any]:
    return {"id": t.pk, "unit_id": t.unit_id, "unit_name": t.unit.name, "role": t.role,
            "role_label": t.get_role_display(), "task": t.task, "deadline": t.deadline, "status": t.status,
            "status_label": t.get_status_display(), "reply": t.reply, "replied_at": t.replied_at}


def _detail_out(user, case: Case) -> dict[str, Any]:
    out = _case_out(selectors.case_rows([case])[0])
    out.update(
        body=case.body, lat=case.lat, lng=case.lng, anonymous=case.anonymous,
        handler=str(case.handler) if case.handler else None, first_deadline=case.first_deadline,
        deadline_started_at=case.deadline_started_at, responded_at=case.responded_at,
        extension_requested_until=case.extension_requested_until,
        parked_until=case.parked_until, merged_into_code=case.merged_into.code if case.merged_into else None,
        return_count=case.return_count, reopen_count=case.reopen_count, rated_at=case.rated_at,
        can_reveal=selectors.can_reveal_contact(user, case),
        actions=[a for a in selectors.case_actions_for(user, case) if a in ACTION_FORMS],
        whistle_tasks=[_task_out(t) for t in selectors.whistle_tasks_of(case)],
        attachments=[{"id": a.pk, "content_type": a.content_type, "size": a.size, "stage": a.stage,
                      "created_at": a.created_at} for a in selectors.case_photos(case)],
    )
    return out


def _event_out(e: CaseEvent) -> dict[str, Any]:
    return {"id": e.pk, "at": e.at, "action": e.action, "action_label": selectors.action_text(e.action),
            "from_status": e.from_status, "to_status": e.to_status, "actor": str(e.actor) if e.actor else None,
            "note": e.note, "public": e.public, "data": e.data or {}}


def _case(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_or_404(request.user, case_id)
    except Http404 as exc:
        raise _NotFound(str(exc)) from None


class _NotFound(Exception):
    pass


def _errors(form) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


def _first_error(errors: dict[str, list[str]], fallback: str) -> str:
    for messages in errors.values():
        if messages:
            return messages[0]
    return fallback


def _form_data(payload: ActionIn) -> dict[str, Any]:
    data = payload.dict()
    for key in ("to_unit", "to_user", "lead", "task"):
        data[key] = "" if data[key] is None else str(data[key])
    data["assisting"] = [str(v) for v in data["assisting"]]
    for unit_id, text in (data.pop("tasks") or {}).items():
        data[f"task_{unit_id}"] = text
    if not data["public"]:
        data.pop("public")  # a checkbox: absent means unticked
    return data


# --- endpoints --------------------------------------------------------------------------------------


@router.get("/", response={200: CasePage, 422: ErrorOut}, summary="诉求清单")
def cases_list(request: HttpRequest, filters: Query[CaseFilters]):
    """The cases the caller works on, with the list page's filters; 50 a page, newest first."""
    params = filters.dict()
    page_no = params.pop("page")
    form = CaseFilterForm({k: v for k, v in params.items() if v}, user=request.user)
    if not form.is_valid():
        errors = _errors(form)
        return Status(422, {"detail": _first_error(errors, "筛选条件有误"), "errors": errors})
    qs, counted = selectors.staff_case_list(request.user, form.filters())
    # counted up to a cap over the index of the caller's places (see the list page)
    paginator = CappedPaginator(qs, PAGE_SIZE, count_from=counted)
    page = paginator.get_page(page_no)
    return {"count": paginator.count, "page": page.number, "pages": max(1, math.ceil(paginator.count / PAGE_SIZE)),
            "more": paginator.capped, "items": [_case_out(r) for r in selectors.case_rows(page.object_list)]}


@router.get("/board", response=CasePage, summary="派单台")
def cases_board(request: HttpRequest, kind: Literal["", "new", "returned", "escalated", "extension"] = "",
                include_lower: bool = False, page: Page = 1):
    """What waits for the caller as a dispatcher (empty for users who do not dispatch)."""
    qs = selectors.board_cases_for(request.user, kind=kind, include_lower=include_lower)
    paginator = Paginator(qs, PAGE_SIZE)
    current = paginator.get_page(page)
    return {"count": paginator.count, "page": current.number,
            "pages": max(1, math.ceil(paginator.count / PAGE_SIZE)),
            "items": [_case_out(r) for r in selectors.case_rows(current.object_list)]}


@router.post("/bulk", response={200: BulkOut, 422: BulkErrorOut}, summary="批量受理/派单")
def cases_bulk(request: HttpRequest, payload: BulkIn):
    """Accept or dispatch several cases: all of them, or — when any one cannot be done — none,
    with each failing case named in ``failures``."""
    data = {"action": payload.action, "cases": [str(pk) for pk in payload.cases], "note": payload.note,
            "to_unit": str(payload.to_unit or ""), "to_area": payload.to_area}
    form = BulkForm(data, user=request.user)
    if form.submit():
        return {"done": [c.pk for c in form.done]}
    errors = _errors(form)
    failures = [{"case_id": c.pk if c else None, "code": c.code if c else None, "message": str(m)}
                for c, m in form.failures]
    detail = "没有执行任何操作：部分诉求不能处理" if failures else _first_error(errors, "输入有误")
    return Status(422, {"detail": detail, "errors": errors, "failures": failures})


@router.get("/{case_id}", response={200: CaseDetailOut, 404: ErrorOut}, summary="诉求详情")
def case_detail(request: HttpRequest, case_id: int):
    try:
        case = _case(request, case_id)
    except _NotFound as exc:
        return Status(404, {"detail": str(exc)})
    return _detail_out(request.user, case)


@router.get("/{case_id}/events", response={200: list[EventOut], 404: ErrorOut}, summary="办理记录")
def case_events(request: HttpRequest, case_id: int):
    """Every event of the case, oldest first, public and internal."""
    try:
        case = _case(request, case_id)
    except _NotFound as exc:
        return Status(404, {"detail": str(exc)})
    return [_event_out(e) for e in selectors.case_events(case)]


@router.post("/{case_id}/actions/{action}", summary="办理操作",
             response={200: ActionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def case_act(request: HttpRequest, case_id: int, action: ActionName, payload: ActionIn):
    """One action through its service (the same checks as the detail page's action panel)."""
    try:
        case = _case(request, case_id)
    except _NotFound as exc:
        return Status(404, {"detail": str(exc)})
    if action not in ACTION_FORMS:
        return Status(404, {"detail": f"暂不支持的操作：{action}"})
    form = action_form(action, _form_data(payload), case=case, user=request.user)
    event = form.submit()
    if event is None:
        errors = _errors(form)
        return Status(STATUS_OF_FAILURE.get(form.failure, 422),
                      {"detail": _first_error(errors, "输入有误"), "errors": errors})
    case = selectors.staff_cases_for(request.user).filter(pk=case.pk).first() or case  # may be out of sight now
    return {"event": _event_out(event), "case": _detail_out(request.user, case)}


@router.post("/{case_id}/reveal", response={200: RevealOut, 403: ErrorOut, 404: ErrorOut},
             summary="查看完整联系方式")
def case_reveal(request: HttpRequest, case_id: int, response: HttpResponse):
    """The reporter's plain name and phone, for the call-back. Permission-checked and audited."""
    add_never_cache_headers(response)
    try:
        case = _case(request, case_id)
    except _NotFound as exc:
        return Status(404, {"detail": str(exc)})
    try:
        name, phone = case_contact_reveal(case=case, actor=request.user)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    return {"name": name, "phone": phone}
