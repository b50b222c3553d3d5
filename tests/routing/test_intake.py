"""At intake: a confident case is categorised and dispatched by the system with plain timeline
notes; a doubtful one keeps three suggestions; duplicates and failures are handled safely."""

import pytest

from grassroots.cases import hooks
from grassroots.cases.models import Case, CaseEvent
from grassroots.cases.selectors import case_timeline_public
from grassroots.routing.models import RoutingSuggestion, StreetSettings

from .helpers import install_model, level1, street_policy

S = Case.Status


@pytest.fixture
def routed(tree):
    install_model(outcomes=[("城乡建设", tree.grid("A").code, tree.units["property"], 1.0)] * 3)
    street_policy(tree.streets[0], threshold=0.6)
    return tree


@pytest.mark.django_db
def test_a_confident_case_is_categorised_and_dispatched_by_the_system(routed, new_case):
    case = new_case("A", title="楼道灯坏了", body="3栋楼道灯坏了不亮，晚上很黑")
    assert case.status == S.DISPATCHED
    assert case.category == level1("城乡建设") and case.assigned_unit == routed.units["property"]
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    assert [e.action for e in events] == ["report", "categorize", "accept", "dispatch"]
    assert all(e.actor is None for e in events[1:])
    assert events[1].note.startswith("系统根据内容自动分类为「城乡建设」（置信度 ") and not events[1].public
    assert events[1].data["model_version"] == "test-1" and 0.6 <= events[1].data["confidence"] <= 1
    assert "并派单给「阳光物业」（该单位办结同类诉求 3 件）" in events[3].note
    public = case_timeline_public(case)
    assert [e.text for e in public][-1] == "已派至“阳光物业”办理"
    assert "系统根据内容自动分类为「城乡建设」" in public[-1].note
    suggestion = RoutingSuggestion.objects.get(case=case)
    assert suggestion.decision == RoutingSuggestion.Decision.AUTO and len(suggestion.items) == 3


@pytest.mark.django_db
def test_without_a_known_unit_the_case_goes_to_its_owning_team(routed, new_case):
    case = new_case("A", title="化工厂排放废气", body="化工厂排放废气刺鼻，气味难闻")
    assert case.status == S.DISPATCHED and case.category == level1("环境保护")
    assert case.assigned_unit is None and case.assigned_area is not None
    dispatch = CaseEvent.objects.get(case=case, action="dispatch")
    assert f"并派单给「{case.assigned_area.name}」" in dispatch.note


@pytest.mark.django_db
def test_below_the_threshold_the_case_waits_with_three_suggestions(routed, new_case):
    street_policy(routed.streets[0], threshold=0.99)
    case = new_case("A", title="楼道灯坏了", body="3栋楼道灯坏了不亮")
    assert case.status == S.REPORTED and case.category is None
    suggestion = RoutingSuggestion.objects.get(case=case)
    assert suggestion.decision == RoutingSuggestion.Decision.SUGGESTED
    assert [i["path"] for i in suggestion.items][0] == "城乡建设" and len(suggestion.items) == 3
    assert suggestion.items[0]["unit_name"] == "阳光物业" and "低于阈值 99%" in suggestion.detail
    assert not CaseEvent.objects.filter(case=case).exclude(action="report").exists()


@pytest.mark.django_db
def test_a_per_category_threshold_beats_the_street_default(routed, new_case):
    from grassroots.routing.models import CategoryThreshold

    CategoryThreshold.objects.create(street=routed.streets[0], category=level1("城乡建设"), threshold=0.99,
                                     district_code=routed.district.code)
    case = new_case("A", title="楼道灯坏了", body="3栋楼道灯坏了不亮")
    assert case.status == S.REPORTED
    assert RoutingSuggestion.objects.get(case=case).threshold == 0.99


@pytest.mark.django_db
def test_a_categorised_case_is_left_to_people_unless_the_street_says_all(routed, new_case):
    case = new_case("A", title="楼道灯坏了", body="楼道灯坏了不亮", category=level1("交通运输"))
    assert case.status == S.REPORTED and case.category == level1("交通运输")
    assert RoutingSuggestion.objects.get(case=case).decision == RoutingSuggestion.Decision.POLICY
    street_policy(routed.streets[0], threshold=0.6, policy=StreetSettings.Policy.ALL)
    # (other texts in other grids: the duplicate finder would hold back a second 楼道灯 report)
    case = new_case("C", title="化工厂排放废气", body="化工厂排放废气刺鼻", category=level1("交通运输"))
    assert case.status == S.DISPATCHED and case.category == level1("环境保护")
    street_policy(routed.streets[0], threshold=0.6, policy=StreetSettings.Policy.OFF)
    case = new_case("D", title="河道污染发臭", body="河道污染发臭")
    assert case.status == S.REPORTED and case.category is None


@pytest.mark.django_db
def test_a_likely_duplicate_is_categorised_but_not_dispatched(routed, new_case):
    def finder(case, context):
        context["duplicate_of"] = [1]

    saved = list(hooks._steps)
    hooks.on_case_received(finder, order=10)
    try:
        case = new_case("A", title="楼道灯坏了", body="楼道灯坏了不亮")
    finally:
        hooks._steps[:] = saved
    assert case.status == S.REPORTED and case.category == level1("城乡建设")
    assert RoutingSuggestion.objects.get(case=case).decision == RoutingSuggestion.Decision.CATEGORISED


@pytest.mark.django_db
def test_a_routing_fault_never_loses_the_case(routed, new_case, monkeypatch):
    from grassroots.routing import intake

    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(intake, "suggest_items", broken)
    case = new_case("A", title="楼道灯坏了", body="楼道灯坏了不亮")
    assert Case.objects.get(pk=case.pk).status == S.REPORTED
    assert not RoutingSuggestion.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_failing_dispatch_keeps_the_suggestions_and_the_case_as_received(routed, new_case, monkeypatch):
    from grassroots.routing import intake

    monkeypatch.setattr(intake, "_target", lambda case, item: ("unit", routed.units["property"].__class__(
        pk=routed.units["property"].pk, name="阳光物业", area=routed.grid("H"), district_code="420303")))
    case = new_case("A", title="楼道灯坏了", body="楼道灯坏了不亮")
    assert case.status == S.REPORTED and case.category is None
    suggestion = RoutingSuggestion.objects.get(case=case)
    assert suggestion.decision == RoutingSuggestion.Decision.FAILED
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["report"]


@pytest.mark.django_db
def test_without_a_model_nothing_happens(tree, new_case):
    case = new_case("A")
    assert case.status == S.REPORTED and not RoutingSuggestion.objects.exists()
