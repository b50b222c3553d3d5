"""A problem raised again and again becomes an agenda item; the resolution made on it answers its
cases when it is done (a reply where the case is being handled, a note to the holder elsewhere)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.deliberation.models import AgendaItem, Meeting, MeetingInvitedUnit, Resolution, ResolutionCase
from grassroots.deliberation.services import agenda_add_case, meeting_plan, resolution_progress
from tests.cases.pages_support import accepted, in_progress
from tests.test_district_code import rows_without_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def repeated(tree, new_case):
    """Three cases of one category in community 1: one being handled, one accepted, one in community 2."""
    category = Category.objects.filter(children__isnull=True).order_by("code").first()
    handled = in_progress(new_case(title="小区停车乱，消防通道被占", category=category), tree)
    waiting = accepted(new_case(grid="B", title="又有车停在消防通道", category=category), tree)
    elsewhere = new_case(grid="C", title="消防通道被占", category=category)
    return handled, waiting, elsewhere


def test_a_repeated_problem_goes_on_the_agenda_and_the_resolution_answers_its_cases(client_as, tree, council,
                                                                                  repeated):
    handled, waiting, elsewhere = repeated
    worker = tree.user("community_worker_1")
    meeting = meeting_plan(series=council, actor=worker, starts_at=timezone.now() + timedelta(days=3), place="议事厅")
    c = client_as(worker)
    page = c.get(f"/cases/{handled.pk}/").content.decode()
    assert "本社区近半年同类诉求 2 件" in page and meeting.title in page
    c.post(f"/d/cases/{handled.pk}/agenda/", {"meeting": meeting.pk})
    c.post(f"/d/cases/{handled.pk}/agenda/", {"meeting": meeting.pk})  # a double click
    item = AgendaItem.objects.get(meeting=meeting, kind="case")
    assert item.case == handled and "近半年同类 2 件" in item.title
    with pytest.raises(PermissionDenied):
        agenda_add_case(meeting=meeting, case=handled, actor=tree.user("community_worker_2"))
    assert client_as(tree.user("community_worker_2")).post(
        f"/d/cases/{handled.pk}/agenda/", {"meeting": meeting.pk}).status_code == 404

    c = client_as(worker)  # the same test client: back to community 1's worker
    c.post(f"/d/manage/meetings/{meeting.pk}/", {
        "action": "resolution", "item": item.pk, "title": "划定消防通道并每周巡查", "deadline":
        (timezone.localdate() + timedelta(days=30)).isoformat(), "owner_kind": "community"})
    resolution = Resolution.objects.get()
    assert set(resolution.cases.all()) == {handled, waiting}  # not community 2's case
    assert AgendaItem.objects.get(pk=item.pk).resolution == resolution
    resolution_progress(resolution=resolution, actor=worker, text="已划线并安装地锁，每周巡查", progress=100)

    handled.refresh_from_db()
    waiting.refresh_from_db()
    assert handled.status == Case.Status.REPLIED
    reply = CaseEvent.objects.filter(case=handled, action="reply").get()
    assert reply.actor is None and "划定消防通道并每周巡查" in reply.note and "已划线" in reply.note
    assert waiting.status == Case.Status.ACCEPTED  # not at the step of an answer: its holder is told
    assert "请据此答复居民" in CaseEvent.objects.filter(case=waiting, action="comment").get().note
    assert not CaseEvent.objects.filter(case=elsewhere).exclude(action="report").exists()
    # the case page links the resolution
    assert "划定消防通道并每周巡查" in c.get(f"/cases/{handled.pk}/").content.decode()
    # every row written on the way carries its district, the resolution's links to its cases among them
    assert set(ResolutionCase.objects.values_list("district_code", flat=True)) == {resolution.district_code}
    assert rows_without_district() == {}


def test_a_meetings_invitations_carry_its_district(tree, council):
    meeting = meeting_plan(series=council, actor=tree.user("community_worker_1"), place="议事厅",
                           starts_at=timezone.now() + timedelta(days=3), units=[tree.units["property"]])
    assert list(meeting.invite_units.all()) == [tree.units["property"]]
    assert MeetingInvitedUnit.objects.get(meeting=meeting).district_code == meeting.district_code == "420303"
    assert rows_without_district() == {}


def test_a_held_meeting_takes_no_more_cases(tree, council, repeated):
    worker = tree.user("community_worker_1")
    meeting = meeting_plan(series=council, actor=worker, starts_at=timezone.now() + timedelta(days=3), place="议事厅")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        agenda_add_case(meeting=meeting, case=repeated[0], actor=worker)
