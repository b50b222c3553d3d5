"""The quarterly feedback to employer units: per unit its members, branch, posts, verified hours and
cases taken in the quarter, a random-check list; .xlsx and PDF made by the worker, on demand or on
schedule, the same files when run again."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grassroots.service import feedback
from grassroots.service.models import FeedbackJob, ServiceRecord
from grassroots.service.services import member_register, member_registration_decide, service_record_submit

from .conftest import identity

pytestmark = pytest.mark.django_db


def test_quarters():
    assert feedback.quarter_of(date(2026, 12, 3)) == "2026-Q4"
    assert feedback.previous_quarter(date(2026, 1, 5)) == "2025-Q4"
    assert feedback.quarter_bounds("2026-Q3") == (date(2026, 7, 1), date(2026, 10, 1))
    assert feedback.quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    for bad in ("2026-Q5", "2026Q1", "", "abcd-Q1"):
        with pytest.raises(ValidationError):
            feedback.quarter_bounds(bad)


@pytest.fixture
def served(world, member, posts):
    """Grid A's member registered, on two posts, with 2.5 verified hours and one waiting record."""
    user, pm = member
    worker = world.tree.user("community_worker_1")
    reg = member_register(user=user, community=world.tree.communities[0], household=world.residents["A"].household,
                          posts=[posts["接单岗"], posts["政策宣传岗"]], **identity(pm))
    reg = member_registration_decide(registration=reg, actor=worker, approve=True)
    today = timezone.localdate()
    done = service_record_submit(registration=reg, actor=user, what="入户宣传", served_on=today, hours="2.5")
    service_record_submit(registration=reg, actor=user, what="清理楼道", served_on=today, hours="1")
    ServiceRecord.objects.filter(pk=done.pk).update(status="verified")
    return reg


def test_the_quarter_per_employer_unit(world, served):
    parts = feedback.build(world.tree.communities[0], feedback.quarter_of(timezone.localdate()))
    (part,) = parts
    assert part.unit_name == "区住建局" and part.party_org == "区住建局机关党支部"
    (line,) = part.lines
    assert line.name == "居民1" and line.branch == "网格A党支部" and line.hours == 2.5 and line.records == 1
    assert set(line.posts.split("、")) == {"接单岗", "政策宣传岗"} and line.phone.count("*") == 4
    assert [c["name"] for c in part.random_check] == ["居民1"]  # at least two, at most everyone
    assert feedback.build(world.tree.communities[0], "2020-Q1") == []


def test_a_job_makes_the_xlsx_and_the_pdf_and_the_schedule_queues_the_last_quarter(world, served, tmp_path):
    quarter = feedback.quarter_of(timezone.localdate())
    job, created = feedback.feedback_request(community=world.tree.communities[0], quarter=quarter,
                                             actor=world.tree.user("community_worker_1"))
    again, created_again = feedback.feedback_request(community=world.tree.communities[0], quarter=quarter)
    assert created and not created_again and again.pk == job.pk  # a double click queues one job
    assert feedback.feedback_task("w1") is True
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.processed_rows == 1, job.error
    book = openpyxl.load_workbook(io.BytesIO(job.xlsx.read()))
    assert book.sheetnames == ["汇总", "区住建局"]
    rows = [[c.value for c in r] for r in book["区住建局"].iter_rows()]
    assert rows[1][:3] == ["姓名", "联系电话", "编入党支部"] and rows[2][0] == "居民1" and rows[2][5] == 2.5
    assert any(r[0] == "随机抽查名单（请单位党组织电话回访）" for r in rows)
    pdf = pypdfium2.PdfDocument(job.pdf.read())
    try:
        assert len(pdf) == 2
        text = pdf[1].get_textpage().get_text_range()
        assert "区住建局机关党支部" in text and "随机抽查名单" in text and "居民1" in text
    finally:
        pdf.close()
    report = job.reports.get()
    assert report.members == 1 and report.hours == 2.5 and report.random_check[0]["name"] == "居民1"
    # The worker's schedule queues the quarter just ended, once (this quarter's was asked for already).
    _start, next_start = feedback.quarter_bounds(quarter)
    after_next = feedback.quarter_bounds(feedback.quarter_of(next_start))[1]
    assert feedback.feedback_schedule(today=next_start + timedelta(days=1)) == 0
    assert feedback.feedback_schedule(today=after_next + timedelta(days=1)) == 1
    assert feedback.feedback_schedule(today=after_next + timedelta(days=1)) == 0
    assert FeedbackJob.objects.filter(quarter=feedback.quarter_of(next_start), requested_by__isnull=True).count() == 1


def test_a_failed_job_says_why(world, served, monkeypatch):
    def broken(*args):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(feedback, "pdf_bytes", broken)
    job, _ = feedback.feedback_request(community=world.tree.communities[0], quarter="2026-Q4")
    feedback.feedback_run(job)
    job.refresh_from_db()
    assert job.status == "failed" and "磁盘已满" in job.error and not job.xlsx
