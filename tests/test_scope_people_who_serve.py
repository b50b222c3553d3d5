"""Scope across the people who serve: a worker of community 2 reads and changes nothing of community
1's woodpeckers, registrations, units, records, activities or wishes — by page or by API, even when
naming community 1 in the request."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.service.services import posts_defaults_create, unit_register
from grassroots.volunteers.models import Signup
from grassroots.volunteers.services import activity_create, signup
from grassroots.wishes.services import wish_publish
from grassroots.woodpeckers.services import woodpecker_apply
from tests.factories import make_user, resident_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def community1(tree):
    c1 = tree.communities[0]
    worker = tree.user("community_worker_1")
    posts_defaults_create(community=c1, actor=worker)
    unit = unit_register(unit=tree.units["dept"], community=c1, actor=tree.user("dept_handler"), services="义诊",
                         contact_name="李科长", contact_phone="13812345678")
    rider = woodpecker_apply(user=make_user("rider"), name="张骑手", community=c1, group="rider", duties=["patroller"])
    start = timezone.now() + timedelta(hours=1)
    activity = activity_create(community=c1, actor=worker, title="义诊", place="卫生站", starts_at=start,
                               ends_at=start + timedelta(hours=2), slots=5)
    volunteer = resident_user(tree, 1)
    row = signup(activity=activity, user=volunteer)
    Signup.objects.filter(pk=row.pk).update(status="checked_out", hours="2.0")
    wish = wish_publish(community=c1, actor=worker, title="收音机", story="想听广播", private_name="张秀英")
    return {"unit": unit, "rider": rider, "activity": activity, "signup": row, "wish": wish, "code": c1.code}


def test_another_community_sees_and_changes_nothing(client_as, tree, community1):
    c = client_as(tree.user("community_worker_2"))
    code = community1["code"]
    assert "张骑手" not in json.dumps(c.get("/api/woodpeckers/roster").json(), ensure_ascii=False)
    assert c.post(f"/api/woodpeckers/roster/{community1['rider'].pk}/decide", json.dumps({"approve": True}),
                  content_type="application/json").status_code == 404
    assert c.get("/api/service/units", {"community": code, "status": "applied"}).status_code == 404
    assert c.post(f"/api/service/units/{community1['unit'].pk}/decide", json.dumps({"approve": True}),
                  content_type="application/json").status_code == 404
    assert c.post(f"/s/community/units/{community1['unit'].pk}/decide/", {"decision": "yes"}).status_code == 404
    assert c.get("/s/community/", {"community": code}).status_code == 403  # naming community 1 is refused
    page = c.get("/s/community/").content.decode()
    assert "区住建局" not in page and tree.communities[1].name in page
    assert c.post("/api/service/posts", json.dumps({"community": code, "name": "x"}),
                  content_type="application/json").status_code == 404
    assert c.post(f"/api/volunteers/signups/{community1['signup'].pk}/confirm", json.dumps({}),
                  content_type="application/json").status_code == 404
    assert c.get(f"/api/volunteers/activities/{community1['activity'].pk}/signups").status_code == 403
    assert c.post(f"/api/wishes/{community1['wish'].pk}/confirm", json.dumps({"confirmed": True}),
                  content_type="application/json").status_code == 404
    assert "张秀英" not in c.get("/wishes/manage/").content.decode()
    assert community1["unit"].__class__.objects.get().status == "applied"
    assert community1["rider"].__class__.objects.get().status == "applied"
    assert Signup.objects.get().confirmed_at is None


def test_a_resident_reaches_no_staff_side(client_as, tree, community1):
    resident = client_as(resident_user(tree, 2))
    for url in ("/s/community/", "/s/community/records/", "/s/community/feedback/", "/w/roster/", "/w/reports/",
                "/r/claims/", "/wishes/manage/", "/v/manage/", "/s/units/"):
        assert resident.get(url).status_code in (403, 404), url
    assert resident.get("/api/woodpeckers/roster").status_code == 403
    assert resident.get("/api/service/registrations").json() == []
    assert resident.get("/api/service/records").json() == []
