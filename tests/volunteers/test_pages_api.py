"""Volunteering pages and API: residents sign up and check in; only the organiser sees the roster,
shows codes and confirms hours; publishing is for the community's staff."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.volunteers.models import Activity, Signup
from grassroots.volunteers.services import signup

pytestmark = pytest.mark.django_db


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_a_resident_signs_up_on_the_page_and_checks_in_with_the_code(client_as, tree, residents, activity):
    a = residents[0]
    client = client_as(a)
    assert "清理小区楼道" in client.get("/v/").content.decode()
    client.post(f"/v/a/{activity.pk}/signup/")
    assert Signup.objects.get(user=a).status == "signed_up"
    page = client.get(f"/v/a/{activity.pk}/").content.decode()
    assert "签到" in page and 'id="organiser"' not in page
    assert client.get(f"/v/a/{activity.pk}/code/in/").status_code == 403  # not the organiser
    organiser = client_as(tree.user("community_worker_1"))
    panel = organiser.get(f"/v/a/{activity.pk}/code/in/").content.decode()
    assert "<svg" in panel and 'id="code-digits"' in panel
    code = panel.split('id="code-digits">')[1][:6]
    client = client_as(a)
    wrong = client.post(f"/v/a/{activity.pk}/check/", {"code": "12345"})
    assert wrong.status_code == 400 and "不正确或已过期" in wrong.content.decode()
    assert client.post(f"/v/a/{activity.pk}/check/", {"code": code}).status_code == 302
    assert Signup.objects.get(user=a).status == "checked_in"


def test_the_organiser_panel_and_confirming(client_as, tree, residents, activity):
    a = residents[0]
    row = signup(activity=activity, user=a)
    Signup.objects.filter(pk=row.pk).update(status="checked_out", hours="2.0", checked_out_at=timezone.now())
    outsider = client_as(tree.user("community_worker_2"))
    assert 'id="organiser"' not in outsider.get(f"/v/a/{activity.pk}/").content.decode()
    outsider.post(f"/v/a/{activity.pk}/confirm/{row.pk}/", {"hours": "9"})
    assert Signup.objects.get(pk=row.pk).confirmed_at is None
    organiser = client_as(tree.user("community_worker_1"))
    page = organiser.get(f"/v/a/{activity.pk}/").content.decode()
    assert 'id="organiser"' in page and "居民1" in page
    organiser.post(f"/v/a/{activity.pk}/confirm/{row.pk}/", {"hours": "1.5"})
    row.refresh_from_db()
    assert row.confirmed_at is not None and str(row.hours) == "1.5"
    me = client_as(a).get("/v/me/").content.decode()
    assert "1.5" in me and "志愿服务时长证明" in me
    pdf = client_as(a).get("/v/me/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.getvalue()[:4] == b"%PDF"


def test_publishing_is_for_staff(client_as, tree, residents):
    assert client_as(residents[0]).get("/v/manage/").status_code == 403
    worker = client_as(tree.user("community_worker_1"))
    start = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    bad = worker.post("/v/manage/", {"action": "activity", "community": tree.communities[0].code, "title": "",
                                     "place": "", "slots": "0"})
    assert bad.status_code == 400 and "请填写活动名称" in bad.content.decode()
    ok = worker.post("/v/manage/", {"action": "activity", "community": tree.communities[0].code, "title": "义诊",
                                    "place": "卫生站", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                    "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"), "slots": "20"})
    assert ok.status_code == 302 and Activity.objects.get(title="义诊").hours == 3
    other = client_as(tree.user("community_worker_2"))
    refused = other.post("/v/manage/", {"action": "activity", "community": tree.communities[0].code, "title": "x",
                                        "place": "y", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "slots": "2"})
    assert refused.status_code == 400 and not Activity.objects.filter(title="x").exists()


def test_api_signup_waitlist_check_and_roster(client_as, tree, residents, activity):
    for u in residents[:3]:
        assert post_json(client_as(u), f"/api/volunteers/activities/{activity.pk}/signup").status_code == 200
    assert post_json(client_as(residents[2]), f"/api/volunteers/activities/{activity.pk}/signup").json()[
        "status"] == "waitlisted"
    assert client_as(residents[0]).get(f"/api/volunteers/activities/{activity.pk}/signups").status_code == 403
    organiser = client_as(tree.user("community_worker_1"))
    assert len(organiser.get(f"/api/volunteers/activities/{activity.pk}/signups").json()) == 3
    code = post_json(organiser, f"/api/volunteers/activities/{activity.pk}/code/in").json()["code"]
    checked = post_json(client_as(residents[0]), f"/api/volunteers/activities/{activity.pk}/check", {"code": code})
    assert checked.json()["status"] == "checked_in"
    cancelled = post_json(client_as(residents[1]), f"/api/volunteers/activities/{activity.pk}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert Signup.objects.get(user=residents[2]).status == "signed_up"
    assert client_as(residents[0]).get("/api/volunteers/me").json()["signups"][0]["status"] == "checked_in"
