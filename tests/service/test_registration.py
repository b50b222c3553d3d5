"""双报到: a member registers, the community approves and places them in their grid's branch, posts
(the 接单 post gives the case-taking role), service records verified; units register too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import Role, RoleAssignment
from grassroots.notifications.models import Notification
from grassroots.service import signals
from grassroots.service.models import MemberRegistration, ServiceRecord, UnitRegistration
from grassroots.service.services import (
    member_posts_set,
    member_register,
    member_registration_decide,
    member_registration_end,
    post_save,
    service_record_submit,
    service_record_verify,
    unit_register,
    unit_registration_decide,
)
from tests.portal.conftest import photo_bytes
from tests.test_district_code import rows_without_district

from .conftest import identity

pytestmark = pytest.mark.django_db


def registered(world, member, posts, *, wanted=("接单岗", "政策宣传岗")):
    user, pm = member
    reg = member_register(user=user, community=world.tree.communities[0], household=world.residents["A"].household,
                          posts=[posts[n] for n in wanted], **identity(pm))
    return reg


def approved(world, member, posts, **kw):
    reg = registered(world, member, posts, **kw)
    return member_registration_decide(registration=reg, actor=world.tree.user("community_worker_1"), approve=True)


def test_a_member_registers_and_is_placed_in_the_branch_where_they_live(world, member, posts):
    user, pm = member
    reg = registered(world, member, posts)
    assert reg.status == "applied" and reg.branch == world.branches["A"]  # suggested from the household
    assert pm.person.__class__.objects.get(pk=pm.person_id).user == user
    inbox = Notification.objects.get(recipient=world.tree.user("community_worker_1"))
    assert inbox.kind == "approval" and "在职党员报到" in inbox.title
    assert not RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER).exists()
    reg = member_registration_decide(registration=reg, actor=world.tree.user("community_worker_1"), approve=True)
    assert reg.status == "approved" and reg.approved_at is not None
    assert sorted(a.post.name for a in reg.assignments.all()) == ["接单岗", "政策宣传岗"]
    assert RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER, area=world.tree.communities[0]).exists()
    assert Notification.objects.filter(recipient=user, title="报到已通过").exists()
    assert rows_without_district() == {}  # the wanted posts and the assignments carry the registration's district


def test_only_in_service_members_of_the_register_may_register(world, member, posts):
    user, pm = member
    with pytest.raises(ValidationError, match="党员名册中没有找到"):
        member_register(user=user, community=world.tree.communities[0], name="别人",
                        id_number=pm.person.plain("id_number"))
    other = world.party_members["C"]  # a member who is not in service
    with pytest.raises(ValidationError, match="党员名册中没有找到"):
        member_register(user=user, community=world.tree.communities[0], **identity(other))
    for bad in ({"id_number": "123"}, {"name": ""}):
        with pytest.raises(ValidationError):
            member_register(user=user, community=world.tree.communities[0], **(identity(pm) | bad))
    with pytest.raises(ValidationError, match="请选择社区"):
        member_register(user=user, community=world.tree.grid("A"), **identity(pm))
    assert not MemberRegistration.objects.exists()


def test_one_residential_community_at_a_time(world, member, posts):
    user, pm = member
    registered(world, member, posts)
    with pytest.raises(ValidationError, match="只能在一个居住社区报到"):
        member_register(user=user, community=world.tree.communities[1], **identity(pm))


def test_the_case_taking_role_follows_the_take_cases_post(world, member, posts):
    user, _pm = member
    reg = approved(world, member, posts, wanted=("政策宣传岗",))
    has_role = RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER).exists
    assert not has_role()
    member_posts_set(registration=reg, actor=user, posts=[posts["政策宣传岗"], posts["接单岗"]])
    assert has_role()
    member_posts_set(registration=reg, actor=user, posts=[posts["政策宣传岗"]])
    assert not has_role()
    assert reg.assignments.filter(post=posts["接单岗"], until__isnull=False).exists()  # history is kept
    member_posts_set(registration=reg, actor=user, posts=[posts["接单岗"]])
    member_registration_end(registration=reg, actor=user, reason="搬家")
    assert not has_role()


def test_a_member_dispatched_a_case_after_taking_the_post(world, member, posts, new_case):
    """点单-派单-接单 with no hand-assigned role: the 接单 post is enough."""
    from grassroots.cases import services as svc
    from grassroots.cases.selectors import dispatch_members_for

    user, _pm = member
    approved(world, member, posts)
    case = new_case("A")
    svc.case_accept(case=case, actor=world.tree.user("community_worker_1"))
    assert user in dispatch_members_for(case)
    svc.case_dispatch(case=case, actor=world.tree.user("community_worker_1"), to_user=user)
    svc.case_take(case=case, actor=user)
    assert case.handler == user


def test_the_community_decides_with_a_branch_of_its_own_and_a_reason_to_refuse(world, member, posts):
    reg = registered(world, member, posts)
    worker = world.tree.user("community_worker_1")
    with pytest.raises(ValidationError, match="网格（小区）党支部"):
        member_registration_decide(registration=reg, actor=worker, approve=True, branch=world.branches["C"])
    with pytest.raises(ValidationError, match="原因"):
        member_registration_decide(registration=reg, actor=worker, approve=False)
    with pytest.raises(PermissionDenied):
        member_registration_decide(registration=reg, actor=world.tree.user("community_worker_2"), approve=True)
    member_registration_decide(registration=reg, actor=worker, approve=False, reason="请先在单位党组织开具报到函")
    reg.refresh_from_db()
    assert reg.status == "refused" and not reg.assignments.exists()


def test_service_records_are_verified_by_the_community_and_heard_after_commit(
        world, member, posts, django_capture_on_commit_callbacks):
    user, _pm = member
    reg = approved(world, member, posts)
    from django.core.files.uploadedfile import SimpleUploadedFile

    today = timezone.localdate()
    record = service_record_submit(registration=reg, actor=user, what="入户宣传医保政策，走访8户", served_on=today,
                                   hours="2.5", post=posts["政策宣传岗"],
                                   photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"))
    assert record.status == "submitted" and record.photo.name.startswith("service/")
    heard = []

    def listener(sender, record, **kwargs):
        heard.append(record.pk)

    signals.record_verified.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            service_record_verify(record=record, actor=world.tree.user("community_worker_1"), verified=True)
    finally:
        signals.record_verified.disconnect(listener)
    assert heard == [record.pk]
    with pytest.raises(ValidationError, match="已核实"):
        service_record_verify(record=record, actor=world.tree.user("community_worker_1"), verified=False, reason="x")


def test_bad_service_records_are_refused_whole(world, member, posts):
    user, _pm = member
    reg = approved(world, member, posts)
    today = timezone.localdate()
    cases = [({"what": ""}, "what"), ({"what": "长" * 301}, "what"), ({"hours": "0"}, "hours"),
             ({"hours": "25"}, "hours"), ({"hours": "1.3"}, "hours"), ({"hours": "abc"}, "hours"),
             ({"served_on": today + timedelta(days=1)}, "served_on"),
             ({"served_on": today - timedelta(days=200)}, "served_on"), ({"served_on": None}, "served_on")]
    for change, field in cases:
        values = {"what": "清理楼道", "served_on": today, "hours": "1"} | change
        with pytest.raises(ValidationError) as err:
            service_record_submit(registration=reg, actor=user, **values)
        assert field in err.value.message_dict, change
    with pytest.raises(PermissionDenied):
        service_record_submit(registration=reg, actor=world.tree.user("community_worker_1"), what="x",
                              served_on=today, hours="1")
    assert not ServiceRecord.objects.exists()


def test_posts_are_the_communitys_own(world, posts):
    worker = world.tree.user("community_worker_1")
    post = post_save(community=world.tree.communities[0], actor=worker, name="文明劝导岗", duties="劝导不文明行为")
    with pytest.raises(ValidationError, match="已有"):
        post_save(community=world.tree.communities[0], actor=worker, name="文明劝导岗")
    with pytest.raises(PermissionDenied):
        post_save(community=world.tree.communities[0], actor=world.tree.user("community_worker_2"), name="x")
    assert post.district_code == world.tree.district.code


def test_a_unit_registers_its_commitments_and_the_community_approves(world):
    from tests.factories import make_user

    dept = world.tree.units["dept"]
    handler = world.tree.user("dept_handler")
    with pytest.raises(ValidationError) as err:
        unit_register(unit=dept, community=world.tree.communities[0], actor=handler, contact_name="",
                      contact_phone="123")
    assert {"contact_name", "contact_phone", "__all__"} <= set(err.value.message_dict)
    with pytest.raises(PermissionDenied):
        unit_register(unit=dept, community=world.tree.communities[0], actor=make_user("someone"),
                      services="义诊", contact_name="李科长", contact_phone="13812345678")
    row = unit_register(unit=dept, community=world.tree.communities[0], actor=handler, services="房屋安全鉴定咨询",
                        volunteers=5, contact_name="李科长", contact_phone="138 1234 5678")
    assert row.contact_phone_masked == "138****5678" and "13812345678" not in row.contact_phone_enc
    with pytest.raises(ValidationError, match="已在"):
        unit_register(unit=dept, community=world.tree.communities[0], actor=handler, services="x",
                      contact_name="李科长", contact_phone="13812345678")
    unit_registration_decide(registration=row, actor=world.tree.user("community_worker_1"), approve=True)
    assert UnitRegistration.objects.get().status == "approved"
    assert Notification.objects.filter(recipient=handler, title="单位报到已通过").exists()
