"""The demo's two-way evaluation: a share of the dispatched cases rated, every row within the rules,
scores leaning high with some poor ones. Loaded once for the module (small N, fixed end date)."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import override_settings

from grassroots.cases.models import CaseEvent
from grassroots.core.models import AuditEntry
from grassroots.demo.loader import flush_demo
from grassroots.evaluation import rules
from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation

DC = "420303"
END = datetime(2026, 6, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ARGS = ("load_demo", "--seed", "77", "--people", "light", "--cases", "160", "--end", "2026-06-30",
        "--without", "points", "--without", "deliberation", "--without", "matching", "--without", "stars",
        "--without", "reports")
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_cases")]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        out = StringIO()
        call_command(*ARGS, stdout=out)
        try:
            yield out.getvalue()
        finally:
            flush_demo()
            AuditEntry.objects.filter(Q(action__startswith="demo.") | Q(district_code=DC)).delete()


def test_a_share_is_rated_and_scores_lean_high(demo):
    units = list(UnitEvaluation.objects.all())
    dispatches = list(DispatchEvaluation.objects.all())
    assert len(units) >= 10 and len(dispatches) >= 10, demo
    sent = rules.sent(CaseEvent.objects.filter(district_code=DC, action__in=rules.SENDING_ACTIONS)
                      .values_list("case_id", flat=True))
    assert len(units) < len(sent) and len(dispatches) < len(sent)  # not everything is rated
    assert 3.4 < mean(e.mean for e in units) < 4.8
    assert any(e.mean <= 2.5 for e in units + dispatches)
    assert all(e.created_at <= END for e in units + dispatches)
    assert AuditEntry.objects.filter(action="evaluation.unit").count() == len(units)


def test_every_row_keeps_the_rules(demo):
    assert "双向评价：评价承办单位" in demo
    for e in UnitEvaluation.objects.select_related("case__assigned_area", "evaluator", "area"):
        pair = rules.pair_of(e.case, e.unit_id)
        assert pair is not None and pair.replied and rules.may_rate_unit(e.evaluator, pair)
        assert e.area_code == e.area.code and e.created_at > pair.event.at
    for e in DispatchEvaluation.objects.select_related("case__assigned_area", "evaluator"):
        pair = rules.pair_of(e.case, e.unit_id)
        assert pair is not None and rules.may_rate_dispatch(e.evaluator, pair)
        assert e.created_at > pair.event.at
