"""JSON API of points: one's balances and statement, the store, redeeming (with the request's own
idempotency key), one's codes; a merchant's verification and redemptions; a community's books.
Every read is scoped as the pages are: one's own accounts, one's own merchant, one's own community."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level
from grassroots.core.errors import ErrorOut, api_call

from . import selectors
from .exports import KIND_LABELS
from .models import Offer, Redemption
from .services import may_manage, redeem, redemption_cancel, verify_code

router = Router(auth=django_auth, tags=["points"])


class PointsAccountOut(Schema):
    community: str
    community_name: str
    balance: int
    held: int
    available: int


class LineOut(Schema):
    id: int
    at: datetime
    what: str
    kind: str
    amount: int
    balance_after: int


class OfferOut(Schema):
    id: int
    merchant: str
    community: str
    kind: str
    title: str
    description: str
    price: int
    face_value: str | None
    stock_left: int
    per_person: int
    valid_until: str


class RedemptionOut(Schema):
    id: int
    offer: str
    merchant: str
    points: int
    code: str
    status: str
    created_at: datetime
    expires_at: datetime
    closed_at: datetime | None


class RedeemIn(Schema):
    key: str


class VerifyIn(Schema):
    code: str


class BooksOut(Schema):
    community: str
    issued: int
    redeemed: int
    expired: int
    outstanding: int
    held: int
    people: int
    balanced: bool


def _offer(o: Offer) -> dict:
    return {"id": o.pk, "merchant": o.merchant.name, "community": o.merchant.community.code, "kind": o.kind,
            "title": o.title, "description": o.description, "price": o.price,
            "face_value": str(o.face_value) if o.face_value is not None else None, "stock_left": o.stock_left,
            "per_person": o.per_person, "valid_until": str(o.valid_until)}


def _redemption(r: Redemption, *, show_code: bool = True) -> dict:
    return {"id": r.pk, "offer": r.offer.title, "merchant": r.merchant.name, "points": r.points,
            "code": r.code if show_code and r.status == Redemption.Status.HELD else "", "status": r.status,
            "created_at": r.created_at, "expires_at": r.expires_at, "closed_at": r.closed_at}


@router.get("/me", response=list[PointsAccountOut], url_name="points_me", summary="我的积分账户（每个社区一个）")
def me(request):
    return [{"community": a.community_code, "community_name": place.name if place else "", "balance": a.posted,
             "held": a.held, "available": a.available} for a, place in selectors.my_accounts(request.user)]


@router.get("/me/statement", response={200: list[LineOut], 404: ErrorOut}, url_name="points_statement",
            summary="我的积分明细（每条附变动后余额；before=上一页最后一条的 id）")
def statement(request, community: str, before: int | None = None):
    account = next((a for a, _p in selectors.my_accounts(request.user) if a.community_code == community), None)
    if account is None:
        return Status(404, {"detail": "您在这个社区没有积分账户"})
    return [{"id": line["pk"], "at": line["created_at"], "kind": line["transfer__kind"], "amount": line["amount"],
             "what": line["transfer__reason"] or KIND_LABELS.get(line["transfer__kind"], ""),
             "balance_after": line["balance_after"]} for line in selectors.statement(account, before=before)]


@router.get("/offers", response=list[OfferOut], url_name="points_offers", summary="可兑换的项目（我有积分的社区）")
def offers(request):
    return [_offer(o) for o in selectors.store(request.user)[:200]]


@router.post("/offers/{pk}/redeem", response={201: RedemptionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="points_redeem", summary="兑换：冻结积分、得到一次性兑换码（key：本次请求的编号，重发不会重复兑换）")
def offer_redeem(request, pk: int, payload: RedeemIn):
    offer = Offer.objects.filter(pk=pk).first()
    if offer is None:
        return Status(404, {"detail": "兑换项目不存在"})
    return api_call(redeem, _redemption, created=True, offer=offer, user=request.user, key=payload.key)


@router.get("/redemptions", response=list[RedemptionOut], url_name="points_redemptions", summary="我的兑换")
def my_redemptions(request):
    return [_redemption(r) for r in selectors.my_redemptions(request.user)[:200]]


@router.post("/redemptions/{pk}/cancel", response={200: RedemptionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="points_cancel", summary="取消兑换（未核销的兑换码），积分退回")
def cancel(request, pk: int):
    row = selectors.my_redemptions(request.user).filter(pk=pk).first()
    if row is None:
        return Status(404, {"detail": "兑换不存在"})
    return api_call(redemption_cancel, _redemption, redemption=row, user=request.user)


@router.post("/merchants/{pk}/verify", response={200: RedemptionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                 429: ErrorOut},
             url_name="points_verify", summary="商家核销兑换码（同一个码只能核销一次）")
def verify(request, pk: int, payload: VerifyIn):
    shop = selectors.my_merchants(request.user).filter(pk=pk).first()
    if shop is None:
        return Status(404, {"detail": "商家不存在，或您不是它的核销人员"})
    return api_call(verify_code, lambda r: _redemption(r, show_code=False), merchant=shop, code=payload.code,
                    actor=request.user)


@router.get("/merchants/{pk}/redemptions", response={200: list[RedemptionOut], 404: ErrorOut},
            url_name="points_merchant_redemptions", summary="本商家的兑换记录（对账）")
def merchant_redemptions(request, pk: int, status: str = ""):
    shop = selectors.my_merchants(request.user).filter(pk=pk).first()
    if shop is None:
        return Status(404, {"detail": "商家不存在，或您不是它的核销人员"})
    return [_redemption(r, show_code=False) for r in selectors.merchant_redemptions(shop, status=status or None)[:500]]


@router.get("/communities/{code}/books", response={200: BooksOut, 404: ErrorOut}, url_name="points_books",
            summary="社区积分账本：发放、兑换、过期、居民持有")
def books(request, code: str):
    place = Area.objects.filter(code=code[:30], level=Level.COMMUNITY).first()
    if place is None or not may_manage(request.user, place.code):
        return Status(404, {"detail": "社区不存在或不在您的管辖范围"})
    return {"community": place.code, **selectors.books(place)}
