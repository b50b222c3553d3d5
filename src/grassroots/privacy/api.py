"""JSON API of residents' data rights: one's own data and reveal log, correction and deletion requests;
staff's list of requests under their areas and their decision (another area's request answers 404)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.core.errors import ErrorOut, api_call

from .models import PrivacyRequest
from .services import (
    correction_request,
    deletion_request,
    my_data,
    pending_for,
    person_of,
    request_decide,
    reveals_of,
)

router = Router(auth=django_auth, tags=["privacy"])
NOT_VERIFIED = {"detail": "请先核验身份"}


class PrivacyRevealOut(Schema):
    at: datetime
    who: str
    role: str
    field: str


class PrivacyCorrectionIn(Schema):
    field: str
    new_value: str
    reason: str


class PrivacyDeletionIn(Schema):
    reason: str


class PrivacyRequestOut(Schema):
    id: int
    kind: str
    status: str
    field: str
    new_value: str  # masked
    reason: str
    decision_reason: str
    outcome: dict
    created_at: datetime
    decided_at: datetime | None


class PrivacyDecideIn(Schema):
    decision: str  # approve | reject
    reason: str = ""


def _out(item: PrivacyRequest) -> dict:
    return {"id": item.pk, "kind": item.kind, "status": item.status, "field": item.field,
            "new_value": item.new_value_masked, "reason": item.reason, "decision_reason": item.decision_reason,
            "outcome": item.outcome, "created_at": item.created_at, "decided_at": item.decided_at}


@router.get("/me", response={200: dict, 404: ErrorOut}, url_name="privacy_me", summary="平台保存的我的个人信息（号码脱敏）")
def me(request):
    if person_of(request.user) is None:
        return Status(404, NOT_VERIFIED)
    return my_data(request.user)


@router.get("/me/reveals", response={200: list[PrivacyRevealOut], 404: ErrorOut}, url_name="privacy_reveals",
            summary="谁在何时查看了我的完整身份证号或手机号")
def reveals(request):
    if person_of(request.user) is None:
        return Status(404, NOT_VERIFIED)
    return reveals_of(request.user)


@router.post("/me/corrections", response={201: PrivacyRequestOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="privacy_correction", summary="申请更正姓名或手机号（社区审核）")
def correction(request, payload: PrivacyCorrectionIn):
    if person_of(request.user) is None:
        return Status(404, NOT_VERIFIED)
    return api_call(correction_request, _out, created=True, user=request.user, field=payload.field,
                    new_value=payload.new_value, reason=payload.reason)


@router.post("/me/deletions", response={201: PrivacyRequestOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="privacy_deletion", summary="申请删除个人信息（社区审核；诉求依法保留但匿名化）")
def deletion(request, payload: PrivacyDeletionIn):
    if person_of(request.user) is None:
        return Status(404, NOT_VERIFIED)
    return api_call(deletion_request, _out, created=True, user=request.user, reason=payload.reason)


@router.get("/requests", response=list[PrivacyRequestOut], url_name="privacy_requests", summary="辖区内居民的个人信息申请")
def requests(request):
    return [_out(item) for item in pending_for(request.user)[:200]]


@router.post("/requests/{pk}/decide", response={200: PrivacyRequestOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="privacy_decide", summary="同意或驳回申请（驳回须填写理由）")
def decide(request, pk: int, payload: PrivacyDecideIn):
    item = pending_for(request.user).filter(pk=pk).first()
    if item is None:
        return Status(404, {"detail": "没有这项申请"})
    if payload.decision not in ("approve", "reject"):
        return Status(400, {"detail": "请选择同意或驳回", "errors": {"decision": ["请选择同意或驳回"]}})
    return api_call(request_decide, _out, item=item, actor=request.user, approve=payload.decision == "approve",
                    reason=payload.reason)
