"""The daily KPI rollups follow the cases: for random histories of case events taken through the real
case services (and the sweep), the rows kept incrementally equal a recomputation from the raw cases,
and the rankings read from them equal the KPIs computed from the cases (docs/kpi.md, "Rollups")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.assessment import rollups
from grassroots.assessment.kpis import COUNTERS, compute
from grassroots.assessment.models import KpiDay, KpiSettings
from grassroots.assessment.selectors import area_ranking, kpi_settings_for, unit_ranking
from grassroots.assessment.services import kpi_settings_update
from grassroots.cases import services as cs
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, Rating
from grassroots.cases.sweep import sla_sweep
from grassroots.core import deferred
from grassroots.core.models import Deferred
from tests.assessment.factories import MARCH, T0

SKIP = (TransitionNotAllowed, PermissionDenied, ValidationError)
ACTIONS = ("accept", "reject", "dispatch", "reassign", "take", "start", "reply", "verify", "rate", "reopen",
           "close", "return", "extend", "park", "unpark", "escalate", "supervise", "comment", "whistle", "merge")
step = st.tuples(st.sampled_from(ACTIONS), st.integers(0, 30), st.integers(1, 40), st.sampled_from(Rating.values))
history = st.fixed_dictionaries({
    "places": st.lists(st.sampled_from("ABCX"), min_size=1, max_size=6),
    "steps": st.lists(step, max_size=30),
    "sweeps": st.lists(st.integers(0, 30), max_size=3),
})


def run(tree, spec, before_step: Callable[[int], None] | None = None) -> list[Case]:
    """The history ``spec`` through the case services; ``before_step(n)`` is called before step n."""
    root = tree.user("root")
    dept, prop = tree.units["dept"], tree.units["property"]
    places = {"A": tree.grid("A"), "B": tree.grid("B"), "C": tree.grid("C"), "X": tree.communities[0]}
    hours = 0.0
    with time_machine.travel(T0, tick=False) as clock:
        cases = [cs.case_create(title=f"诉求{i}", body="楼道灯不亮，请处理。", channel="resident_web", area=places[p])
                 for i, p in enumerate(spec["places"])]
        sweeps = set(spec["sweeps"])
        for n, (action, which, gap, rating) in enumerate(spec["steps"]):
            hours += gap
            clock.move_to(T0 + timedelta(hours=hours))
            if n in sweeps:
                sla_sweep()
            if before_step is not None:
                before_step(n)
            case = cases[which % len(cases)]
            case.refresh_from_db()
            kwargs = {
                "reject": {"reason": "不属于公共事务"}, "dispatch": {"to_unit": dept}, "reassign": {"to_unit": prop},
                "reply": {"reply": "已处理"}, "rate": {"rating": rating}, "reopen": {"reason": "仍未解决"},
                "return": {"reason": "不属于本单位"}, "extend": {"until": T0 + timedelta(hours=hours + 200),
                                                            "reason": "需采购配件"},
                "park": {"until": (T0 + timedelta(hours=hours + 400)).date(), "reason": "需纳入明年计划"},
                "supervise": {"note": "请加快"}, "comment": {"note": "已电话联系"},
                "whistle": {"lead": dept, "assisting": [prop]},
                "merge": {"into": cases[(which + 1) % len(cases)]},
            }.get(action, {})
            try:
                with transaction.atomic():
                    getattr(cs, f"case_{action}")(case=case, actor=root, **kwargs)
            except SKIP:
                pass
    return cases


def assert_rollups_equal_recomputation(tree):
    report = rollups.rebuild(tree.district.code, write=False)
    assert [d.describe() for d in report.differences] == []


def assert_rankings_equal_the_cases(tree, now):
    root = tree.user("root")
    community = tree.communities[0]
    params = kpi_settings_for(tree.district.code)
    from_rollups = area_ranking(user=root, area=community, period=MARCH, now=now)
    cases = Case.objects.filter(created_at__gte=MARCH.start_at, created_at__lt=MARCH.end_at,
                                area_code__startswith=community.code)
    direct = compute(cases, params=params, now=now)[""]
    for name in COUNTERS:
        assert getattr(from_rollups.totals, name) == getattr(direct, name), name
    assert from_rollups.totals.median_reply_hours == direct.median_reply_hours
    for row in from_rollups.rows:
        own = compute(cases.filter(area_code__startswith=row.key), params=params, now=now)[""]
        assert {n: getattr(row, n) for n in COUNTERS} == {n: getattr(own, n) for n in COUNTERS}, row.name
    units = unit_ranking(user=root, period=MARCH, area=community, now=now)
    by_unit = compute(cases.filter(assigned_unit__isnull=False), params=params, now=now, key="assigned_unit_id")
    for row in units.rows:
        expected = by_unit.get(row.key)
        got = {n: getattr(row, n) for n in COUNTERS}
        assert got == ({n: getattr(expected, n) for n in COUNTERS} if expected else dict.fromkeys(COUNTERS, 0))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=history, later=st.integers(0, 2000))
def test_incremental_rollups_equal_a_recomputation(tree, spec, later):
    with transaction.atomic():
        run(tree, spec)
        assert_rollups_equal_recomputation(tree)
        assert_rankings_equal_the_cases(tree, T0 + timedelta(hours=later))
        transaction.set_rollback(True)


def drain() -> None:
    while deferred.task("test-worker"):
        pass


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=history, worker_at=st.integers(0, 30), rebuild_at=st.integers(0, 30), later=st.integers(0, 2000))
def test_new_cases_counted_by_the_worker_equal_a_recomputation(tree, spec, worker_at, rebuild_at, later):
    # With a worker (production), a submit leaves its counting to the worker: steps taken before it comes
    # and a rebuild in between must neither lose a case nor count one twice.
    def before_step(n: int) -> None:
        if n == rebuild_at:
            rollups.rebuild(tree.district.code)
        if n == worker_at:
            drain()

    with override_settings(GRASSROOTS_AFTER_COMMIT="worker"), transaction.atomic():
        run(tree, spec, before_step)
        assert_rollups_equal_recomputation(tree)  # the cases still waiting are in neither
        drain()
        assert not Case.objects.filter(writers_pending=True).exists()
        assert_rollups_equal_recomputation(tree)
        assert_rankings_equal_the_cases(tree, T0 + timedelta(hours=later))
        transaction.set_rollback(True)


def submit(area, problem: str) -> Case:
    """A resident's report of ``problem`` at ``area``."""
    return cs.case_create(title=problem, body=f"{problem}。", channel="resident_web", area=area)


