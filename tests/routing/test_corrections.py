"""The dispatcher's side: three suggestions on the board, one click applies one, every change
against routing's choice is kept as a correction, and the next training uses it."""

import pytest
from django.test import override_settings

from grassroots.cases.models import Case, CaseEvent
from grassroots.cases.services import case_accept, case_dispatch
from grassroots.routing.models import RoutingCorrection, RoutingModel, RoutingSuggestion
from grassroots.routing.services import case_categorize

from .helpers import install_model, level1, street_policy

S = Case.Status



@pytest.mark.django_db
def test_the_board_shows_three_suggestions_with_confidence_and_unit(doubtful, tree, client_as):
    html = client_as(tree.user("community_worker_1")).get("/cases/board/").content.decode()
    assert "智能分派建议" in html
    row = html.split(f'data-case="{doubtful.code}"')[1].split("</tr>")[0]
    assert row.count('name="rank"') == 3
    assert "城乡建设 → 阳光物业" in row and "%" in row
    assert f"/routing/cases/{doubtful.pk}/apply/?next=board" in row


@pytest.mark.django_db
def test_applying_the_first_suggestion_dispatches_in_one_click_without_a_correction(doubtful, tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    response = client.post(f"/routing/cases/{doubtful.pk}/apply/?next=board", {"rank": "1"})
    assert response.status_code == 302 and response["Location"] == "/cases/board/"
    case = Case.objects.get(pk=doubtful.pk)
    assert case.status == S.DISPATCHED and case.category == level1("城乡建设")
    assert case.assigned_unit == tree.units["property"]
    assert [e.action for e in CaseEvent.objects.filter(case=case).order_by("at", "pk")] == [
        "report", "categorize", "accept", "dispatch"]
    assert CaseEvent.objects.get(case=case, action="categorize").actor == tree.user("community_worker_1")
    assert RoutingSuggestion.objects.get(case=case).applied_rank == 1
    assert not RoutingCorrection.objects.exists()
    again = client.post(f"/routing/cases/{doubtful.pk}/apply/", {"rank": "1"}, follow=True)  # a second click
    assert "不能再按建议派单" in again.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == 4


@pytest.mark.django_db
def test_applying_another_suggestion_is_a_correction(doubtful, tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    second = RoutingSuggestion.objects.get(case=doubtful).items[1]
    client.post(f"/routing/cases/{doubtful.pk}/apply/", {"rank": "2"})
    correction = RoutingCorrection.objects.get()
    assert correction.kind == RoutingCorrection.Kind.CATEGORY
    assert correction.predicted_category == level1("城乡建设")
    assert correction.chosen_category_id == second["category"]
    assert correction.actor == tree.user("community_worker_1") and not correction.was_auto


@pytest.mark.django_db
def test_dispatching_elsewhere_than_suggested_is_a_unit_correction(doubtful, tree):
    worker = tree.user("community_worker_1")
    case_categorize(case=doubtful, category=level1("城乡建设"), actor=worker)
    case_accept(case=doubtful, actor=worker)
    assert not RoutingCorrection.objects.exists()  # the category was the suggestion's first
    case_dispatch(case=doubtful, to_unit=tree.units["dept"], actor=worker)
    correction = RoutingCorrection.objects.get()
    assert correction.kind == RoutingCorrection.Kind.UNIT
    assert (correction.predicted_unit, correction.chosen_unit) == (tree.units["property"], tree.units["dept"])


@pytest.mark.django_db
def test_correcting_an_automatic_dispatch_is_kept_as_such(tree, new_case):
    install_model(outcomes=[("城乡建设", tree.grid("A").code, tree.units["property"], 1.0)] * 3)
    street_policy(tree.streets[0], threshold=0.6)
    case = new_case("A", title="楼道灯坏了", body="3栋楼道灯坏了不亮")
    assert case.status == S.DISPATCHED
    case_categorize(case=case, category=level1("交通运输"), actor=tree.user("community_worker_1"))
    correction = RoutingCorrection.objects.get()
    assert correction.was_auto and correction.chosen_category == level1("交通运输")


@pytest.mark.django_db
def test_a_bad_category_or_a_stranger_changes_nothing(doubtful, tree, client_as):
    client = client_as(tree.user("community_worker_1"))
    response = client.post(f"/routing/cases/{doubtful.pk}/categorize/", {"category": "x"}, follow=True)
    assert "找不到编号为 x 的事项类别" in response.content.decode()
    stranger = client_as(tree.user("community_worker_2"))
    assert stranger.post(f"/routing/cases/{doubtful.pk}/apply/", {"rank": "1"}).status_code == 404
    assert stranger.post(f"/routing/cases/{doubtful.pk}/categorize/",
                         {"category": level1("城乡建设").pk}).status_code == 404
    grid = client_as(tree.user("grid_worker_A"))  # sees the case, may not dispatch it
    response = grid.post(f"/routing/cases/{doubtful.pk}/apply/", {"rank": "1"}, follow=True)
    assert "您无权" in response.content.decode()
    assert Case.objects.get(pk=doubtful.pk).status == S.REPORTED
    assert list(CaseEvent.objects.filter(case=doubtful).values_list("action", flat=True)) == ["report"]


@pytest.mark.django_db
@override_settings(GRASSROOTS_ROUTING_COLD_START_BELOW=0, GRASSROOTS_ROUTING_MIN_PER_CLASS=2,
                   GRASSROOTS_ROUTING_MIN_LEVEL1=1)
def test_the_next_training_uses_the_corrections(doubtful, tree, new_case):
    from grassroots.routing.training import routing_train

    worker = tree.user("community_worker_1")
    # A little history: closed cases of two categories (their final category is the label).
    for i, (title, name) in enumerate([("楼道灯坏了", "城乡建设"), ("井盖丢失", "城乡建设"), ("河道污染发臭", "环境保护"),
                                       ("工厂排放废气", "环境保护")]):
        case = new_case("B", title=title, body=title, category=level1(name), intake_key=f"h{i}")
        Case.objects.filter(pk=case.pk).update(status=S.CLOSED, closed_at=case.created_at)
    case_categorize(case=doubtful, category=level1("交通运输"), actor=worker)
    assert RoutingCorrection.objects.filter(used_in_version="").count() == 1
    summary = routing_train()
    assert summary["source"] == RoutingModel.Source.HISTORY
    assert summary["details"]["examples"] == {"case": 4, "correction": 1}
    assert summary["details"]["corrections_new"] == 1
    active = RoutingModel.objects.get(kind="category", active=True)
    assert "交通运输" in active.labels  # only the correction taught this class
    assert RoutingCorrection.objects.get().used_in_version == summary["version"]
