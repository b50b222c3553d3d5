"""What the ranking pages and their exports show."""

import json
import re
from datetime import date

import pytest
from django.utils import timezone

from grassroots.assessment.periods import default_preset
from grassroots.cases.models import CaseEvent, WhistleTask
from grassroots.orgs.models import Unit, UnitKind
from tests.assessment.factories import S, put_case
from tests.assessment.util import MARCH_Q, sheet_rows


@pytest.fixture
def admin(client_as, tree):
    return client_as(tree.user("district_admin"))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_community_page(client_as, tree, hand):
    html = page(client_as(tree.user("community_worker_1")), f"/assessment/?{MARCH_Q}")
    assert "测试社区1-1（社区/村）本级情况" in html
    assert 'data-kpi="composite">60.25<' in html and 'data-kpi="response_rate">62.5%<' in html
    assert "统计区间" in html and "2026-03-01 至 2026-03-31" in html
    chart = json.loads(re.search(r'<script id="kpi-chart-data" type="application/json">(.*?)</script>', html).group(1))
    assert [(c["name"], c["score"]) for c in chart] == [("网格2", 100.0), ("网格1", 51.33)]
    assert chart[0]["url"] == f"/assessment/?area={tree.grid('B').code}&start=2026-03-01&end=2026-04-01"
    assert f'href="/assessment/?area={tree.grid("A").code}&amp;start=2026-03-01' in html  # drill down
    assert "未定位到网格/小区" in html and "1 件诉求只定位到本级" in html
    assert "0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率" in html
    assert "/static/vendor/echarts/echarts.min.js" in html and "assessment/assessment.css" in html


def test_no_cases_shows_dashes_not_zero(client_as, tree):
    html = page(client_as(tree.user("community_worker_1")), "/assessment/")
    assert 'data-kpi="response_rate">—<' in html and 'data-kpi="composite">—<' in html
    assert "0.0%" not in html
    assert "该区间没有计入考核的诉求" in html


def test_no_rated_cases_says_so(client_as, tree):
    put_case(tree.grid("A"), status=S.VERIFIED, responded=1, replied=2)
    html = page(client_as(tree.user("community_worker_1")), f"/assessment/?{MARCH_Q}")
    assert 'data-kpi="satisfaction_rate">—<' in html and 'data-kpi="resolution_rate">100.0%<' in html
    assert "还没有已评价的诉求" in html


def test_period_presets_and_a_bad_range(admin):
    html = page(admin, "/assessment/?period=last_month")
    assert re.search(r'class="button primary" href="[^"]*period=last_month[^"]*" aria-current="true">上月', html)
    html = page(admin, "/assessment/?start=2026-05-01&end=2026-04-01")
    assert "结束日期应晚于开始日期" in html  # and the page falls back to the default period
    default = default_preset(timezone.localdate())
    label = {"month": "本月", "last_month": "上月"}[default]
    assert re.search(rf'class="button primary" href="[^"]*period={default}[^"]*" aria-current="true">{label}', html)


def test_default_period_is_last_month_in_a_months_first_days():
    assert default_preset(date(2026, 12, 1)) == default_preset(date(2026, 12, 5)) == "last_month"
    assert default_preset(date(2026, 12, 6)) == default_preset(date(2026, 12, 31)) == "month"


def test_district_page_offers_every_level(admin, tree, hand):
    html = page(admin, f"/assessment/?{MARCH_Q}")
    assert "各街道/乡镇综合得分排名" in html and "网格/小区</a>" in html
    html = page(admin, f"/assessment/?level=grid&{MARCH_Q}")
    assert "各网格/小区综合得分排名" in html and html.count('<tr data-key="') == 9  # 8 grids + c0