@override_settings(GRASSROOTS_AFTER_COMMIT="worker")
def test_a_submit_is_counted_when_the_worker_follows_it_up_as_it_is_then(tree):
    grid = tree.grid("A")
    with time_machine.travel(T0, tick=False):
        kept, turned_down = submit(grid, "路灯不亮"), submit(grid, "邻居装修太吵")
        assert not KpiDay.objects.exists()  # answered before any figure was written
        cs.case_reject(case=turned_down, actor=tree.user("root"), reason="不属于公共事务")
        assert not KpiDay.objects.exists()
        drain()
    row = KpiDay.objects.get(area_code=grid.code, unit_id=0)
    assert (row.received, row.excluded, row.open) == (2, 1, 1)
    assert not Case.objects.filter(pk__in=[kept.pk, turned_down.pk], writers_pending=True).exists()
    assert_rollups_equal_recomputation(tree)


@override_settings(GRASSROOTS_AFTER_COMMIT="worker")
def test_the_sweep_counts_a_case_whose_follow_up_left_it_behind(tree):
    grid = tree.grid("A")
    with time_machine.travel(T0, tick=False):
        failed, done_by_old_code, waiting = (submit(grid, problem) for problem in ("路灯不亮", "井盖缺失", "垃圾未清"))
    Deferred.objects.filter(object_id=failed.pk).update(failed=True, attempts=8, error="RuntimeError: 路由模型缺失")
    Deferred.objects.filter(object_id=done_by_old_code.pk).delete()  # a worker on older code: no count

    assert sla_sweep(now=T0 + timedelta(minutes=5)).counted == 0  # a follow-up may still be on its way
    assert sla_sweep(now=T0 + timedelta(minutes=11)).counted == 2  # not the one whose row still waits
    assert KpiDay.objects.get(area_code=grid.code, unit_id=0).received == 2
    assert list(Case.objects.filter(writers_pending=True).values_list("pk", flat=True)) == [waiting.pk]
    assert_rollups_equal_recomputation(tree)

    Deferred.objects.filter(object_id=failed.pk).update(failed=False, attempts=0)  # an operator retries it
    drain()
    assert KpiDay.objects.get(area_code=grid.code, unit_id=0).received == 3  # each once
    assert sla_sweep(now=T0 + timedelta(minutes=30)).counted == 0
    assert_rollups_equal_recomputation(tree)


