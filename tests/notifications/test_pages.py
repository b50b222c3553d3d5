"""/notifications/: my inbox only, unread first, mark read (one, on click, all), the top-bar badge."""

import pytest

from grassroots.notifications.models import Kind, Notification
from grassroots.notifications.services import notify

pytestmark = [pytest.mark.django_db]
HTMX = {"HTTP_HX_REQUEST": "true"}


def send(user, key, title, link="/areas/"):
    (row,) = notify(recipients=[user], kind=Kind.ESCALATION, title=title, body="请尽快处理", link=link, key=key)
    return row


def page(client, url="/notifications/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_login_required(client, tree):
    assert client.get("/notifications/").status_code == 302


def test_inbox_lists_mine_unread_first(client_as, worker_a, worker_b):
    old = send(worker_a, "k1", "较早的消息")
    send(worker_a, "k2", "较新的消息")
    send(worker_b, "k3", "别人的消息")
    old.read_at = old.created_at
    old.save()
    html = page(client_as(worker_a))
    assert "我的消息" in html and "超时升级" in html
    assert "别人的消息" not in html
    assert html.index("较新的消息") < html.index("较早的消息")
    assert "未读（1）" in html
    only_unread = page(client_as(worker_a), "/notifications/?unread=1")
    assert "较新的消息" in only_unread and "较早的消息" not in only_unread


def test_clicking_marks_read_and_follows_the_link(client_as, worker_a):
    row = send(worker_a, "k1", "诉求超时", link="/areas/")
    response = client_as(worker_a).post(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/areas/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_foreign_link_is_not_followed(client_as, worker_a):
    row = send(worker_a, "k1", "可疑链接", link="https://evil.example/phish")
    response = client_as(worker_a).post(f"/notifications/{row.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_mark_one_read_with_htmx(client_as, worker_a):
    row = send(worker_a, "k1", "诉求超时")
    response = client_as(worker_a).post(f"/notifications/{row.pk}/read/", **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    html = response.content.decode()
    assert f'id="notification-{row.pk}"' in html and "标为已读" not in html and " unread" not in html
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_all_read(client_as, worker_a, worker_b):
    send(worker_a, "k1", "一")
    send(worker_a, "k2", "二")
    send(worker_b, "k3", "三")
    response = client_as(worker_a).post("/notifications/read-all/", **HTMX)
    assert response.status_code == 200 and 'id="notification-list"' in response.content.decode()
    assert not Notification.objects.filter(recipient=worker_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=worker_b, read_at__isnull=True).count() == 1
    response = client_as(worker_a).post("/notifications/read-all/", follow=True)
    assert "没有未读消息" in response.content.decode()


def test_another_users_notification_is_not_found(client_as, tree, worker_a, worker_b):
    row = send(worker_a, "k1", "给A的消息")
    for user in (worker_b, tree.user("root")):
        client = client_as(user)
        assert client.post(f"/notifications/{row.pk}/open/").status_code == 404
        assert client.post(f"/notifications/{row.pk}/read/", **HTMX).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_get_never_marks_read(client_as, worker_a):
    row = send(worker_a, "k1", "诉求超时")
    assert client_as(worker_a).get(f"/notifications/{row.pk}/open/").status_code == 405


def test_badge(client, client_as, worker_a):
    assert client.get("/notifications/badge/").content.decode().strip() == ""  # logged out: empty, no redirect
    assert page(client_as(worker_a), "/notifications/badge/").strip() == ""
    for i in range(3):
        send(worker_a, f"k{i}", f"消息{i}")
    html = page(client_as(worker_a), "/notifications/badge/")
    assert '<span class="badge"' in html and ">3</span>" in html and "3 条未读消息" in html
    for i in range(3, 103):
        send(worker_a, f"k{i}", f"消息{i}")
    assert ">99+</span>" in page(client_as(worker_a), "/notifications/badge/")
