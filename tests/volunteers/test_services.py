"""Activities: slots and a waiting list that moves up once per cancellation, check-in and check-out
with the organiser's short-lived code, hours confirmed by the organiser, no-shows, teams."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.notifications.models import Notification
from grassroots.people.models import Volunteer
from grassroots.volunteers import signals
from grassroots.volunteers.certificate import certificate_pdf
from grassroots.volunteers.models import CheckCode, Signup
from grassroots.volunteers.services import (
    activity_close,
    activity_create,
    check,
    code_issue,
    hours_confirm,
    signup,
    signup_cancel,
    team_create,
    team_join,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_slots_then_the_waiting_list_which_moves_up_on_cancellation(tree, residents, activity):
    a, b, c, d = residents[:4]
    assert [signup(activity=activity, user=u).status for u in (a, b, c, d)] == [
        "signed_up", "signed_up", "waitlisted", "waitlisted"]
    assert signup(activity=activity, user=a).status == "signed_up"  # again: the same sign-up
    assert Volunteer.objects.filter(person__user=a).exists()  # the register knows them as a volunteer now
    signup_cancel(signup_row=Signup.objects.get(activity=activity, user=b), actor=b)
    assert Signup.objects.get(activity=activity, user=c).status == "signed_up"  # the first in line
    assert Signup.objects.get(activity=activity, user=d).status == "waitlisted"
    assert Notification.objects.filter(recipient=c, title="候补转为正式报名").exists()
    signup_cancel(signup_row=Signup.objects.get(activity=activity, user=d), actor=d)  # a waiting one: nobody moves
    assert Signup.objects.filter(activity=activity, status="signed_up").count() == 2
    assert signup(activity=activity, user=b).status == "waitlisted"  # back, at the end of the line


def test_only_verified_residents_volunteer(tree, activity):
    with pytest.raises(ValidationError, match="核验身份"):
        signup(activity=activity, user=make_user("unverified"))


def test_check_in_and_out_with_the_code_and_the_organiser_confirms(tree, residents, activity,
                                                                   django_capture_on_commit_callbacks):
    a = residents[0]
    signup(activity=activity, user=a)
    organiser = tree.user("community_worker_1")
    with pytest.raises(PermissionDenied):
        code_issue(activity=activity, actor=a, kind="in")
    code_in = code_issue(activity=activity, actor=organiser, kind="in")
    with pytest.raises(ValidationError, match="不正确或已过期"):
        check(activity=activity, user=a, code="000000" if code_in.code != "000000" else "111111")
    row = check(activity=activity, user=a, code=code_in.code)
    assert row.status == "checked_in" and check(activity=activity, user=a, code=code_in.code).status == "checked_in"
    code_out = code_issue(activity=activity, actor=organiser, kind="out")
    Signup.objects.filter(pk=row.pk).update(checked_in_at=timezone.now() - timedelta(minutes=95))
    row = check(activity=activity, user=a, code=code_out.code)
    assert row.status == "checked_out" and row.hours == Decimal("1.5")  # 95 minutes, in half hours
    heard = []

    def listener(sender, signup, **kwargs):
        heard.append(signup.pk)

    signals.hours_confirmed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            hours_confirm(signup_row=row, actor=organiser, hours="2")
    finally:
        signals.hours_confirmed.disconnect(listener)
    row.refresh_from_db()
    assert row.hours == Decimal("2") and row.confirmed_at and heard == [row.pk]
    with pytest.raises(ValidationError, match="已确认"):
        hours_confirm(signup_row=row, actor=organiser)


def test_an_expired_code_and_someone_who_did_not_sign_up(tree, residents, activity):
    a, b = residents[:2]
    signup(activity=activity, user=a)
    code = code_issue(activity=activity, actor=tree.user("community_worker_1"), kind="in")
    with pytest.raises(ValidationError, match="没有报名"):
        check(activity=activity, user=b, code=code.code)
    CheckCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="已过期"):
        check(activity=activity, user=a, code=code.code)
    code_out = code_issue(activity=activity, actor=tree.user("community_worker_1"), kind="out")
    with pytest.raises(ValidationError, match="请先签到"):
        check(activity=activity, user=a, code=code_out.code)


def test_closing_marks_no_shows_and_checks_out_the_rest(tree, residents, activity):
    a, b, c = residents[:3]
    for u in (a, b, c):
        signup(activity=activity, user=u)
    code = code_issue(activity=activity, actor=tree.user("community_worker_1"), kind="in")
    check(activity=activity, user=a, code=code.code)
    with pytest.raises(PermissionDenied):
        activity_close(activity=activity, actor=b)
    activity_close(activity=activity, actor=tree.user("community_worker_1"))
    status = {s.user_id: (s.status, s.hours) for s in Signup.objects.filter(activity=activity)}
    assert status[a.pk] == ("checked_out", Decimal("2.0")) and status[b.pk][0] == "no_show"
    assert status[c.pk][0] == "cancelled"  # the waiting list
    with pytest.raises(ValidationError, match="不能报名"):
        signup(activity=activity, user=residents[3])


def test_bad_activities_are_refused_and_only_staff_or_leaders_publish(tree, residents):
    worker = tree.user("community_worker_1")
    start = timezone.now() + timedelta(days=1)
    for change, field in (({"title": ""}, "title"), ({"slots": 0}, "slots"), ({"place": ""}, "place"),
                          ({"ends_at": start - timedelta(hours=1)}, "ends_at"), ({"hours": "0.3"}, "hours")):
        values = {"title": "义诊", "place": "社区卫生站", "starts_at": start, "ends_at": start + timedelta(hours=3),
                  "slots": 5} | change
        with pytest.raises(ValidationError) as err:
            activity_create(community=tree.communities[0], actor=worker, **values)
        assert field in err.value.message_dict
    with pytest.raises(PermissionDenied):
        activity_create(community=tree.communities[0], actor=tree.user("community_worker_2"), title="x", place="y",
                        starts_at=start, ends_at=start + timedelta(hours=1), slots=1)
    team = team_create(community=tree.communities[0], actor=worker, name="红马甲服务队")
    leader = residents[0]
    member = team_join(team=team, user=leader)
    member.role = "leader"
    member.save()
    made = activity_create(community=tree.communities[0], actor=leader, title="敬老院慰问", place="敬老院",
                           starts_at=start, ends_at=start + timedelta(hours=3), slots=5, team=team)
    assert made.hours == Decimal("3") and made.organiser == leader
    with pytest.raises(PermissionDenied):  # a leader publishes only for their team
        activity_create(community=tree.communities[0], actor=leader, title="x", place="y", starts_at=start,
                        ends_at=start + timedelta(hours=1), slots=1)


def test_the_certificate_lists_confirmed_hours(tree, residents, activity):
    import pypdfium2

    a = residents[0]
    signup(activity=activity, user=a)
    organiser = tree.user("community_worker_1")
    check(activity=activity, user=a, code=code_issue(activity=activity, actor=organiser, kind="in").code)
    row = check(activity=activity, user=a, code=code_issue(activity=activity, actor=organiser, kind="out").code)
    hours_confirm(signup_row=row, actor=organiser, hours="2")
    data, number = certificate_pdf(a, "居民1")
    pdf = pypdfium2.PdfDocument(data)
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "志愿服务时长证明" in text and "清理小区楼道" in text and "2.0" in text and number in text
