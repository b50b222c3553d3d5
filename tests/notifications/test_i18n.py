"""The inbox follows the language."""


import pytest

from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify


@pytest.mark.django_db
def test_inbox_in_english(client_as, settings, worker_a):
    notify(recipients=[worker_a], kind=Kind.ESCALATION, title="超时升级：3栋漏水", body="", key="k")
    client = client_as(worker_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/notifications/").content.decode()
    for word in ("My notifications", "Escalated (overdue)", "Mark read", "Unread (1)", "Mark all read"):
        assert word in html
    assert "我的消息" not in html and "标为已读" not in html
    assert 'aria-label="1 unread notification"' in client.get("/notifications/badge/").content.decode()
