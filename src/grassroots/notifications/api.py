"""JSON API of the inbox: the signed-in user's own notifications only (anybody else's is a 404)."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from grassroots.core.params import Offset

from .models import Notification
from .selectors import notification_get_for, notifications_of, unread_count
from .services import notification_mark_read, notifications_mark_all_read

router = Router(auth=django_auth, tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    object_type: str
    object_id: str
    created_at: datetime
    read_at: datetime | None
    unread: bool


class ListFilter(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class CountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


def _out(n: Notification) -> dict:
    return {
        "id": n.pk, "kind": n.kind, "kind_label": str(n.get_kind_display()), "title": n.title, "body": n.body,
        "link": n.link, "object_type": n.object_type, "object_id": n.object_id, "created_at": n.created_at,
        "read_at": n.read_at, "unread": n.read_at is None,
    }


def _own(request, notification_id: int) -> Notification:
    try:
        return notification_get_for(request.user, notification_id)
    except Notification.DoesNotExist:
        raise HttpError(404, "消息不存在") from None


@router.get("/", response=list[NotificationOut], url_name="notifications_list",
            summary="我的消息（未读在前，新的在前）")
def notification_list(request, filters: Query[ListFilter]):
    rows = notifications_of(request.user)
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    return [_out(n) for n in rows[filters.offset:filters.offset + filters.limit]]


@router.get("/unread-count", response=CountOut, url_name="notifications_unread_count", summary="未读消息数")
def notification_unread_count(request):
    return {"unread": unread_count(request.user)}


@router.post("/read-all", response=MarkedOut, url_name="notifications_read_all", summary="全部标为已读")
def notification_read_all(request):
    return {"marked": notifications_mark_all_read(actor=request.user)}


@router.get("/{notification_id}", response=NotificationOut, url_name="notifications_detail", summary="一条消息")
def notification_detail(request, notification_id: int):
    return _out(_own(request, notification_id))


@router.post("/{notification_id}/read", response=NotificationOut, url_name="notifications_read",
             summary="标为已读")
def notification_read(request, notification_id: int):
    return _out(notification_mark_read(notification=_own(request, notification_id), actor=request.user))
