"""notify(): one inbox row per recipient, never twice for one key; mark read only by the recipient;
text messages queued to encrypted, masked phones."""

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.core import crypto
from grassroots.core.models import AuditEntry
from grassroots.core.sensitive import get_sensitive
from grassroots.notifications.models import Kind, Notification, OutboxMessage
from grassroots.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    outbox_enqueue,
)

from .conftest import PHONE, give_phone

pytestmark = pytest.mark.django_db


def send(recipients, key="case:1:new", **extra):
    return notify(recipients=recipients, kind=extra.pop("kind", Kind.NEW_CASE), title="新诉求：路灯不亮",
                  body="3栋门口路灯不亮，请尽快处理", link="/cases/1/", key=key, **extra)


def test_one_row_per_recipient(tree, worker_a, worker_b):
    created = send([worker_a, worker_b, worker_a])
    assert sorted(n.recipient.username for n in created) == ["grid_worker_A", "grid_worker_B"]
    row = Notification.objects.get(recipient=worker_a)
    assert (row.kind, row.title, row.link, row.read_at) == ("new_case", "新诉求：路灯不亮", "/cases/1/", None)
    assert row.get_kind_display() == "新诉求"


def test_same_key_never_notifies_twice(tree, worker_a, worker_b):
    send([worker_a])
    assert send([worker_a]) == []
    again = send([worker_a, worker_b])  # a later call may add a recipient, never repeat one
    assert [n.recipient for n in again] == [worker_b]
    assert Notification.objects.filter(key="case:1:new").count() == 2
    send([worker_a], key="case:1:warning75", kind=Kind.WARNING)
    assert Notification.objects.filter(recipient=worker_a).count() == 2


def test_object_and_district_recorded_and_audited_once(tree, worker_a, worker_b):
    area = tree.grid("A")
    send([worker_a, worker_b], obj=area, district_code="420303")
    row = Notification.objects.get(recipient=worker_a)
    assert (row.object_type, row.object_id, row.district_code) == ("areas.area", str(area.pk), "420303")
    audit = AuditEntry.objects.get(action="notification.send")
    assert audit.detail == {"kind": "new_case", "key": "case:1:new", "recipients": 2, "sms": 0}
    send([worker_a, worker_b], obj=area)
    assert AuditEntry.objects.filter(action="notification.send").count() == 1


def test_inactive_users_and_bad_arguments(tree, worker_a):
    worker_a.is_active = False
    worker_a.save()
    assert send([worker_a, None]) == []
    with pytest.raises(ValueError):
        send([worker_a], kind="gossip")
    with pytest.raises(ValueError):
        send([worker_a], key="")


def test_only_the_recipient_marks_read(tree, worker_a, worker_b):
    (row,) = send([worker_a])
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=row, actor=worker_b)
    row.refresh_from_db()
    assert row.read_at is None
    notification_mark_read(notification=row, actor=worker_a)
    row.refresh_from_db()
    first = row.read_at
    assert first is not None
    notification_mark_read(notification=row, actor=worker_a)
    row.refresh_from_db()
    assert row.read_at == first


def test_mark_all_read_touches_only_mine(tree, worker_a, worker_b):
    send([worker_a, worker_b], key="k1")
    send([worker_a], key="k2")
    assert notifications_mark_all_read(actor=worker_a) == 2
    assert notifications_mark_all_read(actor=worker_a) == 0
    assert Notification.objects.filter(recipient=worker_b, read_at__isnull=True).count() == 1


def test_sms_queued_once_to_an_encrypted_masked_phone(tree, worker_a, worker_b):
    give_phone(worker_a)
    send([worker_a, worker_b], sms=True)  # worker B has no phone: inbox only
    send([worker_a, worker_b], sms=True)
    message = OutboxMessage.objects.get()
    assert message.key == f"case:1:new:sms:{worker_a.pk}"
    assert message.channel == "sms" and message.status == "queued" and message.attempts == 0
    assert message.address_masked == "139****5678"
    assert PHONE not in message.address_enc and get_sensitive(message, "address") == PHONE
    assert message.address_index == crypto.blind_index(PHONE)
    assert message.text == "新诉求：路灯不亮：3栋门口路灯不亮，请尽快处理"
    assert message.notification.recipient == worker_a
    assert AuditEntry.objects.get(action="notification.send").detail["sms"] == 1


def test_outbox_enqueue_keeps_case_sensitive_addresses_and_is_idempotent(tree):
    openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    first = outbox_enqueue(channel="wechat", address=openid, text="您的诉求已办结", key="case:1:rated-ask")
    again = outbox_enqueue(channel="wechat", address=openid, text="重复", key="case:1:rated-ask")
    assert first.pk == again.pk and again.text == "您的诉求已办结"
    assert get_sensitive(again, "address") == openid
    assert again.address_masked == "oUp****eS6o"
    with pytest.raises(ValueError):
        outbox_enqueue(channel="fax", address="1", text="x", key="k")


def test_a_long_key_without_an_object_is_audited(tree, worker_a):
    key = "system:" + "x" * 190
    send([worker_a], key=key, kind=Kind.SYSTEM)
    audit = AuditEntry.objects.get(action="notification.send")
    assert (audit.object_type, audit.object_id, audit.detail["key"]) == ("notifications.notification", "", key)
