"""What a report says, read back from its files: the .xlsx with openpyxl, the PDF's text with pypdfium2."""

from __future__ import annotations

import pytest

from grassroots.assessment.selectors import area_ranking
from grassroots.reports import content, render
from grassroots.reports.months import month_period
from tests.reports.conftest import pdf_text, sheet, sheet_names


@pytest.fixture
def street1(tree, march):
    return content.build(tree.streets[0], "2026-03")


def test_kpis_of_the_month_and_the_month_before(tree, street1):
    rows = {r[0]: r[1:] for r in sheet(render.xlsx_bytes(street1), "主要指标")}
    assert rows["受理诉求（件）"] == [11, 2, "+9"]
    assert rows["计入考核（件）"] == [9, 2, "+7"]
    assert rows["超期（件）"] == [2, 0, "+2"]
    # the street's own composite is the assessment's, to the hundredth of a point
    own = area_ranking(user=tree.user("district_admin"), area=tree.streets[0], period=month_period("2026-03"))
    assert rows["综合得分"][0] == pytest.approx(round(own.totals.composite * 100, 2))
    assert rows["综合得分"][1] == pytest.approx(55.0)  # February: (100 + 10) / 2


def test_communities_ranked_with_the_change_since_last_month(street1):
    ranking = sheet(render.xlsx_bytes(street1), "各社区排名")
    assert ranking[0][:3] == ["名次", "名称", "受理"]
    by_name = {r[1]: r for r in ranking[1:]}
    one, two = by_name["测试社区1-1"], by_name["测试社区1-2"]
    assert (two[0], two[9], two[10], two[11], two[12]) == (1, 100.0, 2, 10.0, 1)  # up one place, +90 points
    assert (one[0], one[9], one[10], one[11], one[12]) == (2, 60.25, 1, 100.0, -1)
    assert one[13] == pytest.approx(-39.75)


def test_units_ranked(street1):
    units = sheet(render.xlsx_bytes(street1), "承办单位排名")
    assert [r[1] for r in units[1:]] == ["阳光物业", "区住建局"]
    assert units[2][10] == 1  # 区住建局 was first (and alone) in February


def test_days_count_received_closed_and_missed_deadlines(street1):
    days = {r[0].day: r[1:] for r in sheet(render.xlsx_bytes(street1), "每日诉求")[1:]}
    assert len(days) == 31
    assert days[10] == [11, 0, 0]  # every case of the example was received on 10 March
    assert days[11][1] == 2 and days[12][1:] == [2, 2] and days[15][1] == 1  # closed; a3 and a4 ran late
    assert sum(d[1] for d in days.values()) == 5


def test_the_pdf_says_the_same(street1):
    text = pdf_text(render.pdf_bytes(street1))
    for expected in ("测试街道1基层治理月度报告（2026年3月）", "2026-03-01 至 2026-03-31", "共受理群众诉求 11 件",
                     "各社区综合得分", "测试社区1-2", "60.25", "↑1", "↓1", "阳光物业", "本月没有立项的每月一题",
                     "为民办实事"):
        assert expected in text.replace("\r", "").replace("\n", ""), expected


def test_problems_and_practical_matters_of_the_month(tree, street2_month):
    data = content.build(street2_month, "2026-03")
    assert data.totals.received == 6 and sum(d.received for d in data.days) == 6
    book = render.xlsx_bytes(data)
    assert [r[1] for r in sheet(book, "每月一题")[1:]] == ["老旧小区路灯整治"]  # not February's
    rising = sheet(book, "上升问题")[1:]
    assert [(r[0], r[3]) for r in rising] == [("测试社区2-1", 6)]
    clusters = sheet(book, "多发问题")[1:]
    assert [(r[0], r[2], r[3]) for r in clusters] == [("小区路灯不亮", 6, 2)]
    practical = {r[3]: r for r in sheet(book, "为民办实事")[1:]}
    assert set(practical) == {"加装电梯协商", "助餐点建设"}  # not done in February, not dropped
    assert practical["加装电梯协商"][1:3] == ["测试街道2", "测试社区2-1"]
    assert practical["加装电梯协商"][6:] == [40, "推进中", None, "是", "已完成意见征集"]  # late by now (its deadline
    # was 30 June; the tests run later)
    assert practical["助餐点建设"][6:9] == [100, "已完成", "是"]
    district = content._practical(tree.district, month_period("2026-03"))  # the same items, by street
    assert sorted((p.street, p.title) for p in district) == [("测试街道2", "加装电梯协商"), ("测试街道2", "助餐点建设")]
    text = pdf_text(render.pdf_bytes(data)).replace("\r", "").replace("\n", "")
    for expected in ("老旧小区路灯整治", "小区路灯不亮", "加装电梯协商", "其中本月办结 1 项"):
        assert expected in text, expected


def test_a_district_ranks_streets_and_communities(tree, march):
    data = content.build(tree.district, "2026-03")
    book = render.xlsx_bytes(data)
    assert {"各街道排名", "各社区排名", "承办单位排名"} <= set(sheet_names(book))
    streets = sheet(book, "各街道排名")[1:]
    assert [r[1] for r in streets] == ["测试街道1", "测试街道2"]
    assert streets[1][0] is None  # no case: no composite, no rank
    assert "在全区" not in render.headline(data)


def test_a_street_is_placed_among_the_districts_streets(tree, march):
    data = content.build(tree.streets[0], "2026-03")
    assert "在全区 2 个街道中排第 1 名，与上月持平" in render.headline(data)


def test_an_empty_month_still_makes_both_files(tree):
    data = content.build(tree.streets[1], "2025-01")
    assert "本月没有明显上升的问题" in pdf_text(render.pdf_bytes(data))
    assert sheet(render.xlsx_bytes(data), "主要指标")[1] == ["受理诉求（件）", 0, 0, "持平"]


def test_the_pdf_renders_as_pages(tmp_path, street2_month, march, tree):
    """Each page renders; set REPORTS_PNG_DIR to keep the images and look at the layout."""
    import os

    import pypdfium2

    out = os.environ.get("REPORTS_PNG_DIR") or tmp_path
    for area in (tree.streets[0], street2_month):
        pdf = pypdfium2.PdfDocument(render.pdf_bytes(content.build(area, "2026-03")))
        assert 2 <= len(pdf) <= 8
        for i in range(len(pdf)):
            image = pdf[i].render(scale=1.4).to_pil()
            assert image.convert("L").getextrema()[0] < 100  # something is drawn
            image.save(f"{out}/{area.code}-{i + 1}.png")
        pdf.close()
