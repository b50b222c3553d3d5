"""The worker makes a queued report, moving its progress; the schedule queues last month's once;
asking twice queues once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.core.jobs import tasks
from grassroots.reports import content, services
from grassroots.reports.models import MonthlyReport
from tests.reports.conftest import pdf_text, run_all, sheet

S = MonthlyReport.Status


def test_the_task_is_registered():
    assert tasks()["reports.monthly"] is services.reports_task


def test_the_worker_makes_a_queued_report_with_progress(tree, march, monkeypatch):
    report, created = services.report_request(area=tree.streets[0], month="2026-03",
                                              actor=tree.user("street_admin_1"))
    assert created and report.status == S.QUEUED and report.progress == 0
    seen = []
    build = content.build

    def watched(area, month, *, progress):
        def step(pct, stage):
            progress(pct, stage)
            row = MonthlyReport.objects.get(pk=report.pk)
            seen.append((row.status, row.progress, row.stage))
        return build(area, month, progress=step)

    monkeypatch.setattr(content, "build", watched)
    assert services.reports_task("w1") is True
    report.refresh_from_db()
    assert report.status == S.DONE and report.progress == 100 and report.finished_at is not None
    assert [p for _s, p, _t in seen] == sorted(p for _s, p, _t in seen) and len(seen) >= 4
    assert all(s == S.RUNNING and 0 < p < 100 for s, p, _t in seen)
    assert report.claimed_by == "w1" and report.attempts == 1 and report.error == ""
    assert report.summary["received"] == 11 and report.summary["score"] == pytest.approx(65.64)
    assert sheet(report.xlsx.read(), "主要指标")[1][1] == 11
    report.pdf.open("rb")
    assert "共受理群众诉求 11 件" in pdf_text(report.pdf.read())


def test_a_failure_is_said_in_chinese_and_can_be_asked_again(tree, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(content, "build", broken)
    report, _ = services.report_request(area=tree.streets[0], month="2026-03", actor=tree.user("street_admin_1"))
    assert run_all() == 1
    report.refresh_from_db()
    assert report.status == S.FAILED and "生成失败" in report.error and "数据库连接中断" in report.error
    monkeypatch.undo()
    again, created = services.report_request(area=tree.streets[0], month="2026-03",
                                            actor=tree.user("street_admin_1"))
    assert created and again.pk == report.pk and again.status == S.QUEUED and again.error == ""
    assert run_all() == 1
    again.refresh_from_db()
    assert again.status == S.DONE


def test_asking_twice_queues_once(tree):
    admin = tree.user("street_admin_1")
    first, created = services.report_request(area=tree.streets[0], month="2026-03", actor=admin)
    second, again = services.report_request(area=tree.streets[0], month="2026-03", actor=admin)
    assert created and not again and first.pk == second.pk
    assert MonthlyReport.objects.count() == 1 and run_all() == 1 and run_all() == 0


def test_a_done_report_is_made_again_on_request_and_keeps_one_set_of_files(tree, march, settings):
    admin = tree.user("street_admin_1")
    report, _ = services.report_request(area=tree.streets[0], month="2026-03", actor=admin)
    run_all()
    report.refresh_from_db()
    old = report.pdf.name
    services.report_request(area=tree.streets[0], month="2026-03", actor=admin)
    run_all()
    report.refresh_from_db()
    assert report.status == S.DONE and report.pdf.name != old
    files = sorted(p.name for p in (settings.MEDIA_ROOT / "reports" / "monthly").iterdir())
    assert files == sorted([report.pdf.name.rsplit("/", 1)[1], report.xlsx.name.rsplit("/", 1)[1]])


def test_the_schedule_queues_last_month_once_for_every_street_and_district(tree):
    assert services.reports_schedule(today=date(2026, 4, 1)) == 3
    assert services.reports_schedule(today=date(2026, 4, 20)) == 0
    rows = MonthlyReport.objects.order_by("area__code")
    assert [(r.area.name, r.month, r.scheduled, r.requested_by) for r in rows] == [
        ("张湾区", "2026-03", True, None), ("测试街道1", "2026-03", True, None), ("测试街道2", "2026-03", True, None)]
    assert run_all() == 3 and services.reports_schedule(today=date(2026, 4, 30)) == 0  # done: not again
    assert services.reports_schedule(today=date(2026, 5, 1)) == 3  # a new month


def test_the_schedule_leaves_a_report_someone_asked_for(tree):
    services.report_request(area=tree.streets[0], month="2026-03", actor=tree.user("street_admin_1"),
                            today=date(2026, 4, 1))
    assert services.reports_schedule(today=date(2026, 4, 1)) == 2
    assert MonthlyReport.objects.get(area=tree.streets[0]).requested_by == tree.user("street_admin_1")


def test_the_task_schedules_when_idle(tree):
    assert services.reports_task("w1") is True  # nothing waiting: last month's are queued
    assert MonthlyReport.objects.filter(status=S.QUEUED).count() == 3
    assert services.reports_task("w1") is True  # and made one by one


@pytest.mark.parametrize(("area", "month", "key", "message"), [
    ("street", "2026-3", "month", "格式不对，应为 YYYY-MM"),
    ("street", "2099-01", "month", "还没有开始"),
    ("community", "2026-03", "area", "请选择街道或区县"),
])
def test_bad_requests_are_refused_in_chinese(tree, area, month, key, message):
    place = tree.streets[0] if area == "street" else tree.communities[0]
    with pytest.raises(ValidationError) as caught:
        services.report_request(area=place, month=month, actor=tree.user("district_admin"))
    assert message in caught.value.message_dict[key][0]


def test_only_the_areas_people_may_ask(tree):
    with pytest.raises(PermissionDenied):
        services.report_request(area=tree.streets[1], month="2026-03", actor=tree.user("street_admin_1"))
    assert not MonthlyReport.objects.exists()
