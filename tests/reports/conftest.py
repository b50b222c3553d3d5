"""A hand-built March 2026 (docs/kpi.md's worked example in street 1, and a February before it),
problems of the month and practical matters in street 2; files in a temporary media root."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from django.core.cache import cache

from grassroots.assessment.periods import TZ
from grassroots.cases import hooks
from grassroots.cases.models import Case, Category, Channel, Rating
from grassroots.cases.services import case_create
from grassroots.deliberation.models import ProgressNote, Resolution
from grassroots.hotspots.models import MonthlyProblem
from grassroots.matching.models import Project
from grassroots.reports import services
from tests.assessment.factories import build_hand, put_case

S = Case.Status
FEB = datetime(2026, 2, 10, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    services._last_schedule[0] = None
    yield
    cache.clear()


@pytest.fixture
def march(tree):
    """The worked example (March; community 1 scores 60.25, community 2 100) and a February in which
    community 1 scored 100 and community 2 10: the two swap places."""
    cases = build_hand(tree)
    put_case(tree.grid("A"), at=FEB, status=S.CLOSED, responded=1, replied=5, rating=Rating.SATISFIED,
             unit=tree.units["dept"])
    put_case(tree.grid("C"), at=FEB, status=S.CLOSED, responded=1, replied=5, rating=Rating.UNSATISFIED,
             unit=tree.units["dept"])
    return cases


def move(case: Case, **fields) -> Case:
    """Write a case's fields as its history had them (and, as the engine's own writes do, let the
    daily KPI rollups follow the row)."""
    snapshot = getattr(hooks, "snapshot", None)
    before = snapshot(case) if snapshot else None
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    if before is not None:
        hooks.run_case_written(before, case)
    return case


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@pytest.fixture
def street2_month(tree):
    """Street 2 in March 2026: a rising problem that is also a cluster (6 alike cases of one category
    in grids E and F in the week of 16 March, none in the 8 weeks before), a problem of the month, and practical matters — one open
    with a note, one done in March, one done in February (not in the report), one dropped."""
    cat = Category.objects.filter(level=3).order_by("code").first()
    for i in range(6):
        case = case_create(title="小区路灯不亮", body="小区东门路灯坏了很久。", channel=Channel.RESIDENT_WEB,
                           area=tree.grid("EF"[i % 2]), category=cat)
        move(case, created_at=at(date(2026, 3, 16) + timedelta(days=i % 5), 9 + i))
    street = tree.streets[1]
    MonthlyProblem.objects.create(street=street, title="老旧小区路灯整治", source="rising", source_key="rising:x",
                                  lead_unit=tree.units["dept"], plan="排查并更换路灯", deadline=date(2026, 4, 30),
                                  month="2026-03", district_code=street.code[:6])
    MonthlyProblem.objects.create(street=street, title="二月的题目", source="rising", source_key="rising:y",
                                  lead_unit=tree.units["dept"], plan="……", deadline=date(2026, 3, 30),
                                  month="2026-02", district_code=street.code[:6])
    community = tree.communities[2]
    dc = community.code[:6]
    open_one = Resolution.objects.create(community=community, title="加装电梯协商", deadline=date(2026, 6, 30),
                                         progress=40, practical=True, created_at=at(date(2026, 3, 2)),
                                         district_code=dc)
    ProgressNote.objects.create(resolution=open_one, text="已完成意见征集", progress=40, at=at(date(2026, 3, 20)))
    Resolution.objects.create(community=community, title="二月办完的事", deadline=date(2026, 2, 20), progress=100,
                              status=Resolution.Status.DONE, done_at=at(date(2026, 2, 18)), practical=True,
                              created_at=at(date(2026, 1, 5)), district_code=dc)
    Resolution.objects.create(community=community, title="撤销的事", deadline=date(2026, 3, 20),
                              status=Resolution.Status.DROPPED, practical=True, created_at=at(date(2026, 3, 1)),
                              district_code=dc)
    Project.objects.create(community=community, title="助餐点建设", deadline=date(2026, 3, 25), progress=100,
                           status=Project.Status.DONE, done_at=at(date(2026, 3, 24)), practical=True,
                           owner_unit=tree.units["dept"], created_at=at(date(2026, 2, 1)), district_code=dc)
    return street


def sheet(content: bytes, title: str) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in book[title].iter_rows(values_only=True)]


def sheet_names(content: bytes) -> list[str]:
    return openpyxl.load_workbook(io.BytesIO(content)).sheetnames


def pdf_text(content: bytes) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def run_all(worker: str = "test") -> int:
    """Let the worker make every queued report; how many it made."""
    n = 0
    while (report := services.report_claim(worker=worker)) is not None:
        services.report_run(report=report)
        n += 1
    return n
