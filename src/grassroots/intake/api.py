"""System-to-system push of cases (mounted at /api/intake/ by grassroots/api/api.py).

Another system (the 12345 platform, city management) sends its work orders with an API key
(``X-Api-Key: gr_…`` or ``Authorization: Bearer gr_…``). A work order is idempotent on its
``external_id`` (within the client's source and district) and on an ``Idempotency-Key`` header: a
retry answers with the case created the first time. A client reads back only its own cases.

Errors are JSON: ``{"detail": "…", "errors": {"field": "…"}}``, in Chinese, one message per field.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from grassroots.cases.models import Case, Channel
from grassroots.cases.selectors import case_timeline_public
from grassroots.cases.transitions import status_label

from . import inputs
from .hotline_fields import COUNT_MAX
from .inputs import ADDRESS_MAX, BODY_MAX, TITLE_MAX, Errors
from .models import ApiClient
from .placement import PlaceProblem
from .services import (
    api_client_authenticate,
    case_receive_from_client,
    client_district,
    client_intake_key,
    gazetteer_for,
)


class ApiKey(APIKeyHeader):
    """``X-Api-Key: <key>``, or ``Authorization: Bearer <key>``."""

    param_name = "X-Api-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.headers.get(self.param_name)
        if not key:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            key = value.strip() if scheme.lower() == "bearer" else None
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiClient:
        if not key:
            raise HttpError(401, "缺少 API 密钥：请在请求头 X-Api-Key 中提供平台发放的密钥")
        client = api_client_authenticate(key)
        if client is None:
            raise HttpError(401, "API 密钥无效或已停用：请向区级平台管理员确认密钥")
        return client


router = Router(auth=ApiKey())


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class CasePushIn(Schema):
    """One work order pushed by another system."""

    external_id: str  # the sending system's own id: a second push with the same id creates nothing
    content: str  # 诉求内容, at most 5000 characters
    title: str = ""  # at most 200; empty: the start of the content
    category: str = ""  # a category code (see /open311/v2/services.json) or an exact category name
    urgency: str = ""  # emergency | utility | general | complex (or 紧急/水电气热/一般/复杂); empty: general
    lat: float | None = None
    lng: float | None = None
    area: str = ""  # a street/community/grid/building code or name
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    anonymous: bool = False
    likes: int | None = None  # other residents' likes/附议 on the sending channel (hot-problem ranking)
    dislikes: int | None = None


class CaseReceiptOut(Schema):
    case_number: str
    tracking_code: str
    status: str
    status_label: str
    created: bool
    external_id: str
    token: str
    deadline: datetime | None


class TimelineOut(Schema):
    at: datetime
    status: str
    status_label: str
    text: str
    note: str


class CaseStatusOut(Schema):
    case_number: str
    external_id: str
    status: str
    status_label: str
    closed: bool
    deadline: datetime | None
    updated_at: datetime
    timeline: list[TimelineOut]


PUSH_FIELDS = set(CasePushIn.model_fields)
CLOSED = {Case.Status.CLOSED, Case.Status.REJECTED, Case.Status.MERGED}


def _invalid(errors: Errors, status: int = 400) -> Status:
    return Status(status, {"detail": "请求有误：" + "；".join(errors.values()), "errors": errors})


def _body(request: HttpRequest) -> tuple[dict | None, Errors]:
    try:
        raw = request.body
    except RequestDataTooBig:
        return None, {"body": "请求内容过大（超过10 MB），一条诉求最多5000字，请删减后重新提交"}
    try:
        data = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        return None, {"body": "请求体不是有效的 UTF-8 JSON，请检查格式（Content-Type: application/json）"}
    if not isinstance(data, dict):
        return None, {"body": "请求体应为 JSON 对象，如 {\"external_id\": \"…\", \"content\": \"…\"}"}
    return data, {}


def _clean(data: dict, client: ApiClient) -> tuple[dict, Errors]:
    errors: Errors = {}
    for key in sorted(set(data) - PUSH_FIELDS):
        errors[key] = f"未知字段“{key[:40]}”：可用字段为 {'、'.join(CasePushIn.model_fields)}"
    values = {
        "external_id": inputs.text_field(errors, data, "external_id", "外部编号", maximum=inputs.EXTERNAL_ID_MAX,
                                         required=True),
        "body": inputs.text_field(errors, data, "content", "诉求内容", maximum=BODY_MAX, required=True),
        "title": inputs.text_field(errors, data, "title", "标题", maximum=TITLE_MAX),
        "address": inputs.text_field(errors, data, "address", "地址", maximum=ADDRESS_MAX),
        "contact_name": inputs.text_field(errors, data, "contact_name", "联系人", maximum=50),
        "contact_phone": inputs.phone_field(errors, data, "contact_phone"),
        "urgency": inputs.choice_field(errors, data, "urgency"),
        "category": inputs.category_field(errors, data, "category"),
        "anonymous": data.get("anonymous", False),
    }
    if not isinstance(values["anonymous"], bool):
        errors["anonymous"] = "匿名（anonymous）应为 true 或 false"
    for key, label in (("likes", "点赞数"), ("dislikes", "点踩数")):
        values[key] = data.get(key)
        if values[key] is not None and (not isinstance(values[key], int) or isinstance(values[key], bool)
                                        or not 0 <= values[key] <= COUNT_MAX):
            errors[key] = f"{label}（{key}）应为 0 到 {COUNT_MAX} 之间的整数"
    area = inputs.text_field(errors, data, "area", "区域", maximum=40)
    if errors:
        return values, errors
    try:
        values["placement"] = gazetteer_for(client_district(client)).place(
            lat=data.get("lat"), lng=data.get("lng"), area_text=area, address=values["address"])
    except PlaceProblem as problem:
        errors["area" if problem.field == "area" else "lat"] = problem.message
    values["title"] = values["title"] or inputs.first_words(values["body"], 30)
    return values, errors


def _receipt_out(case: Case, created: bool, token: str) -> dict:
    return {"case_number": case.code, "tracking_code": case.tracking_code, "status": case.status,
            "status_label": status_label(case.status), "created": created, "external_id": case.external_id,
            "token": token, "deadline": case.deadline}


@router.post("/cases", response={201: CaseReceiptOut, 200: CaseReceiptOut, 400: ErrorOut, 401: ErrorOut,
                                 409: ErrorOut, 413: ErrorOut},
             summary="推送一条工单（按 external_id 幂等）",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": CasePushIn.model_json_schema()}}},
                 "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                 "schema": {"type": "string", "maxLength": inputs.IDEMPOTENCY_KEY_MAX},
                                 "description": "重试时带上同一个值，只会建一条诉求"}]})
def case_push(request: HttpRequest):
    """Create a case from another system's work order; the same ``external_id`` (or the same
    ``Idempotency-Key``) again answers 200 with the case created the first time."""
    client: ApiClient = request.auth
    data, errors = _body(request)
    if data is None:
        return _invalid(errors, 413 if "过大" in errors.get("body", "") else 400)
    values, errors = _clean(data, client)
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > inputs.IDEMPOTENCY_KEY_MAX:
        errors["Idempotency-Key"] = f"Idempotency-Key 最多{inputs.IDEMPOTENCY_KEY_MAX}个字符"
    if errors:
        return _invalid(errors)
    try:
        received = case_receive_from_client(
            client=client, channel=Channel.API, title=values["title"], body=values["body"],
            placement=values["placement"], address=values["address"], category=values["category"],
            urgency=values["urgency"], contact_name=values["contact_name"], contact_phone=values["contact_phone"],
            anonymous=values["anonymous"], external_id=values["external_id"],
            intake_key=client_intake_key(client, key) if key else "", likes=values["likes"],
            dislikes=values["dislikes"])
    except ValidationError as exc:
        return _invalid({k: "；".join(v) for k, v in exc.message_dict.items()})
    except PermissionDenied as exc:
        return _invalid({"client": str(exc)})
    case = received.case
    if not received.created and case.external_id != values["external_id"]:
        return Status(409, {"detail": f"该 Idempotency-Key 已用于外部编号“{case.external_id}”的工单，请换一个",
                            "errors": {"Idempotency-Key": "已被另一条工单使用"}})
    return Status(201 if received.created else 200, _receipt_out(case, received.created, received.receipt.token))


@router.get("/cases/{external_id}", response={200: CaseStatusOut, 401: ErrorOut, 404: ErrorOut},
            summary="查询本系统推送的一条工单的状态和公开办理记录")
def case_status(request: HttpRequest, external_id: str):
    """Status and public timeline of one of the client's own cases (its source, its district)."""
    client: ApiClient = request.auth
    case = Case.objects.filter(district_code=client.district_code, external_source=client.source,
                               external_id=external_id.strip()).first()
    if case is None:
        return Status(404, {"detail": f"没有外部编号为“{external_id[:64]}”的工单（只能查询本系统推送或导入的工单）"})
    timeline = [{"at": e.at, "status": e.status, "status_label": status_label(e.status), "text": e.text,
                 "note": e.note} for e in case_timeline_public(case)]
    return Status(200, {"case_number": case.code, "external_id": case.external_id, "status": case.status,
                        "status_label": status_label(case.status), "closed": case.status in CLOSED,
                        "deadline": case.deadline, "updated_at": case.updated_at, "timeline": timeline})
