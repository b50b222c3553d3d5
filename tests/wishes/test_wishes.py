"""微心愿: published without who the person is, claimed by one Party member or volunteer, fulfilled
with a photo, confirmed by the community; the public wall and API never show personal data."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.people.models import Person, Volunteer
from grassroots.wishes import signals
from grassroots.wishes.models import Wish
from grassroots.wishes.services import (
    wish_cancel,
    wish_claim,
    wish_confirm,
    wish_fulfil,
    wish_publish,
    wish_release,
)
from tests.factories import make_user
from tests.portal.conftest import photo_bytes

pytestmark = pytest.mark.django_db
PRIVATE = {"private_name": "张秀英", "private_contact": "13912345678 测试社区1-1 1栋101室"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def wish(tree):
    return wish_publish(community=tree.communities[0], actor=tree.user("community_worker_1"), title="一台收音机",
                        story="独居老人，眼睛不好，想听戏曲广播。", kind="goods", **PRIVATE)


def helper(tree, n: int, *, kind: str = "volunteer"):
    """An account of the n-th resident who is a volunteer (or, with kind="member", a Party member)."""
    person = tree.residents[n - 1].person
    user = make_user(f"helper_{n}")
    Person.objects.filter(pk=person.pk).update(user=user)
    if kind == "volunteer":
        Volunteer.objects.create(person=person, area=tree.communities[0])
    user.refresh_from_db()
    return user


def test_publish_refuses_personal_data_in_the_public_text(tree):
    worker = tree.user("community_worker_1")
    for story in ("张秀英老人想要收音机", "想要收音机，电话13912345678"):
        with pytest.raises(ValidationError, match="不要写姓名"):
            wish_publish(community=tree.communities[0], actor=worker, title="收音机", story=story, **PRIVATE)
    with pytest.raises(PermissionDenied):
        wish_publish(community=tree.communities[0], actor=tree.user("community_worker_2"), title="x", story="y",
                     private_name="某")
    assert not Wish.objects.exists()


def test_claim_fulfil_confirm(tree, wish, django_capture_on_commit_callbacks):
    a, b = helper(tree, 1), helper(tree, 2)
    with pytest.raises(PermissionDenied, match="党员或志愿者"):
        wish_claim(wish=wish, user=make_user("anyone"))
    wish_claim(wish=wish, user=a)
    with pytest.raises(ValidationError, match="已被认领"):
        wish_claim(wish=wish, user=b)
    wish.refresh_from_db()
    assert wish.claimer_label == "志愿者 居*1" and wish.status == "claimed"
    with pytest.raises(PermissionDenied):
        wish_fulfil(wish=wish, user=b, photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"))
    with pytest.raises(ValidationError, match="照片"):
        wish_fulfil(wish=wish, user=a, photo=None)
    wish_fulfil(wish=wish, user=a, photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"),
                note="已送到老人家中")
    heard = []

    def listener(sender, wish, **kwargs):
        heard.append(wish.pk)

    signals.wish_confirmed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            wish_confirm(wish=wish, actor=tree.user("community_worker_1"))
    finally:
        signals.wish_confirmed.disconnect(listener)
    wish.refresh_from_db()
    assert wish.status == "confirmed" and heard == [wish.pk]


def test_release_send_back_and_cancel(tree, wish):
    a = helper(tree, 1)
    wish_claim(wish=wish, user=a)
    wish_release(wish=wish, user=a)
    wish.refresh_from_db()
    assert wish.status == "published" and wish.claimed_by is None and wish.claimer_label == ""
    wish_claim(wish=wish, user=a)
    wish_fulfil(wish=wish, user=a, photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"))
    with pytest.raises(ValidationError, match="补充"):
        wish_confirm(wish=wish, actor=tree.user("community_worker_1"), confirmed=False)
    wish_confirm(wish=wish, actor=tree.user("community_worker_1"), confirmed=False, reason="老人说还没收到")
    wish.refresh_from_db()
    assert wish.status == "claimed"
    wish_cancel(wish=wish, actor=tree.user("community_worker_1"), reason="老人已搬走")
    assert Wish.objects.get().status == "cancelled"


def test_the_public_wall_and_api_show_no_personal_data(client, tree, wish):
    a = helper(tree, 1)
    wish_claim(wish=wish, user=a)
    page = client.get(f"/wishes/c/{tree.communities[0].code}/").content.decode()
    api = client.get("/api/wishes/wall", {"community": tree.communities[0].code})
    assert api.status_code == 200 and api.json()[0]["title"] == "一台收音机"
    for leak in ("张秀英", "13912345678", "139****5678", "1栋101室", "居民1", a.username):
        assert leak not in page and leak not in api.content.decode(), leak
    assert "一台收音机" in page and "志愿者 居*1" in page
    assert client.get("/wishes/").status_code == 200


def test_pages_claim_and_manage_scoped(client_as, tree, wish):
    a = helper(tree, 1)
    client = client_as(a)
    client.post(f"/wishes/{wish.pk}/claim/")
    assert Wish.objects.get().claimed_by == a
    client.post("/wishes/mine/", {"wish": wish.pk, "action": "fulfil",
                                  "photo": SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg")})
    assert Wish.objects.get().status == "fulfilled"
    assert client_as(tree.user("community_worker_2")).get(f"/wishes/{wish.pk}/proof/").status_code == 404
    other = client_as(tree.user("community_worker_2"))
    assert "张秀英" not in other.get("/wishes/manage/").content.decode()
    other.post("/wishes/manage/", {"wish": wish.pk, "action": "confirm"})
    assert Wish.objects.get().status == "fulfilled"
    mine = client_as(tree.user("community_worker_1"))
    page = mine.get("/wishes/manage/").content.decode()
    assert "张秀英" in page and "139****5678" in page and "13912345678" not in page  # staff see the person, masked
    assert mine.get(f"/wishes/{wish.pk}/proof/").status_code == 200
    response = mine.post(f"/api/wishes/{wish.pk}/confirm", json.dumps({"confirmed": True}),
                         content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
