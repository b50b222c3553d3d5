"""JSON API of resident accounts: sign in with a code (a session, as the pages), one's own account
and household claim; the grid worker's claims to confirm. Errors are Chinese, keyed by field."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level
from grassroots.core.errors import ErrorOut, api_call, api_refusal

from .accounts import household_claim_decide, household_claim_submit, signin_code_send, signin_code_verify
from .models import HouseholdClaim
from .selectors_accounts import account_of, claims_visible_to, may_see_claims
from .views_accounts import BACKEND

router = Router(auth=django_auth, tags=["portal"])


class PhoneIn(Schema):
    phone: str


class SignInIn(Schema):
    phone: str
    code: str


class SentOut(Schema):
    sent: bool
    expires_in_seconds: int


class AccountOut(Schema):
    username: str
    phone: str  # masked
    status: str
    status_label: str
    household: str | None = None  # the household's code once verified
    household_name: str | None = None
    pending_claim: int | None = None


class SignedInOut(AccountOut):
    created: bool


class ClaimIn(Schema):
    name: str
    id_number: str
    household: str = ""  # a household's code, when the register does not know the resident
    note: str = ""


class ClaimResultOut(Schema):
    verified: bool
    claim: int | None = None


class ClaimOut(Schema):
    id: int
    name: str
    id_number: str  # masked
    phone: str  # masked
    household: str
    household_name: str
    note: str
    status: str
    reason: str
    created_at: datetime
    decided_at: datetime | None


class DecideIn(Schema):
    decision: str  # confirm | refuse
    reason: str = ""


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def _account_out(account) -> dict:
    pending = account.claims.filter(status=HouseholdClaim.Status.PENDING).values_list("pk", flat=True).first()
    return {"username": account.user.username, "phone": account.phone_masked, "status": account.status,
            "status_label": str(account.get_status_display()),
            "household": account.household.code if account.household else None,
            "household_name": account.household.name if account.household else None, "pending_claim": pending}


@router.post("/signin/code", auth=None, response={202: SentOut, 400: ErrorOut, 429: ErrorOut},
             url_name="portal_signin_code", summary="向手机号发送登录/注册验证码（按号码和来源地址限流）")
def signin_code(request, payload: PhoneIn):
    try:
        row = signin_code_send(phone=payload.phone, address=_address(request))
    except ValidationError as exc:
        return api_refusal(exc)
    return Status(202, {"sent": True, "expires_in_seconds": int((row.expires_at - row.created_at).total_seconds())})


@router.post("/signin", auth=None, response={200: SignedInOut, 400: ErrorOut, 429: ErrorOut},
             url_name="portal_signin", summary="用验证码登录（第一次即注册）；成功后建立会话")
def signin(request, payload: SignInIn):
    try:
        done = signin_code_verify(phone=payload.phone, code=payload.code, address=_address(request))
    except ValidationError as exc:
        return api_refusal(exc)
    login(request, done.user, backend=BACKEND)
    return _account_out(done.account) | {"created": done.created}


@router.get("/me", response={200: AccountOut, 404: ErrorOut}, url_name="portal_me", summary="我的账号与核验状态")
def me(request):
    account = account_of(request.user)
    if account is None:
        return Status(404, {"detail": "该账号不是居民账号"})
    return _account_out(account)


@router.post("/me/claim", response={200: ClaimResultOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
             url_name="portal_claim", summary="核验身份、认领住户：与台账一致即绑定，否则交网格员确认")
def claim_submit(request, payload: ClaimIn):
    account = account_of(request.user)
    if account is None:
        return Status(404, {"detail": "该账号不是居民账号"})
    household = None
    if payload.household.strip():
        household = Area.objects.filter(code=payload.household.strip()[:30], level=Level.HOUSEHOLD).first()
        if household is None:
            return Status(400, {"detail": "住户不存在", "errors": {"household": ["住户不存在，请重新选择"]}})
    try:
        result = household_claim_submit(account=account, name=payload.name, id_number=payload.id_number,
                                        household=household, note=payload.note)
    except ValidationError as exc:
        return api_refusal(exc)
    return {"verified": result.verified, "claim": result.claim.pk if result.claim else None}


def _claim_out(c: HouseholdClaim) -> dict:
    return {"id": c.pk, "name": c.name, "id_number": c.id_number_masked, "phone": c.account.phone_masked,
            "household": c.household.code, "household_name": c.household.name, "note": c.note, "status": c.status,
            "reason": c.reason, "created_at": c.created_at, "decided_at": c.decided_at}


@router.get("/claims", response={200: list[ClaimOut], 403: ErrorOut}, url_name="portal_claims",
            summary="待网格员确认的住户认领（本人管辖的网格、社区）")
def claims_list(request, status: str = "pending"):
    if not may_see_claims(request.user):
        return Status(403, {"detail": "只有网格员和社区工作者可以查看住户认领"})
    rows = claims_visible_to(request.user)
    if status:
        rows = rows.filter(status=status)
    return [_claim_out(c) for c in rows[:200]]


@router.post("/claims/{pk}/decide", response={200: ClaimOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="portal_claim_decide", summary="确认（confirm）或不通过（refuse，需说明原因）住户认领")
def claim_decide(request, pk: int, payload: DecideIn):
    found = claims_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        return Status(404, {"detail": "认领不存在或不在您的管辖范围内"})
    if payload.decision not in ("confirm", "refuse"):
        return Status(400, {"detail": "decision 应为 confirm 或 refuse", "errors": {"decision": ["应为 confirm 或 refuse"]}})
    return api_call(household_claim_decide, _claim_out, claim=found, actor=request.user,
                    confirm=payload.decision == "confirm", reason=payload.reason)
