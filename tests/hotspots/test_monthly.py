"""每月一题: promote a rising problem or a cluster, report progress, finish; bad input writes
nothing; a double-clicked promote creates one; another street can neither read nor change it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.core.models import AuditEntry
from grassroots.hotspots import rising, stats
from grassroots.hotspots.clusters import clusters_for
from grassroots.hotspots.models import MonthlyProblem, MonthlyProblemUpdate
from grassroots.hotspots.services import monthly_problem_act, monthly_problem_promote
from grassroots.hotspots.sources import source_find
from tests.hotspots.conftest import add_cases, category, labeled_messages, this_week
from tests.test_district_code import rows_without_district

pytestmark = pytest.mark.django_db


def _surge(tree, grid: str = "A") -> dict:
    cat = category()
    add_cases(tree, grid, this_week(), 7, cat=cat)
    return {"source": "rising", "week": stats.week_label(this_week()), "area": tree.grid(grid).code,
            "category": str(cat.parent_id)}


def _promote(tree, user, coords: dict, **values):
    source = source_find(user, **coords)
    fields = {"title": source.title, "lead_unit": tree.units["dept"].pk, "plan": "排查各楼栋，联系物业整改",
              "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(), **values}
    return monthly_problem_promote(actor=user, street=source.street, source=source.kind, source_key=source.key,
                                   source_data=source.data, category=source.category, cases=source.cases,
                                   residents=source.residents, **fields)


def test_promote_progress_done(tree):
    admin = tree.user("street_admin_1")
    problem, created = _promote(tree, admin, _surge(tree))
    assert created and problem.status == "planned" and problem.street == tree.streets[0]
    assert problem.cases.count() == 7 and problem.residents == 7 and problem.month == f"{timezone.localdate():%Y-%m}"
    assert rows_without_district() == {}  # the problem's links to its cases carry its district
    assert problem.lead_unit == tree.units["dept"] and not problem.overdue
    monthly_problem_act(problem=problem, action="start", actor=admin)
    monthly_problem_act(problem=problem, action="progress", actor=admin, note="已排查12栋，整改5处")
    done = monthly_problem_act(problem=problem, action="finish", actor=admin, note="全部整改完毕，居民回访满意")
    assert done.status == "done" and done.done_at and done.started_at
    steps = list(MonthlyProblemUpdate.objects.filter(problem=problem).values_list("action", "from_status", "to_status"))
    assert steps == [("promote", "", "planned"), ("start", "planned", "in_progress"),
                     ("progress", "in_progress", "in_progress"), ("finish", "in_progress", "done")]
    assert all(u.actor == admin for u in problem.updates.all())
    audits = AuditEntry.objects.filter(object_type="hotspots.monthlyproblem", object_id=str(problem.pk))
    assert sorted(audits.values_list("action", flat=True)) == sorted(
        ["hotspots.monthly_promote", "hotspots.monthly_start", "hotspots.monthly_progress", "hotspots.monthly_finish"])
    with pytest.raises(ValidationError, match="已完成"):  # the table: nothing after done
        monthly_problem_act(problem=problem, action="progress", actor=admin, note="再补充")


def test_finish_needs_a_note_and_a_start(tree):
    admin = tree.user("street_admin_1")
    problem, _ = _promote(tree, admin, _surge(tree))
    with pytest.raises(ValidationError, match="不能完成"):
        monthly_problem_act(problem=problem, action="finish", actor=admin, note="好了")
    monthly_problem_act(problem=problem, action="start", actor=admin)
    with pytest.raises(ValidationError) as exc:
        monthly_problem_act(problem=problem, action="finish", actor=admin, note=" ")
    assert "请填写进展说明" in exc.value.message_dict["note"][0]
    assert problem.updates.count() == 2


@pytest.mark.parametrize(("values", "field", "text"), [
    ({"deadline": (timezone.localdate() - timedelta(days=1)).isoformat()}, "deadline", "已经过去"),
    ({"deadline": "明天"}, "deadline", "格式不对"),
    ({"lead_unit": ""}, "lead_unit", "请选择牵头单位"),
    ({"lead_unit": 999999}, "lead_unit", "请选择牵头单位"),
    ({"plan": ""}, "plan", "请填写工作方案"),
    ({"title": "题" * 121}, "title", "最多120字"),
])
def test_bad_input_names_the_field_and_writes_nothing(tree, values, field, text):
    with pytest.raises(ValidationError) as exc:
        _promote(tree, tree.user("street_admin_1"), _surge(tree), **values)
    assert text in exc.value.message_dict[field][0]
    assert not MonthlyProblem.objects.exists() and not MonthlyProblemUpdate.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="hotspots.").exists()


def test_a_lead_unit_of_another_district_is_refused(tree):
    from grassroots.areas.services import area_create
    from grassroots.orgs.models import Unit, UnitKind

    other = area_create(name="茅箭区", code="420302", level="district")
    unit = Unit.objects.create(name="外区住建局", kind=UnitKind.DEPARTMENT, area=other)
    with pytest.raises(ValidationError, match="本区县"):
        _promote(tree, tree.user("street_admin_1"), _surge(tree), lead_unit=unit.pk)


def test_double_clicked_promote_creates_one(tree):
    admin = tree.user("street_admin_1")
    coords = _surge(tree)
    first, created = _promote(tree, admin, coords)
    second, again = _promote(tree, admin, coords)
    assert created and not again and first.pk == second.pk
    assert MonthlyProblem.objects.count() == 1 and MonthlyProblemUpdate.objects.count() == 1


def test_a_cluster_is_promoted_with_its_street_cases(tree):
    for grid in "ABE":
        add_cases(tree, grid, this_week(), 2, title="小区电梯经常故障停运", body="电梯坏了好几天，老人上下楼困难。")
    for i, msg in enumerate(labeled_messages()[:30]):
        add_cases(tree, "ABCDEFGH"[i % 8], this_week(), 1, title=msg["title"], body=msg["body"][:300])
    (cluster,) = clusters_for(tree.user("district_admin"), week=this_week())
    coords = {"source": "cluster", "week": stats.week_label(this_week()), "key": cluster.key}
    problem, created = _promote(tree, tree.user("district_admin"), coords)
    assert created and problem.source == "cluster" and problem.street == tree.streets[0]  # 4 of the 6 cases
    assert problem.cases.count() == 4 and all(c.area_code.startswith(tree.streets[0].code) for c in problem.cases.all())


def test_only_the_streets_dispatchers_promote_and_change(tree, street_admin_2):
    coords = _surge(tree)
    for user in (tree.user("community_worker_1"), tree.user("grid_worker_A")):
        with pytest.raises(ValidationError) as exc:
            source_find(user, **coords)
        assert "street" in exc.value.message_dict
    with pytest.raises(rising.OutOfScope):  # another street's staff: as if the area did not exist
        source_find(street_admin_2, **coords)
    problem, _ = _promote(tree, tree.user("street_admin_1"), coords)
    for user in (tree.user("community_worker_1"), street_admin_2):
        with pytest.raises(PermissionDenied):
            monthly_problem_act(problem=problem, action="start", actor=user)
    with pytest.raises(PermissionDenied):
        monthly_problem_promote(actor=street_admin_2, street=tree.streets[0], title="x", lead_unit=tree.units["dept"],
                                plan="x", deadline=timezone.localdate(), source="rising", source_key="rising:x")
    assert MonthlyProblem.objects.get().status == "planned"


def test_overdue_is_shown_not_a_state(tree):
    problem, _ = _promote(tree, tree.user("street_admin_1"), _surge(tree))
    MonthlyProblem.objects.filter(pk=problem.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    problem.refresh_from_db()
    assert problem.overdue and problem.status == "planned"
