"""点单-派单-接单: a community dispatches a case to an in-service Party member registered with it, who
takes it personally, sees it (and nothing else), replies or hands it back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.models import Case
from grassroots.cases.selectors import case_actions_for, case_timeline_public, cases_visible_to
from grassroots.notifications.models import Notification
from tests.factories import make_user

S = Case.Status


@pytest.fixture
def member(tree):
    user = make_user("wang_dangyuan", Role.PARTY_MEMBER, area=tree.communities[0])
    user.display_name = "王建明"
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def accepted(tree, new_case):
    case = new_case("A")
    svc.case_accept(case=case, actor=tree.user("community_worker_1"))
    return case


def test_dispatched_to_a_member_who_takes_and_replies(tree, member, accepted):
    cw1 = tree.user("community_worker_1")
    svc.case_dispatch(case=accepted, actor=cw1, to_user=member, note="请王建明同志帮忙联系物业")
    assert accepted.assigned_user == member and accepted.assigned_unit is None
    assert Notification.objects.filter(recipient=member, title__startswith="派单").exists()
    assert list(cases_visible_to(member)) == [accepted]
    assert case_actions_for(member, accepted)[:2] == ["take", "return"]
    svc.case_take(case=accepted, actor=member)
    svc.case_reply(case=accepted, actor=member, reply="已联系物业，明早更换灯泡。")
    assert accepted.status == S.REPLIED and accepted.handler == member
    texts = [e.text for e in case_timeline_public(accepted)]
    assert "已派至“党员王*明”办理" in texts and not any("王建明" in t for t in texts)


def test_only_members_of_the_community_can_be_chosen(tree, accepted):
    elsewhere = make_user("li_dangyuan", Role.PARTY_MEMBER, area=tree.communities[1])
    plain = make_user("zhao", Role.RESIDENT, area=tree.households[0])
    for user in (elsewhere, plain):
        with pytest.raises(ValidationError, match="不是在本社区报到接单的党员"):
            svc.case_dispatch(case=accepted, actor=tree.user("community_worker_1"), to_user=user)
    with pytest.raises(ValidationError, match="三选一"):
        svc.case_dispatch(case=accepted, actor=tree.user("community_worker_1"), to_user=elsewhere,
                          to_unit=tree.units["property"])
    assert accepted.events.count() == 2


def test_a_member_sees_and_acts_on_their_own_case_only(tree, member, accepted, new_case):
    other = new_case("A", title="别的诉求")
    svc.case_dispatch(case=accepted, actor=tree.user("community_worker_1"), to_user=member)
    assert other not in cases_visible_to(member)
    with pytest.raises(PermissionDenied):
        svc.case_comment(case=other, actor=member, note="看看")
    svc.case_return(case=accepted, actor=member, reason="本人出差一周，无法上门")
    accepted.refresh_from_db()
    assert accepted.status == S.RETURNED and accepted.assigned_user is None
    assert accepted.assigned_area == tree.grid("A")  # back with the team that dispatched it
    assert accepted not in cases_visible_to(member)


def test_member_pages_list_and_detail(client_as, tree, member, accepted, new_case):
    other = new_case("A", title="别的诉求")
    svc.case_dispatch(case=accepted, actor=tree.user("community_worker_1"), to_user=member)
    client = client_as(member)
    html = client.get("/cases/").content.decode()
    assert accepted.code in html and other.code not in html
    assert 'href="/cases/"' in html.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
    detail = client.get(f"/cases/{accepted.pk}/").content.decode()
    assert "接单党员" in detail and 'id="action-take"' in detail
    assert client.get(f"/cases/{other.pk}/").status_code == 404


def test_dispatch_form_offers_the_communitys_members(client_as, tree, member, accepted):
    make_user("li_dangyuan", Role.PARTY_MEMBER, area=tree.communities[1])
    html = client_as(tree.user("community_worker_1")).get(f"/cases/{accepted.pk}/").content.decode()
    assert "或派给党员个人接单" in html and "王建明" in html and "li_dangyuan" not in html
    response = client_as(tree.user("community_worker_1")).post(
        f"/cases/{accepted.pk}/actions/dispatch/", {"dispatch-to_user": str(member.pk)})
    assert response.status_code in (200, 302)
    accepted.refresh_from_db()
    assert accepted.assigned_user == member