def test_a_step_that_counts_nothing_writes_nothing(tree, django_assert_num_queries):
    with time_machine.travel(T0, tick=False):
        case = cs.case_create(title="路灯不亮", body="路灯不亮。", channel="resident_web", area=tree.grid("A"))
    rows = list(KpiDay.objects.filter(unit_id=0).order_by("level").values_list("level", "area_code", "received"))
    assert rows == [(1, tree.grid("A").code[:9], 1), (2, tree.grid("A").code[:12], 1), (3, tree.grid("A").code, 1)]
    before = list(KpiDay.objects.values())
    cs.case_comment(case=case, actor=tree.user("root"), note="已联系反映人")
    assert list(KpiDay.objects.values()) == before


def test_the_rebuild_command_finds_and_repairs_a_difference(tree, hand):
    call_command("kpi_rebuild", "--check")  # the rows kept by the engine's writes agree
    row = KpiDay.objects.filter(area_code=tree.grid("A").code, unit_id=0, received__gt=0).first()
    KpiDay.objects.filter(pk=row.pk).update(resolved=row.resolved + 5)
    with pytest.raises(CommandError, match="1 处差异"):
        call_command("kpi_rebuild", "--check")
    call_command("kpi_rebuild")
    call_command("kpi_rebuild", "--check")
    assert KpiDay.objects.get(area_code=row.area_code, unit_id=0, day=row.day).resolved == row.resolved


def test_a_new_response_limit_rebuilds_the_district(tree, hand):
    grid = tree.grid("A").code

    def responded():
        return sum(KpiDay.objects.filter(area_code=grid, unit_id=0).values_list("responded", flat=True))

    assert responded() == 3
    kpi_settings_update(district_code=tree.district.code, actor=tree.user("district_admin"),
                        response_weight=Decimal("0.1"), resolution_weight=Decimal("0.5"),
                        satisfaction_weight=Decimal("0.4"), basic_factor=Decimal("0.9"), response_hours=48)
    assert KpiSettings.objects.get(district_code=tree.district.code).response_hours == 48
    assert responded() == 4  # a3 responded after 30 h


def test_change_since_the_last_period(tree):
    from grassroots.assessment.periods import Period
    from tests.assessment.factories import put_case

    feb = T0 - timedelta(days=30)
    put_case(tree.grid("A"), at=feb, status=Case.Status.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED)
    put_case(tree.grid("B"), at=feb, status=Case.Status.CLOSED, responded=30, replied=90, rating=Rating.UNSATISFIED)
    put_case(tree.grid("A"), status=Case.Status.CLOSED, responded=30, replied=90, rating=Rating.UNSATISFIED)
    put_case(tree.grid("B"), status=Case.Status.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED)
    assert MARCH.previous() == Period(date(2026, 2, 1), date(2026, 3, 1))
    r = area_ranking(user=tree.user("root"), area=tree.communities[0], period=MARCH, compare=True)
    a, b = (next(k for k in r.rows if k.name == name) for name in ("网格1", "网格2"))
    assert (a.rank, a.extra["previous_rank"], a.extra["rank_change"]) == (2, 1, -1)
    assert (b.rank, b.extra["previous_rank"], b.extra["rank_change"]) == (1, 2, 1)
    assert b.extra["composite_change"] == pytest.approx(1.0)
