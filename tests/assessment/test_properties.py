"""Properties of the KPIs over random sets of cases (written straight to the table, every field the
engine sets drawn at random, so that combinations the services rarely reach are covered too).

* the aggregate query agrees with a plain-Python reading of docs/kpi.md, case by case;
* every rate is in [0, 1] (or undefined), and the composite is the weighted sum with the current weights;
* the rows add up to the level's own figures; moving a case from one grid to another moves its counts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.assessment import rollups
from grassroots.assessment.kpis import COUNTERS
from grassroots.assessment.models import KpiSettings
from grassroots.assessment.periods import TZ
from grassroots.assessment.selectors import area_ranking
from grassroots.cases.models import Case, Rating
from tests.assessment.factories import MARCH, T0

S = Case.Status
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=TZ)  # some deadlines are before it, some after
hours = st.one_of(st.none(), st.integers(min_value=0, max_value=400))
a_case = st.fixed_dictionaries({
    "grid": st.sampled_from("ABX"),  # X: placed at the community itself
    "status": st.sampled_from(S.values),
    "responded": hours, "replied": hours, "deadline": hours,
    "rating": st.sampled_from(["", *Rating.values]),
    "overdue": st.booleans(),
    "reopen": st.integers(min_value=0, max_value=2),
})
weights = st.tuples(st.integers(0, 1000), st.integers(0, 1000)).filter(lambda t: t[0] + t[1] <= 1000).map(
    lambda t: (Decimal(t[0]) / 1000, Decimal(t[1]) / 1000, Decimal(1000 - t[0] - t[1]) / 1000))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def at(h):
    return None if h is None else T0 + timedelta(hours=h)


def insert(tree, specs: list[dict]) -> list[Case]:
    places = {"A": tree.grid("A"), "B": tree.grid("B"), "X": tree.communities[0]}
    rows = [Case(code=secrets.token_hex(8), tracking_code=secrets.token_hex(6), title="t", body="b",
                 area=places[s["grid"]], area_code=places[s["grid"]].code, district_code=tree.district.code,
                 status=s["status"], responded_at=at(s["responded"]), replied_at=at(s["replied"]),
                 deadline=at(s["deadline"]), rating=s["rating"], overdue=s["overdue"], reopen_count=s["reopen"])
            for s in specs]
    Case.objects.bulk_create(rows)
    Case.objects.filter(pk__in=[c.pk for c in rows]).update(created_at=T0)  # auto_now_add wrote "now"
    rollups.rebuild(tree.district.code)  # written behind the engine's back: the rollups from the rows
    return rows


def reference(s: dict, response_hours: int) -> dict[str, int]:
    """docs/kpi.md, one case at a time."""
    if s["status"] in (S.REJECTED, S.MERGED):
        return {**dict.fromkeys(COUNTERS, 0), "received": 1, "excluded": 1}
    replied = s["replied"] is not None
    late_replied = replied and (s["overdue"] or (s["deadline"] is not None and s["replied"] > s["deadline"]))
    late_open = not replied and (s["overdue"] or (
        s["deadline"] is not None and at(s["deadline"]) < NOW and s["status"] != S.PARKED))
    return {
        "received": 1, "excluded": 0,
        "responded": int(s["responded"] is not None and s["responded"] <= response_hours),
        "resolved": int(s["status"] == S.VERIFIED or (s["status"] == S.CLOSED and s["rating"] != Rating.UNSATISFIED)),
        "rated": int(s["rating"] != ""), "satisfied": int(s["rating"] == Rating.SATISFIED),
        "basic": int(s["rating"] == Rating.BASIC), "unsatisfied": int(s["rating"] == Rating.UNSATISFIED),
        "replied": int(replied), "on_time": int(replied and not late_replied),
        "overdue": int(late_replied or late_open), "reopened": int(replied and s["reopen"] > 0),
    }


def ranking(tree):
    return area_ranking(user=tree.user("root"), area=tree.communities[0], period=MARCH, now=NOW)


def rows_by_grid(r):
    out = {k.key: k for k in r.rows}
    if r.unplaced is not None:
        out["X"] = r.unplaced
    return out


@pytest.mark.django_db
@SETTINGS
@given(specs=st.lists(a_case, max_size=14), w=weights, factor=st.integers(0, 1000),
       limit=st.integers(1, 100))
def test_rates_are_fractions_and_the_composite_is_the_weighted_sum(tree, specs, w, factor, limit):
    with transaction.atomic():
        KpiSettings.objects.create(district_code=tree.district.code, response_weight=w[0], resolution_weight=w[1],
                                   satisfaction_weight=w[2], basic_factor=Decimal(factor) / 1000,
                                   response_hours=limit)
        insert(tree, specs)  # (rebuilt after the limit was set)
        r = ranking(tree)
        grids = {tree.grid("A").code: "A", tree.grid("B").code: "B"}
        found = rows_by_grid(r)
        for place in "ABX":
            expected = dict.fromkeys(COUNTERS, 0)
            for s in specs:
                if s["grid"] == place:
                    for name, n in reference(s, limit).items():
                        expected[name] += n
            key = next((code for code, g in grids.items() if g == place), "X")
            k = found.get(key)
            got = {name: getattr(k, name) for name in COUNTERS} if k else dict.fromkeys(COUNTERS, 0)
            assert got == expected, place
        for k in (r.totals, *r.rows, *r.foot_rows):
            for rate in (k.response_rate, k.resolution_rate, k.satisfaction_rate, k.on_time_rate, k.reopen_rate):
                assert rate is None or 0 <= rate <= 1 + 1e-12
            rates = (k.response_rate, k.resolution_rate, k.satisfaction_rate)
            if None in rates:
                assert k.composite is None
            else:
                assert k.composite == pytest.approx(sum(float(a) * b for a, b in zip(w, rates, strict=True)))
                assert 0 <= k.composite <= 1 + 1e-12
        for name in COUNTERS:  # the rows add up to the community's own figures
            assert sum(getattr(k, name) for k in (*r.rows, *r.foot_rows)) == getattr(r.totals, name)
        transaction.set_rollback(True)


@pytest.mark.django_db
@SETTINGS
@given(specs=st.lists(a_case, min_size=1, max_size=10), pick=st.integers(0, 9))
def test_moving_a_case_between_grids_moves_its_counts(tree, specs, pick):
    with transaction.atomic():
        cases = insert(tree, specs)
        i = pick % len(specs)
        before = rows_by_grid(ranking(tree))
        source = specs[i]["grid"]
        target = "B" if source != "B" else "A"
        place = tree.grid(target)
        Case.objects.filter(pk=cases[i].pk).update(area=place, area_code=place.code)
        rollups.rebuild(tree.district.code)
        after_r = ranking(tree)
        after = rows_by_grid(after_r)
        own = reference(specs[i], 24)
        key = {"A": tree.grid("A").code, "B": tree.grid("B").code, "X": "X"}
        for name in COUNTERS:
            def count(rows, g, name=name):
                k = rows.get(key[g])
                return getattr(k, name) if k else 0
            assert count(after, source) == count(before, source) - own[name], name
            assert count(after, target) == count(before, target) + own[name], name
        assert after_r.totals.received == len(specs)
        transaction.set_rollback(True)
