"""/api/notifications: my notifications only; anybody else's is a 404."""

import pytest

from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify

pytestmark = [pytest.mark.django_db]
API = "/api/notifications"


@pytest.fixture
def rows(worker_a, worker_b):
    mine = notify(recipients=[worker_a], kind=Kind.WHISTLE, title="吹哨报到：3栋漏水", body="请到场",
                  link="/cases/3/", key="case:3:whistle")
    notify(recipients=[worker_a], kind=Kind.SYSTEM, title="系统维护", body="", key="system:1")
    theirs = notify(recipients=[worker_b], kind=Kind.NEW_CASE, title="别人的", body="", key="case:4:new")
    return mine[0], theirs[0]


def test_anonymous_is_refused(client, tree):
    assert client.get(f"{API}/").status_code == 401


def test_list_mine(client_as, worker_a, rows):
    client = client_as(worker_a)
    data = client.get(f"{API}/").json()
    assert [d["title"] for d in data] == ["系统维护", "吹哨报到：3栋漏水"]
    assert data[1]["kind"] == "whistle" and data[1]["kind_label"] == "吹哨报到" and data[1]["unread"]
    assert client.get(f"{API}/unread-count").json() == {"unread": 2}
    assert len(client.get(f"{API}/?limit=1").json()) == 1


def test_mark_read_then_all(client_as, worker_a, rows):
    client = client_as(worker_a)
    mine, _ = rows
    response = client.post(f"{API}/{mine.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] and not response.json()["unread"]
    assert [d["title"] for d in client.get(f"{API}/?unread=true").json()] == ["系统维护"]
    assert client.post(f"{API}/read-all").json() == {"marked": 1}
    assert client.get(f"{API}/unread-count").json() == {"unread": 0}


def test_another_users_notification_is_not_found(client_as, tree, worker_a, rows):
    _, theirs = rows
    for user in (worker_a, tree.user("root")):
        client = client_as(user)
        assert client.get(f"{API}/{theirs.pk}").status_code == 404
        assert client.post(f"{API}/{theirs.pk}/read").status_code == 404
        assert theirs.pk not in [d["id"] for d in client.get(f"{API}/").json()]
    theirs.refresh_from_db()
    assert theirs.read_at is None