def test_export(admin, tree, hand):
    response = admin.get(f"/assessment/export.xlsx?area={tree.communities[0].code}&{MARCH_Q}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    assert rows[0][0] == "测试社区1-1网格/小区排名（接诉即办考核）"
    assert "2026-03-01 至 2026-03-31" in rows[1][0]
    assert rows[2][0].startswith("综合得分 = 0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率")
    assert "0.9 × 基本满意" in rows[2][0]
    header = rows[5]
    assert header[:3] == ["排名", "名称", "上报件数"] and "满意率" in header and "综合得分（百分制）" in header
    body = {r[1]: dict(zip(header, r, strict=True)) for r in rows[6:]}
    assert body["测试社区1-1"]["排名"] == "本级" and body["测试社区1-1"]["上报件数"] == 10
    assert body["网格2"]["排名"] == 1 and body["网格1"]["排名"] == 2
    assert body["网格1"]["响应率"] == pytest.approx(0.6)
    assert body["网格1"]["综合得分（百分制）"] == pytest.approx(51.3333, abs=1e-3)
    assert body["未定位到网格/小区"]["满意率"] == "—"
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["排名", "计算口径"]
    assert book["排名"]["G8"].number_format == "0.0%"
    notes = " ".join(str(c) for r in book["计算口径"].iter_rows(values_only=True) for c in r)
    assert "不予受理" in notes and "牵头单位" in notes


def test_export_uses_edited_weights(admin, tree, hand):
    from grassroots.assessment.services import kpi_settings_update

    kpi_settings_update(district_code=tree.district.code, actor=tree.user("district_admin"), response_weight="0.2",
                        resolution_weight="0.3", satisfaction_weight="0.5", basic_factor="0.9", response_hours=24)
    rows = sheet_rows(admin.get(f"/assessment/export.xlsx?{MARCH_Q}").content)
    assert rows[2][0].startswith("综合得分 = 0.2 × 响应率 + 0.3 × 解决率 + 0.5 × 满意率")


def test_units_page_counts_assisting_whistle_tasks(admin, tree, hand):
    a1 = hand["a1"]
    event = CaseEvent.objects.create(case=a1, action="whistle", from_status=S.ACCEPTED, to_status=S.WHISTLED,
                                     district_code=a1.district_code)
    for unit, role in ((tree.units["dept"], "lead"), (tree.units["property"], "assist")):
        WhistleTask.objects.create(case=a1, event=event, unit=unit, role=role, task="修复路灯",
                                   deadline=a1.created_at + (a1.replied_at - a1.created_at) * 2,
                                   replied_at=a1.replied_at, status="replied", district_code=a1.district_code)
    html = page(admin, f"/assessment/units/?{MARCH_Q}")
    assert "承办单位综合得分排名" in html and "协办任务" in html
    row = re.search(rf'<tr data-key="{tree.units["property"].pk}">(.*?)</tr>', html, re.S).group(1)
    assert "物业公司" in row and ">1<" in row and "100.0%" in row
    rows = sheet_rows(admin.get(f"/assessment/units/export.xlsx?{MARCH_Q}").content)
    header = rows[5]
    prop = next(dict(zip(header, r, strict=True)) for r in rows if r[1] == "阳光物业")
    assert prop["协办任务数"] == 1 and prop["协办按时回复率"] == 1


def test_names_are_escaped_and_never_formulas(admin, tree):
    unit = Unit.objects.create(name='=HYPERLINK("x")<script>', kind=UnitKind.SOCIAL, area=tree.district)
    put_case(tree.grid("A"), status=S.CLOSED, responded=1, replied=2, rating="satisfied", unit=unit)
    html = page(admin, f"/assessment/units/?{MARCH_Q}")
    assert "<script>" not in html.split("<main", 1)[1].split("kpi-chart-data")[0]
    assert "&lt;script&gt;" in html
    book_rows = sheet_rows(admin.get(f"/assessment/units/export.xlsx?{MARCH_Q}").content)
    assert any(r[1] == '=HYPERLINK("x")<script>' for r in book_rows)
