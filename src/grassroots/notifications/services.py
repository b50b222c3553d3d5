"""Writes of the notifications app: notify staff, mark read, queue gateway messages.

``notify`` is what other apps call (cases/notify.py after a case event commits, the SLA sweep, …).
It is idempotent on ``key``: a recipient who already has a notification with that key gets nothing
new, and neither does their phone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from grassroots.core import crypto
from grassroots.core.sensitive import set_sensitive
from grassroots.core.services import audit_record

from .models import Channel, Kind, Notification, OutboxMessage
from .selectors import phones_of

SMS_MAX_CHARS = 300


def _district_of(obj: Any, district_code: str) -> str:
    return (district_code or getattr(obj, "district_code", "") or "")[:6]


def mask_address(channel: str, address: str) -> str:
    """138****1234 for phones; the first 3 and last 4 characters of any other address."""
    if channel == Channel.SMS:
        return crypto.mask_phone(address)
    address = address.strip()
    if len(address) <= 8:
        return "*" * len(address)
    return f"{address[:3]}****{address[-4:]}"[:64]


def sms_text(title: str, body: str) -> str:
    text = f"{title}：{body}" if body else title
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def notify(*, recipients: Iterable, kind: str, title: str, body: str, link: str = "", key: str,
           obj: Model | None = None, sms: bool = False, district_code: str = "",
           audit: bool = True) -> list[Notification]:
    """Put one notification in each recipient's inbox (and, with ``sms``, queue a text message to
    each recipient's phone). Recipients who already have ``key`` are skipped. Returns the new rows.

    One transaction (the caller's, when there is one: no savepoint of its own). ``audit`` False for
    callers whose own event row already records why the message went out (the case loop's
    CaseEvent): the notification rows themselves say to whom."""
    with transaction.atomic(savepoint=False):
        return _notify(recipients=recipients, kind=kind, title=title, body=body, link=link, key=key, obj=obj,
                       sms=sms, district_code=district_code, audit=audit)


def _notify(*, recipients, kind, title, body, link, key, obj, sms, district_code, audit) -> list[Notification]:
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not key or len(key) > 200:
        raise ValueError("a notification needs a key of 1–200 characters")
    users = {u.pk: u for u in recipients if u is not None and u.pk and u.is_active}
    if not users:
        return []
    district = _district_of(obj, district_code)
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""

    def rows(pks) -> list[Notification]:
        return [Notification(recipient_id=pk, kind=kind, title=title[:200], body=body, link=link[:500], key=key,
                             object_type=object_type, object_id=object_id, district_code=district) for pk in pks]

    fresh = list(users)
    try:  # most keys are new (they name the event): insert, and let the unique constraint say otherwise
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows(fresh))  # the new rows, with their ids
    except IntegrityError:
        # Some recipients already have this key (a sweep run again, a retried request, two workers
        # at once): skip them, keep the rest.
        known = set(Notification.objects.filter(key=key, recipient_id__in=fresh).values_list("recipient_id", flat=True))
        fresh = [pk for pk in fresh if pk not in known]
        if not fresh:
            return []
        Notification.objects.bulk_create(rows(fresh), ignore_conflicts=True)
        created = list(Notification.objects.filter(key=key, recipient_id__in=fresh).order_by("pk"))
    if created and created[0].pk is None:  # a database that does not return ids from bulk inserts
        created = list(Notification.objects.filter(key=key, recipient_id__in=fresh).order_by("pk"))
    queued = 0
    if sms and created:
        phones = phones_of([n.recipient_id for n in created])
        messages = [
            _outbox_row(channel=Channel.SMS, address=phones[n.recipient_id], text=sms_text(title, body),
                        key=f"{key}:sms:{n.recipient_id}", district_code=district, notification=n)
            for n in created if phones.get(n.recipient_id)
        ]
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        queued = len(messages)
    if created and audit:
        audit_record(actor=None, action="notification.send", obj=obj,
                     object_type=object_type or "notifications.notification", district_code=district,
                     detail={"kind": kind, "key": key, "recipients": len(created), "sms": queued})
    return created


def _outbox_row(*, channel: str, address: str, text: str, key: str, district_code: str = "",
                notification: Notification | None = None) -> OutboxMessage:
    message = OutboxMessage(channel=channel, text=text, key=key, district_code=district_code[:6],
                            notification=notification)
    if channel == Channel.SMS:
        set_sensitive(message, "address", address, crypto.mask_phone)
    else:  # an openid or a URL is case-sensitive: encrypt it as given, not in the phone's normal form
        address = address.strip()
        message.address_enc = crypto.encrypt(address)
        message.address_index = crypto.blind_index(address)
        message.address_masked = mask_address(channel, address)
    return message


@transaction.atomic
def outbox_enqueue(*, channel: str, address: str, text: str, key: str, district_code: str = "",
                   notification: Notification | None = None) -> OutboxMessage:
    """Queue one gateway message (a resident's SMS, a WeChat message, …); the existing one for ``key``."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not address.strip() or not key or len(key) > 200:
        raise ValueError("an outbox message needs an address and a key of 1–200 characters")
    message = _outbox_row(channel=channel, address=address, text=text, key=key, district_code=district_code,
                          notification=notification)
    OutboxMessage.objects.bulk_create([message], ignore_conflicts=True)
    return OutboxMessage.objects.get(key=key)


@transaction.atomic
def outbox_requeue(*, message: OutboxMessage, actor) -> bool:
    """Send a failed message again (after the gateway was fixed); False when it was not failed."""
    done = OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), claim_token="")
    if done:
        audit_record(actor=actor, action="outbox.requeue", obj=message, detail={"key": message.key})
    return bool(done)


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Mark one notification read; only its recipient may."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能标记自己的消息")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of ``actor`` read; how many were unread."""
    if not getattr(actor, "pk", None):
        raise PermissionDenied("请先登录")
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
