"""The retention task: personal data of cases closed more than N years ago is removed, once; the KPIs
do not move."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from grassroots.assessment import rollups
from grassroots.assessment.models import CategoryDay, KpiDay
from grassroots.assessment.periods import TZ
from grassroots.cases.models import Case
from grassroots.core.jobs import _TASKS
from grassroots.privacy.models import AnonymisedCase
from grassroots.privacy.services import retention_run

from .conftest import T0

pytestmark = pytest.mark.django_db


def kpi_rows():
    return (sorted(KpiDay.objects.values_list(), key=str), sorted(CategoryDay.objects.values_list(), key=str))


def test_old_closed_cases_lose_personal_data_and_kpis_stay(tree, me, closed_case, settings):
    settings.GRASSROOTS_RETENTION_YEARS = 3
    old = closed_case(user=me, person=me.person, at=T0)
    recent = closed_case(user=me, person=me.person, at=T0 + timedelta(days=365 * 2))
    open_old = closed_case(at=T0, status=Case.Status.IN_PROGRESS)
    before = kpi_rows()
    assert rollups.rebuild("420303", write=False).differences == []
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=TZ), tick=False):
        assert retention_run(batch=1) == 1
        assert retention_run(batch=1) == 0  # idempotent: nothing more is due
    old.refresh_from_db()
    recent.refresh_from_db()
    open_old.refresh_from_db()
    assert (old.contact_name_enc, old.contact_phone_masked, old.address, old.reporter_id) == ("", "", "", None)
    assert (old.title, old.body, old.area_id, old.category_id, old.created_at, old.closed_at, old.status) == (
        "楼道灯不亮", "楼道灯不亮，请尽快处理。", tree.grid("A").pk, None, T0, T0 + timedelta(hours=44), "closed")
    assert recent.address and recent.contact_phone_masked and open_old.address
    assert kpi_rows() == before
    assert rollups.rebuild("420303", write=False).differences == []
    assert AnonymisedCase.objects.get().case_id == old.pk


def test_the_years_are_a_setting(tree, closed_case, settings):
    case = closed_case(at=T0)
    settings.GRASSROOTS_RETENTION_YEARS = 5
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=TZ), tick=False):
        assert retention_run() == 0
    settings.GRASSROOTS_RETENTION_YEARS = 1
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=TZ), tick=False):
        assert retention_run() == 1
    case.refresh_from_db()
    assert case.address == ""


def test_command_and_worker_task(tree, closed_case, capsys):
    for _ in range(3):
        closed_case(at=T0)
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=TZ), tick=False):
        call_command("privacy_retention", batch=2)
        assert "已匿名化 3 件诉求" in capsys.readouterr().out
        assert _TASKS["privacy.retention"]("w1") is False  # nothing left: the worker rests
    assert Case.objects.filter(address="").count() == 3
