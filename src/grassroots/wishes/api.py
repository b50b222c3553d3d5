"""JSON API of 微心愿: the public wall (no login; public fields only), claiming and one's claims, the
community's confirmation. Proof photos are uploaded on the page."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level
from grassroots.core.errors import ErrorOut, api_call

from .models import Wish
from .selectors import managed, my_claims, wall
from .services import wish_claim, wish_confirm

router = Router(auth=django_auth, tags=["wishes"])


class WishOut(Schema):
    id: int
    title: str
    story: str
    kind: str
    status: str
    community: str
    claimer: str
    published_at: datetime
    confirmed_at: datetime | None


class ConfirmIn(Schema):
    confirmed: bool = True
    reason: str = ""


def _public(row: dict) -> dict:
    return {"id": row["pk"], "title": row["title"], "story": row["story"], "kind": row["kind"], "status": row["status"],
            "community": row["community__name"], "claimer": row["claimer_label"], "published_at": row["published_at"],
            "confirmed_at": row["confirmed_at"]}


def _out(w: Wish) -> dict:
    return {"id": w.pk, "title": w.title, "story": w.story, "kind": w.kind, "status": w.status,
            "community": w.community.name, "claimer": w.claimer_label, "published_at": w.published_at,
            "confirmed_at": w.confirmed_at}


@router.get("/wall", auth=None, response={200: list[WishOut], 404: ErrorOut}, url_name="wishes_wall",
            summary="社区微心愿墙（公开：不含心愿人的任何个人信息）")
def wish_wall(request, community: str):
    place = Area.objects.filter(code=community[:30], level=Level.COMMUNITY).first()
    if place is None:
        return Status(404, {"detail": "社区不存在"})
    return [_public(r) for r in wall(place)]


@router.post("/{pk}/claim", response={200: WishOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="wishes_claim", summary="认领微心愿（党员或志愿者）")
def claim(request, pk: int):
    wish = Wish.objects.select_related("community").filter(pk=pk).first()
    if wish is None:
        return Status(404, {"detail": "心愿不存在"})
    return api_call(wish_claim, _out, wish=wish, user=request.user)


@router.get("/mine", response=list[WishOut], url_name="wishes_mine", summary="我认领的心愿")
def mine(request):
    return [_out(w) for w in my_claims(request.user)]


@router.post("/{pk}/confirm", response={200: WishOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="wishes_confirm", summary="社区确认心愿实现（或退回补充，需说明）")
def confirm(request, pk: int, payload: ConfirmIn):
    wish = managed(request.user).filter(pk=pk).first()
    if wish is None:
        return Status(404, {"detail": "心愿不存在或不在您的社区"})
    return api_call(wish_confirm, _out, wish=wish, actor=request.user, confirmed=payload.confirmed,
                    reason=payload.reason)
