"""Another street's evaluations never appear (pages, API, export); another unit's handler gets 404."""

from __future__ import annotations

import pytest

from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation
from grassroots.evaluation.services import dispatch_evaluation_create, unit_evaluation_create

STARS = {"speed": 5, "attitude": 5, "result": 5}


@pytest.fixture
def both_streets(tree, replied, other_street_case, people):
    dept = tree.units["dept"]
    unit_evaluation_create(case=replied, unit=dept, actor=tree.user("community_worker_1"), speed=4, attitude=4,
                           result=4, comment="街道一的评价")
    unit_evaluation_create(case=other_street_case, unit=dept, actor=people["community_worker_3"], speed=1,
                           attitude=1, result=1, comment="街道二的评价")
    dispatch_evaluation_create(case=other_street_case, unit=dept, actor=tree.user("dept_handler"), clear=2,
                               owner=2, deadline=2, comment="街道二的派单")
    return replied, other_street_case


def test_street_admin_sees_only_their_street(client_as, tree, both_streets):
    client = client_as(tree.user("street_admin_1"))
    html = client.get("/evaluation/").content.decode()
    assert "75.0" in html and "0.0" not in html and "37.5" not in html
    assert "测试社区2-1" not in client.get("/evaluation/dispatches/").content.decode()
    listed = client.get("/api/evaluation/units").json()
    assert [e["comment"] for e in listed] == ["街道一的评价"]
    assert client.get(f"/api/evaluation/units?case={both_streets[1].pk}").json() == []
    assert client.get("/api/evaluation/dispatches").json() == []
    ranking = client.get("/api/evaluation/rankings/units").json()
    assert [(r["name"], r["count"], r["score"]) for r in ranking["rows"]] == [("区住建局", 1, 75.0)]
    assert client.get("/api/evaluation/rankings/dispatches?level=street").json()["rows"] == []
    # and the other street's case page is not theirs at all
    assert client.get(f"/cases/{both_streets[1].pk}/").status_code == 404


def test_district_sees_both_and_the_unit_sees_its_own(client_as, tree, both_streets, people):
    ranking = client_as(tree.user("district_admin")).get("/api/evaluation/rankings/units").json()
    assert [(r["count"], r["score"]) for r in ranking["rows"]] == [(2, 37.5)]
    handler = client_as(tree.user("dept_handler"))
    assert len(handler.get("/api/evaluation/units").json()) == 2
    assert [e["comment"] for e in handler.get("/api/evaluation/dispatches").json()] == ["街道二的派单"]
    other = client_as(people["property_handler"])
    assert other.get("/api/evaluation/units").json() == []
    assert other.get("/api/evaluation/rankings/units").json()["rows"] == []


def test_other_street_posting_gets_404(client_as, tree, replied, people):
    url = f"/evaluation/cases/{replied.pk}/units/{tree.units['dept'].pk}/"
    assert client_as(people["street_admin_2"]).post(url, {"speed": 5, "attitude": 5, "result": 5}).status_code == 404
    api = client_as(people["community_worker_3"]).post(
        "/api/evaluation/units", {"case": replied.pk, "unit": tree.units["dept"].pk, **STARS},
        content_type="application/json")
    assert api.status_code == 404 and api.json()["detail"] == "诉求不存在或您无权查看"
    assert not UnitEvaluation.objects.exists()


def test_handler_of_another_unit_gets_404(client_as, tree, dispatched, people):
    client = client_as(people["property_handler"])
    for unit in (tree.units["dept"], tree.units["property"]):
        page = client.post(f"/evaluation/cases/{dispatched.pk}/dispatches/{unit.pk}/",
                           {"clear": 5, "owner": 5, "deadline": 5})
        assert page.status_code == 404
        api = client.post("/api/evaluation/dispatches", {"case": dispatched.pk, "unit": unit.pk, "clear": 5,
                                                         "owner": 5, "deadline": 5}, content_type="application/json")
        assert api.status_code == 404
    assert client.get(f"/cases/{dispatched.pk}/").status_code == 404
    assert dispatched.code not in client.get("/evaluation/awaiting/").content.decode()
    assert not DispatchEvaluation.objects.exists()


def test_waiting_lists_are_scoped(client_as, tree, replied, other_street_case, people):
    mine = client_as(tree.user("community_worker_1")).get("/api/evaluation/awaiting").json()
    assert [w["case"] for w in mine["units"]] == [replied.pk] and mine["dispatches"] == []
    street2 = client_as(people["street_admin_2"]).get("/api/evaluation/awaiting").json()
    assert [w["case"] for w in street2["units"]] == [other_street_case.pk]
    unit = client_as(tree.user("dept_handler")).get("/api/evaluation/awaiting").json()
    assert sorted(w["case"] for w in unit["dispatches"]) == sorted([replied.pk, other_street_case.pk])
    assert unit["units"] == []
    assert client_as(people["property_handler"]).get("/api/evaluation/awaiting").json() == {
        "units": [], "dispatches": []}
