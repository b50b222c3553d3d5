"""The JSON API of data rights: the resident's side and the staff's, scoped like the pages."""

from __future__ import annotations

import pytest

from grassroots.people.models import Person
from grassroots.people.services import person_reveal
from grassroots.privacy.models import PrivacyRequest
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_resident_reads_data_and_reveals(client, tree, me):
    person_reveal(person=me.person, field="id_number", actor=tree.user("grid_worker_A"),
                  area_code=tree.residents[0].household.code)
    login(client, me)
    data = client.get("/api/privacy/me").json()
    assert data["人员"]["姓名"] == me.person.name and data["人员"]["身份证号"] == me.person.id_number_masked
    rows = client.get("/api/privacy/me/reveals").json()
    assert [r["field"] for r in rows] == ["身份证号"] and rows[0]["who"] == "grid_worker_A"  # its display name


def test_not_verified_gets_404(client, tree):
    login(client, make_user("walk_in"))
    assert client.get("/api/privacy/me").status_code == 404
    assert post(client, "/api/privacy/me/deletions", {"reason": "x"}).status_code == 404


def test_request_and_decision_through_the_api(client, tree, me):
    login(client, me)
    r = post(client, "/api/privacy/me/corrections", {"field": "phone", "new_value": "13900001111", "reason": "换号"})
    assert r.status_code == 201 and r.json()["new_value"] == "139****1111"
    again = post(client, "/api/privacy/me/corrections", {"field": "phone", "new_value": "13900001111", "reason": "x"})
    assert again.status_code == 400 and "已有一项同类申请" in again.json()["detail"]
    bad = post(client, "/api/privacy/me/deletions", {"reason": "长" * 501})
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    pk = r.json()["id"]

    other = login(client, tree.user("community_worker_2"))
    assert other.get("/api/privacy/requests").json() == []
    assert post(other, f"/api/privacy/requests/{pk}/decide", {"decision": "approve"}).status_code == 404

    own = login(client, tree.user("community_worker_1"))
    assert [x["id"] for x in own.get("/api/privacy/requests").json()] == [pk]
    assert post(own, f"/api/privacy/requests/{pk}/decide", {"decision": "maybe"}).status_code == 400
    done = post(own, f"/api/privacy/requests/{pk}/decide", {"decision": "approve"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Person.objects.get(pk=me.person.pk).phone_masked == "139****1111"
    twice = post(own, f"/api/privacy/requests/{pk}/decide", {"decision": "approve"})
    assert twice.status_code == 400 and "已处理" in twice.json()["detail"]
    assert PrivacyRequest.objects.get().status == "approved"


def test_deletion_through_the_api(client, tree, me):
    login(client, me)
    asked = post(client, "/api/privacy/me/deletions", {"reason": "搬离本社区"})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    again = post(client, "/api/privacy/me/deletions", {"reason": "再申请一次"})
    assert again.status_code == 400 and "已有一项同类申请" in again.json()["detail"]
    pk = asked.json()["id"]

    own = login(client, tree.user("community_worker_1"))
    done = post(own, f"/api/privacy/requests/{pk}/decide", {"decision": "approve", "reason": "核实无误"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    person = Person.objects.get(pk=me.person.pk)
    assert person.id_number_enc == "" and person.phone_index == ""
    assert PrivacyRequest.objects.get(pk=pk).outcome["person"] == "anonymised"
