"""The three lists: resources from 双报到 commitments, needs from residents, cases and surveys,
suggested matches, projects that meet needs, and the two-way agreements — and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts.models import User
from grassroots.matching import selectors
from grassroots.matching.models import Agreement, AgreementItem, Match, Need, Project, Resource
from grassroots.matching.services import (
    agreement_create,
    guess_category,
    item_deliver,
    match_accept,
    match_decline,
    need_add,
    need_from_case,
    project_progress,
    resource_add,
    resources_from_commitments,
)
from grassroots.notifications.models import Notification
from tests.deliberation.conftest import verified

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=30)


def test_commitments_become_resources_once(tree, units):
    worker = tree.user("community_worker_1")
    assert resources_from_commitments(community=tree.communities[0], actor=worker) == 4
    assert resources_from_commitments(community=tree.communities[0], actor=worker) == 0  # run again: nothing new
    kinds = sorted(Resource.objects.values_list("kind", flat=True))
    assert kinds == ["equipment", "service", "venue", "volunteers"]
    clinic = Resource.objects.get(kind="service")
    assert clinic.category == "health" and clinic.unit == units["hospital"]
    with pytest.raises(PermissionDenied):  # another community's worker
        resources_from_commitments(community=tree.communities[0], actor=tree.user("community_worker_2"))


def test_category_is_guessed_from_the_words():
    assert guess_category("独居老人希望有助餐") == "elderly"
    assert guess_category("孩子放学后没人管，想要课后托管") == "children"
    assert guess_category("说不清") == "other"


def test_a_resident_raises_a_need_only_where_they_live(tree):
    resident = verified(tree, 1)
    need = need_add(actor=resident, area=None, title="独居老人希望有助餐", people="12")
    assert need.area == tree.residents[0].household.parent and need.source == "resident"
    assert need.category == "elderly" and need.community == tree.communities[0]
    with pytest.raises(PermissionDenied):
        need_add(actor=resident, area=tree.grid("B"), title="别的网格")
    with pytest.raises(PermissionDenied):  # not verified
        need_add(actor=tree.user("nobody"), area=tree.grid("A"), title="x")
    with pytest.raises(ValidationError) as bad:
        need_add(actor=resident, area=None, title="", people="0")
    assert set(bad.value.message_dict) == {"title", "people"}


def test_a_case_becomes_a_need_once(tree, new_case):
    case = new_case(title="小区没有适老化扶手", body="老人上下楼困难，希望加装扶手")
    worker = tree.user("community_worker_1")
    first = need_from_case(case=case, actor=worker)
    again = need_from_case(case=case, actor=worker)  # a double click
    assert first.pk == again.pk and Need.objects.count() == 1 and first.source == "case"
    other = new_case(grid="C")  # community 2
    with pytest.raises(PermissionDenied):
        need_from_case(case=other, actor=worker)


def test_suggestions_by_field_kind_and_area(tree, units):
    worker = tree.user("community_worker_1")
    resources_from_commitments(community=tree.communities[0], actor=worker)
    grid_b_only = resource_add(community=tree.communities[0], actor=worker, kind="service", title="B网格助老理发",
                               area=tree.grid("B"), category="elderly")
    near = resource_add(community=tree.communities[0], actor=worker, kind="service", title="A网格助老助餐点",
                        area=tree.grid("A"), category="elderly")
    need = need_add(actor=worker, area=tree.buildings[0], title="独居老人希望有人上门送餐", kind="service",
                    source="survey")
    found = selectors.suggestions(need)
    assert [s.resource.pk for s in found][:1] == [near.pk]  # same field, same kind, its own grid
    assert grid_b_only.pk not in [s.resource.pk for s in found]  # serves another grid
    assert "同属为老服务" in found[0].reasons
    match_decline(need=need, resource=near, actor=worker)
    assert near.pk not in [s.resource.pk for s in selectors.suggestions(need)]


def test_a_match_makes_a_project_and_done_meets_the_need(tree, units):
    worker = tree.user("community_worker_1")
    resident = verified(tree, 1)
    resources_from_commitments(community=tree.communities[0], actor=worker)
    clinic = Resource.objects.get(kind="service")
    need = need_add(actor=resident, area=None, title="楼里老人想要定期量血压、义诊")
    match = match_accept(need=need, resource=clinic, actor=worker, deadline=SOON, practical=True)
    again = match_accept(need=need, resource=clinic, actor=worker, deadline=SOON)  # a second click
    assert match.pk == again.pk and Project.objects.count() == 1
    project = match.project
    assert project.owner_unit == units["hospital"] and list(project.needs.all()) == [need]
    assert Need.objects.get(pk=need.pk).status == "matched"
    staff = User.objects.get(username="hospital_staff")
    project_progress(project=project, actor=staff, text="第一次义诊，量血压 30 人", progress=50)
    with pytest.raises(PermissionDenied):  # another unit's staff
        project_progress(project=project, actor=tree.user("dept_handler"), text="x", progress=60)
    with pytest.raises(ValidationError):
        project_progress(project=project, actor=staff, text="x", progress=101)
    project_progress(project=project, actor=staff, text="每月一次，已建档 42 人", progress=100)
    assert Project.objects.get().status == "done" and Need.objects.get().status == "met"
    titles = list(Notification.objects.filter(recipient=resident).values_list("title", flat=True))
    assert any("已对接" in t for t in titles) and any("已满足" in t for t in titles)
    assert Match.objects.get().status == "accepted"


def test_agreements_each_side_reports_its_own(tree, units):
    worker = tree.user("community_worker_1")
    hospital = units["hospital"]
    with pytest.raises(ValidationError) as bad:
        agreement_create(unit=hospital, community=tree.communities[0], actor=worker, year="26", signed_on=None,
                         items=[])
    assert {"year", "signed_on", "items"} <= set(bad.value.message_dict)
    agreement = agreement_create(unit=hospital, community=tree.communities[0], actor=worker, year=2026,
                                 signed_on=date(2026, 3, 1),
                                 items=[("unit", "每季度义诊一次", date(2026, 6, 30)),
                                        ("community", "为医院职工子女提供暑期托管", None)])
    with pytest.raises(ValidationError):  # once a year
        agreement_create(unit=hospital, community=tree.communities[0], actor=worker, year=2026,
                         signed_on=date(2026, 3, 1), items=[("unit", "x", None)])
    unit_item = agreement.items.get(side="unit")
    community_item = agreement.items.get(side="community")
    staff = User.objects.get(username="hospital_staff")
    with pytest.raises(PermissionDenied):  # the unit does not report the community's promise
        item_deliver(item=community_item, actor=staff, evidence="x")
    item_deliver(item=unit_item, actor=staff, evidence="6月12日义诊，服务 58 人")
    with pytest.raises(ValidationError):
        item_deliver(item=unit_item, actor=staff, evidence="again")
    item_deliver(item=community_item, actor=worker, evidence="托管班 7 月开班，12 个孩子")
    assert AgreementItem.objects.filter(delivered_at__isnull=False).count() == 2
    with pytest.raises(ValidationError):  # a unit not registered with community 2
        agreement_create(unit=hospital, community=tree.communities[1], actor=tree.user("community_worker_2"),
                         year=2026, signed_on=date(2026, 3, 1), items=[("unit", "x", None)])
    assert Agreement.objects.count() == 1


def test_a_unit_offers_only_its_own_and_only_where_registered(tree, units):
    staff = User.objects.get(username="hospital_staff")
    made = resource_add(community=tree.communities[0], actor=staff, kind="volunteers", title="护士志愿者 4 人",
                        unit=units["hospital"])
    assert made.unit == units["hospital"]
    with pytest.raises(PermissionDenied):
        resource_add(community=tree.communities[0], actor=staff, kind="venue", title="会议室", unit=units["dept"])
    with pytest.raises(ValidationError):
        resource_add(community=tree.communities[1], actor=staff, kind="venue", title="会议室",
                     unit=units["hospital"])
