"""Each automatic measure on a small hand-built set: what counts for a branch, and what does not
(another grid's or community's records, another year's, ones not held / not verified / not done)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from grassroots.cases.models import Case, Rating
from grassroots.deliberation.models import Meeting, Resolution, Series, Topic
from grassroots.orgs.models import PartyLevel, PartyOrg
from grassroots.people.models import PartyMember
from grassroots.people.services import person_upsert
from grassroots.service.models import Decision, MemberRegistration, Post, PostAssignment, ServiceRecord
from grassroots.stars import measures
from grassroots.volunteers.models import Activity, Signup
from tests.factories import make_user

from .conftest import YEAR


def at(month: int, day: int = 10, year: int = YEAR) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 10))


def test_meetings_held_in_the_year_for_the_branchs_area(world):
    tree = world.tree
    c1 = tree.communities[0]
    series = Series.objects.create(community=c1, kind=Series.Kind.COUNCIL, title="居民议事会", district_code="420303")

    def meeting(when, status=Meeting.Status.HELD, invite=None, community=c1):
        return Meeting.objects.create(series=series, community=community, title=f"议事会{when:%m%d}", starts_at=when,
                                      place="社区会议室", status=status, invite_area=invite, district_code="420303")

    meeting(at(3))  # the whole community: counts for A and B
    meeting(at(4), invite=tree.grid("A"))  # grid A's residents
    meeting(at(5), invite=tree.buildings[0])  # a building of grid A
    meeting(at(6), invite=tree.grid("B"))  # grid B only
    meeting(at(7), status=Meeting.Status.CANCELLED)
    meeting(at(8), status=Meeting.Status.PLANNED)
    meeting(at(3, year=YEAR - 1))
    meeting(at(3), community=tree.communities[1])

    value, evidence = measures.meetings(world.branches["A"], YEAR)
    assert value == 3
    assert evidence["figures"]["会议"] == 3 and len(evidence["items"]) == 3
    assert evidence["items"][0]["url"].startswith("/d/meetings/")
    assert measures.meetings(world.branches["B"], YEAR)[0] == 2
    assert measures.meetings(world.branches["A"], YEAR - 1)[0] == 1


def test_resolutions_done_in_the_year(world):
    tree = world.tree
    c1 = tree.communities[0]
    proposer = tree.user("community_worker_1")

    def resolution(done_at, status=Resolution.Status.DONE, topic_area=None, community=c1):
        topic = (Topic.objects.create(community=c1, area=topic_area, title="加装电梯", proposer=proposer,
                                      proposer_label="居民", district_code="420303") if topic_area else None)
        return Resolution.objects.create(community=community, title="决议", deadline=date(YEAR, 12, 31), status=status,
                                         done_at=done_at, topic=topic, district_code="420303")

    resolution(at(2))
    resolution(at(3), topic_area=tree.grid("A"))
    resolution(at(4), topic_area=tree.grid("B"))
    resolution(None, status=Resolution.Status.OPEN)
    resolution(at(5, year=YEAR - 1))
    resolution(at(5), community=tree.communities[1])
    value, evidence = measures.resolutions_done(world.branches["A"], YEAR)
    assert value == 2
    assert "办结议事决议 2 项" in evidence["summary"]


def _registration(world, letter: str, username: str) -> MemberRegistration:
    member = world.party_members[letter]
    return MemberRegistration.objects.create(member=member, user=make_user(username), community=world.tree.communities[0],
                                             branch=world.branches[letter], status=Decision.APPROVED,
                                             district_code="420303")


def test_service_hours_of_the_branchs_members_verified_in_the_year(world):
    reg_a, reg_b = _registration(world, "A", "member_a"), _registration(world, "B", "member_b")
    V, S = ServiceRecord.Status.VERIFIED, ServiceRecord.Status.SUBMITTED
    for reg, day, hours, status in [(reg_a, date(YEAR, 3, 1), "2.5", V), (reg_a, date(YEAR, 4, 1), "3", V),
                                    (reg_a, date(YEAR, 5, 1), "4", S), (reg_a, date(YEAR - 1, 5, 1), "4", V),
                                    (reg_b, date(YEAR, 5, 1), "8", V)]:
        ServiceRecord.objects.create(registration=reg, what="政策宣传", served_on=day, hours=Decimal(hours),
                                     status=status, district_code="420303")
    value, evidence = measures.service_hours(world.branches["A"], YEAR)
    assert value == Decimal("5.5")
    assert evidence["figures"] == {"党员": 1, "服务次数": 2, "小时": 5.5}


def test_members_of_the_branch_and_its_groups_and_members_on_post(world):
    branch = world.branches["A"]
    group = PartyOrg.objects.get(parent=branch, level=PartyLevel.BUILDING_GROUP, area=world.tree.buildings[0])
    person = person_upsert(name="党员乙", district_code="420303", phone="13700000099")
    PartyMember.objects.create(person=person, org=group, in_service=True)
    value, evidence = measures.members(branch, YEAR)
    assert value == 2 and evidence["figures"]["在职党员"] == 1
    assert measures.members(world.branches["B"], YEAR)[0] == 1

    reg = _registration(world, "A", "member_a")
    post = Post.objects.create(community=world.tree.communities[0], name="政策宣传岗", district_code="420303")
    assert measures.members_on_post(branch, YEAR)[0] == 0
    PostAssignment.objects.create(registration=reg, post=post, since=date(YEAR, 2, 1))
    value, evidence = measures.members_on_post(branch, YEAR)
    assert value == 1 and evidence["items"] == [{"text": "政策宣传岗：1 名"}]
    assert measures.members_on_post(branch, YEAR - 1)[0] == 0  # not on post that year


def test_resolution_and_satisfaction_rates_of_the_cases_in_the_branchs_grid(world, new_case):
    cases = [new_case("A") for _ in range(4)] + [new_case("B")]
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(status=Case.Status.CLOSED, rating=Rating.SATISFIED)
    Case.objects.filter(pk=cases[2].pk).update(rating=Rating.BASIC)
    Case.objects.filter(pk=cases[4].pk).update(status=Case.Status.CLOSED, rating=Rating.UNSATISFIED)
    rate, evidence = measures.resolution_rate(world.branches["A"], YEAR)
    assert rate == Decimal("75.00")
    assert evidence["figures"]["已解决"] == 3
    satisfaction, evidence = measures.satisfaction(world.branches["A"], YEAR)
    assert satisfaction == Decimal("96.67")  # (2 + 0.9) ÷ 3
    assert measures.satisfaction(world.branches["B"], YEAR)[0] == Decimal("0.00")
    assert measures.resolution_rate(world.branches["C"], YEAR)[0] is None  # no cases: nothing to measure
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(created_at=at(6, year=YEAR - 1))
    assert measures.resolution_rate(world.branches["A"], YEAR)[0] is None


def test_volunteer_hours_confirmed_in_the_branchs_community(world):
    tree = world.tree
    organiser = tree.user("community_worker_1")
    volunteer = world.volunteers["c1"]

    def activity(when, community, hours="3"):
        return Activity.objects.create(community=community, title=f"清扫楼道{when:%m}", place="小区", starts_at=when,
                                       ends_at=when + timedelta(hours=3), slots=10, hours=Decimal(hours),
                                       organiser=organiser, district_code="420303")

    def signup(act, username, hours, confirmed=True, status=Signup.Status.CHECKED_OUT):
        return Signup.objects.create(activity=act, volunteer=volunteer, user=make_user(username), status=status,
                                     hours=Decimal(hours), confirmed_at=timezone.now() if confirmed else None,
                                     district_code="420303")

    signup(activity(at(3), tree.communities[0]), "v1", "3")
    signup(activity(at(4), tree.communities[0]), "v2", "2", confirmed=False)
    signup(activity(at(5, year=YEAR - 1), tree.communities[0]), "v3", "5")
    signup(activity(at(5), tree.communities[1]), "v4", "7")
    value, evidence = measures.volunteer_hours(world.branches["A"], YEAR)
    assert value == Decimal("3.0")
    assert evidence["items"][0]["url"].startswith("/v/a/")
