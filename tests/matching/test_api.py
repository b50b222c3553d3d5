"""The lists' JSON API: the same rules as the pages — a community's staff read and match their own
community's lists, a resident raises a need for their own building, a unit reports its own project."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from grassroots.accounts.models import User
from grassroots.matching.models import Need, Project
from grassroots.matching.services import need_add, resources_from_commitments
from tests.deliberation.conftest import verified
from tests.test_district_code import rows_without_district

pytestmark = pytest.mark.django_db
SOON = (date.today() + timedelta(days=30)).isoformat()


def test_need_suggestions_match_and_progress_over_the_api(client_as, tree, units):
    worker = tree.user("community_worker_1")
    code = tree.communities[0].code
    resources_from_commitments(community=tree.communities[0], actor=worker)
    c = client_as(verified(tree, 1))
    made = c.post("/api/matching/needs", {"title": "楼里居民想定期量血压、义诊", "people": 20}, content_type="application/json")
    assert made.status_code == 201 and made.json()["category"] == "health"
    bad = c.post("/api/matching/needs", {"title": "", "people": 0}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"title", "people"}
    assert c.get(f"/api/matching/needs?community={code}").status_code == 404  # residents do not list them
    need = Need.objects.get()

    c = client_as(worker)
    assert [n["id"] for n in c.get(f"/api/matching/needs?community={code}").json()] == [need.pk]
    found = c.get(f"/api/matching/needs/{need.pk}/suggestions").json()
    assert found and found[0]["resource"]["unit"] == "区人民医院" and "同属医疗健康" in found[0]["reasons"]
    body = {"resource": found[0]["resource"]["id"], "deadline": SOON, "practical": True}
    first = c.post(f"/api/matching/needs/{need.pk}/match", body, content_type="application/json")
    again = c.post(f"/api/matching/needs/{need.pk}/match", body, content_type="application/json")
    assert first.status_code == again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert Project.objects.count() == 1 and Need.objects.get().status == "matched"

    staff = client_as(User.objects.get(username="hospital_staff"))
    project = first.json()["id"]
    assert [p["id"] for p in staff.get("/api/matching/projects").json()] == [project]
    done = staff.post(f"/api/matching/projects/{project}/progress", {"text": "每月义诊已开展", "progress": 100},
                      content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Need.objects.get().status == "met"
    assert rows_without_district() == {}  # the project's needs, resources and notes carry its district


def test_another_community_gets_404s_and_no_rows(client_as, tree, units):
    worker = tree.user("community_worker_1")
    code = tree.communities[0].code
    resources_from_commitments(community=tree.communities[0], actor=worker)
    need = need_add(actor=worker, area=tree.grid("A"), title="义诊", source="survey", category="health")
    other = client_as(tree.user("community_worker_2"))
    for url in (f"/api/matching/needs?community={code}", f"/api/matching/resources?community={code}",
                f"/api/matching/projects?community={code}", f"/api/matching/agreements?community={code}",
                f"/api/matching/needs/{need.pk}/suggestions", "/api/matching/needs/99999999999999999999/suggestions"):
        response = other.get(url)
        assert response.status_code in (404, 422), url
        assert "义诊" not in response.content.decode()
    refused = other.post(f"/api/matching/needs/{need.pk}/match", {"resource": 1, "deadline": SOON},
                         content_type="application/json")
    assert refused.status_code == 404 and not Project.objects.exists()
    assert other.get("/api/matching/projects").json() == []  # not a unit's staff: nothing
