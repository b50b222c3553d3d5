"""The deliberation API: public topics, votes and the practical list show public fields only; a
verified resident proposes, supports and votes once; staff read their resolutions and owners report."""

from __future__ import annotations

import pytest

from grassroots.deliberation.models import Topic, VoterRoll
from grassroots.deliberation.services import resolution_add, vote_close, vote_open

from .conftest import later

pytestmark = pytest.mark.django_db


def test_topics_support_and_a_ballot_once(client, tree, residents):
    code = tree.communities[0].code
    client.force_login(residents[0])
    made = client.post("/api/deliberation/topics", {"area": tree.grid("A").code, "title": "楼下装充电桩",
                                                    "body": "飞线充电危险"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["proposer"].startswith("居民")
    topic = Topic.objects.get()
    client.force_login(residents[1])
    for _ in range(2):  # a second click counts once
        client.post(f"/api/deliberation/topics/{topic.pk}/support")
    assert Topic.objects.get().supports == 2
    client.logout()
    public = client.get(f"/api/deliberation/topics?community={code}").json()
    assert [t["title"] for t in public] == ["楼下装充电桩"] and residents[0].username not in str(public)

    vote = vote_open(actor=tree.user("community_worker_1"), area=tree.communities[0], question="装充电桩",
                     closes_at=later())
    client.force_login(residents[0])
    first = client.post(f"/api/deliberation/votes/{vote.pk}/ballot", {"choice": "yes"}, content_type="application/json")
    second = client.post(f"/api/deliberation/votes/{vote.pk}/ballot", {"choice": "no"}, content_type="application/json")
    assert first.status_code == 201 and second.status_code == 400 and VoterRoll.objects.count() == 1
    client.logout()
    assert client.get(f"/api/deliberation/votes/{vote.pk}").json()["counts"] is None  # not before it closes
    vote_close(vote=vote)
    closed = client.get(f"/api/deliberation/votes/{vote.pk}").json()
    assert closed["counts"]["yes"] == 1 and closed["status"] == "closed"


def test_resolutions_are_staff_only_and_the_owner_reports(client_as, tree):
    worker = tree.user("community_worker_1")
    code = tree.communities[0].code
    from django.utils import timezone

    row = resolution_add(community=tree.communities[0], actor=worker, title="更换路灯", practical=True,
                         deadline=timezone.localdate())
    assert client_as(tree.user("community_worker_2")).get(
        f"/api/deliberation/resolutions?community={code}").status_code == 404
    assert client_as(tree.user("community_worker_2")).post(
        f"/api/deliberation/resolutions/{row.pk}/progress", {"text": "x", "progress": 100},
        content_type="application/json").status_code == 404
    c = client_as(worker)
    assert [r["title"] for r in c.get(f"/api/deliberation/resolutions?community={code}").json()] == ["更换路灯"]
    bad = c.post(f"/api/deliberation/resolutions/{row.pk}/progress", {"text": "", "progress": 101},
                 content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"text", "progress"}
    done = c.post(f"/api/deliberation/resolutions/{row.pk}/progress", {"text": "已更换 12 盏", "progress": 100},
                  content_type="application/json")
    assert done.json()["status"] == "done"
    c.logout()
    public = c.get(f"/api/deliberation/practical?place={tree.streets[0].code}").json()
    assert [(p["title"], p["kind"]) for p in public] == [("更换路灯", "resolution")]
