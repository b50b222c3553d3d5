"""The outbox in the admin: masked addresses only, scoped to the district, failed messages re-queued."""

import pytest
from django.contrib.auth.models import Permission

from grassroots.core.models import AuditEntry
from grassroots.notifications.models import OutboxMessage
from grassroots.notifications.services import outbox_enqueue
from tests.factories import make_user

from .conftest import PHONE

pytestmark = pytest.mark.django_db
URL = "/admin/notifications/outboxmessage/"


@pytest.fixture
def messages(tree):
    mine = outbox_enqueue(channel="sms", address=PHONE, text="本区消息", key="k1", district_code="420303")
    other = outbox_enqueue(channel="sms", address="13700000000", text="外区消息", key="k2",
                           district_code="420302")
    return mine, other


def test_district_staff_see_their_district_masked(client_as, tree, messages):
    staff = make_user("staff_d", "district_admin", area=tree.district, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    html = client_as(staff).get(URL).content.decode()
    assert "139****5678" in html and "137****0000" not in html
    assert PHONE not in html and messages[0].address_enc not in html


def test_superuser_requeues_a_failed_message(client_as, tree, messages):
    failed, _ = messages
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", attempts=5, last_error="RuntimeError: x")
    client = client_as(tree.user("root"))
    response = client.post(URL, {"action": "requeue", "_selected_action": [m.pk for m in messages]}, follow=True)
    assert "已重新排队 1 条消息" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("queued", 0)
    assert AuditEntry.objects.filter(action="outbox.requeue", object_id=str(failed.pk)).count() == 1
    assert client.get(f"{URL}{failed.pk}/change/").status_code == 200
