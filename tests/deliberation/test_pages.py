"""The pages as residents, staff and grid workers meet them; what each may not do; what the public
sees of a secret vote (counts only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.deliberation.models import Attendance, Meeting, Resolution, Topic, Vote, VoterRoll
from grassroots.deliberation.services import checkin_code, meeting_plan, resolution_add, vote_cast, vote_open
from grassroots.points.models import Award

from .conftest import later

pytestmark = pytest.mark.django_db


def test_a_resident_proposes_on_the_page_and_neighbours_support(client, tree, residents):
    client.force_login(residents[0])
    assert client.get("/d/")["Location"] == f"/d/c/{tree.communities[0].code}/"
    bad = client.post("/d/topics/new/", {"area": tree.communities[0].code, "title": "", "body": ""})
    assert bad.status_code == 400 and "请填写议题" in bad.content.decode()
    made = client.post("/d/topics/new/", {"area": tree.grid("A").code, "title": "<b>楼下装充电桩</b>",
                                          "body": "电动车飞线充电危险"})
    topic = Topic.objects.get()
    assert made["Location"] == f"/d/topics/{topic.pk}/"
    client.force_login(residents[1])
    page = client.get(f"/d/topics/{topic.pk}/").content.decode()
    assert "&lt;b&gt;楼下装充电桩" in page and "支持这个议题" in page
    client.post(f"/d/topics/{topic.pk}/")
    client.post(f"/d/topics/{topic.pk}/")  # a second click
    assert Topic.objects.get().supports == 2  # the proposer's and this neighbour's
    client.force_login(residents[-1])  # grid B: outside the topic's grid
    assert "支持这个议题" not in client.get(f"/d/topics/{topic.pk}/").content.decode()
    client.post(f"/d/topics/{topic.pk}/")
    assert Topic.objects.get().supports == 2


def test_voting_on_the_page_shows_counts_only_when_closed_and_never_who(client, tree, residents):
    vote = vote_open(actor=tree.user("community_worker_1"), area=tree.communities[0], question="更换小区大门",
                     closes_at=later())
    client.force_login(residents[0])
    page = client.get(f"/d/votes/{vote.pk}/").content.decode()
    assert "一户一票" in page and 'value="yes"' in page and 'id="results"' not in page
    client.post(f"/d/votes/{vote.pk}/", {"choice": "yes"})
    client.post(f"/d/votes/{vote.pk}/", {"choice": "no"})
    assert VoterRoll.objects.count() == 1 and 'id="voted"' in client.get(f"/d/votes/{vote.pk}/").content.decode()
    client.force_login(residents[1])
    client.post(f"/d/votes/{vote.pk}/", {"choice": "no"})
    staff = tree.user("community_worker_1")
    client.force_login(staff)
    client.post(f"/d/votes/{vote.pk}/", {"action": "close"})
    client.logout()
    public = client.get(f"/d/votes/{vote.pk}/").content.decode()
    assert "同意 <strong>1</strong>" in public and "反对 <strong>1</strong>" in public
    assert residents[0].username not in public and "居民1" not in public


def test_a_grid_worker_enters_paper_ballots_only_for_their_grid(client, tree, residents):
    vote = vote_open(actor=tree.user("community_worker_1"), area=tree.communities[0], question="公约", closes_at=later())
    client.force_login(tree.user("grid_worker_B"))
    page = client.get(f"/d/votes/{vote.pk}/paper/").content.decode()
    home_a = tree.residents[0].household
    assert f'data-household="{home_a.pk}"' not in page
    client.post(f"/d/votes/{vote.pk}/paper/", {"household": home_a.pk, "choice": "yes"})
    assert not VoterRoll.objects.exists()
    client.force_login(tree.user("grid_worker_A"))
    client.post(f"/d/votes/{vote.pk}/paper/", {"household": home_a.pk, "choice": "yes"})
    assert VoterRoll.objects.get().channel == "paper"
    client.force_login(tree.user("nobody"))
    assert client.get(f"/d/votes/{vote.pk}/paper/").status_code == 404


def test_staff_plan_a_meeting_residents_check_in_and_earn_points(client, tree, residents, council,
                                                                  django_capture_on_commit_callbacks):
    staff = tree.user("community_worker_1")
    client.force_login(staff)
    made = client.post("/d/manage/", {"action": "meeting", "community": tree.communities[0].code,
                                      "series": council.pk, "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                      "place": "社区议事厅", "invite_area": tree.grid("A").code})
    meeting = Meeting.objects.get()
    assert made["Location"] == f"/d/manage/meetings/{meeting.pk}/"
    code = checkin_code(meeting=meeting, actor=staff)
    client.force_login(residents[0])
    assert meeting.title in client.get("/d/checkin/").content.decode()
    wrong = client.post("/d/checkin/", {"meeting": meeting.pk, "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and not Attendance.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/d/checkin/", {"meeting": meeting.pk, "code": code})
    assert Attendance.objects.get().user == residents[0]
    assert Award.objects.get(event="meeting_attended").points == 5


def test_minutes_resolutions_and_the_public_list(client, tree, residents, council):
    staff = tree.user("community_worker_1")
    meeting = meeting_plan(series=council, actor=staff, starts_at=timezone.now(), place="议事厅")
    client.force_login(staff)
    client.post(f"/d/manage/meetings/{meeting.pk}/", {"action": "minutes", "minutes": "议定：修缮3栋屋顶"})
    client.post(f"/d/manage/meetings/{meeting.pk}/", {
        "action": "resolution", "title": "修缮3栋屋顶", "deadline": str(timezone.localdate() + timedelta(days=30)),
        "owner_kind": "unit", "owner_unit": tree.units["property"].pk, "practical": "1"})
    row = Resolution.objects.get()
    assert (row.owner_unit, row.practical, Meeting.objects.get().status) == (tree.units["property"], True, "held")
    client.logout()
    listing = client.get(f"/d/practical/{tree.streets[0].code}/").content.decode()
    assert "修缮3栋屋顶" in listing and "阳光物业" in listing
    assert "议定：修缮3栋屋顶" in client.get(f"/d/meetings/{meeting.pk}/").content.decode()
    client.force_login(residents[0])
    assert client.post(f"/d/resolutions/{row.pk}/", {"action": "progress", "text": "x", "progress": "100"}).status_code == 400
    assert Resolution.objects.get().progress == 0


def test_staff_pages_are_their_communitys_only(client, tree, council):
    meeting = meeting_plan(series=council, actor=tree.user("community_worker_1"), starts_at=timezone.now(), place="x")
    client.force_login(tree.user("community_worker_2"))
    assert client.get(f"/d/manage/meetings/{meeting.pk}/").status_code == 404
    assert tree.communities[0].name not in client.get("/d/manage/").content.decode().split("<h1>")[1].split("</h1>")[0]
    client.force_login(tree.user("nobody"))
    assert client.get("/d/manage/").status_code == 403
    row = resolution_add(community=tree.communities[0], actor=tree.user("community_worker_1"), title="t",
                         deadline=timezone.localdate())
    client.force_login(tree.user("community_worker_2"))
    client.post(f"/d/resolutions/{row.pk}/", {"action": "drop", "reason": "不是我的"})
    assert Resolution.objects.get(pk=row.pk).status == "open"


def test_a_vote_outside_where_you_live_is_refused_by_page(client, tree, residents):
    vote = vote_open(actor=tree.user("community_worker_1"), area=tree.grid("A"), question="A网格", closes_at=later())
    client.force_login(residents[-1])  # grid B
    assert 'value="yes"' not in client.get(f"/d/votes/{vote.pk}/").content.decode()
    client.post(f"/d/votes/{vote.pk}/", {"choice": "yes"})
    assert not VoterRoll.objects.exists()
    vote_cast(vote=vote, user=residents[0], choice="yes")
    assert Vote.objects.get().status == "open"


def test_the_community_sets_its_support_threshold(client, tree):
    client.force_login(tree.user("community_worker_1"))
    bad = client.post("/d/manage/", {"action": "rules", "community": tree.communities[0].code, "topic_threshold": "0"})
    assert bad.status_code == 400 and "1–10000" in bad.content.decode()
    client.post("/d/manage/", {"action": "rules", "community": tree.communities[0].code, "topic_threshold": "25"})
    from grassroots.deliberation.models import Rules
    assert Rules.objects.get(community=tree.communities[0]).topic_threshold == 25
