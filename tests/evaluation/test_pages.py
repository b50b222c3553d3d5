"""The case page's panel, the rating posts, the ranking pages, the waiting list and the export."""

from __future__ import annotations

import io

import openpyxl

from grassroots.evaluation.models import DispatchEvaluation, UnitEvaluation
from grassroots.evaluation.services import dispatch_evaluation_create, unit_evaluation_create

UNIT_FORM = {"speed": "5", "attitude": "4", "result": "3", "comment": "很及时"}
DISPATCH_FORM = {"clear": "4", "owner": "5", "deadline": "2", "comment": "时限太紧"}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_case_panel_offers_the_dispatcher_a_form_after_the_reply(client_as, tree, dispatched):
    client = client_as(tree.user("community_worker_1"))
    url = f"/cases/{dispatched.pk}/"
    html = page(client, url)
    assert 'id="evaluation"' in html and "答复后可评价其办理" in html
    assert f"/evaluation/cases/{dispatched.pk}/units/" not in html
    from tests.evaluation.conftest import reply
    reply(dispatched, by=tree.user("dept_handler"))
    html = page(client, url)
    assert "评价承办单位：区住建局" in html and f"/evaluation/cases/{dispatched.pk}/units/{tree.units['dept'].pk}/" in html

    response = client.post(f"/evaluation/cases/{dispatched.pk}/units/{tree.units['dept'].pk}/", UNIT_FORM, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/cases/{dispatched.pk}/#evaluation")
    assert "已评价承办单位的办理" in html and "测试社区1-1 → 区住建局" in html and "很及时" in html
    assert "评价承办单位：区住建局" not in html
    row = UnitEvaluation.objects.get()
    assert (row.speed, row.attitude, row.result) == (5, 4, 3)

    again = client.post(f"/evaluation/cases/{dispatched.pk}/units/{tree.units['dept'].pk}/",
                        {**UNIT_FORM, "speed": "1"}, follow=True).content.decode()
    assert "已评价过，不能重复评价" in again
    assert UnitEvaluation.objects.get().speed == 5


def test_case_panel_offers_the_unit_the_dispatch_form(client_as, tree, dispatched):
    client = client_as(tree.user("dept_handler"))
    html = page(client, f"/cases/{dispatched.pk}/")
    assert "评价测试社区1-1的派单" in html
    response = client.post(f"/evaluation/cases/{dispatched.pk}/dispatches/{tree.units['dept'].pk}/",
                           {**DISPATCH_FORM, "deadline": "9"}, follow=True)
    assert "时限合理请选择 1–5 分" in response.content.decode()
    assert not DispatchEvaluation.objects.exists()
    client.post(f"/evaluation/cases/{dispatched.pk}/dispatches/{tree.units['dept'].pk}/", DISPATCH_FORM)
    html = page(client, f"/cases/{dispatched.pk}/")
    assert "区住建局 → 测试社区1-1" in html and "时限太紧" in html and "评价测试社区1-1的派单" not in html


def test_panel_hidden_when_nothing_to_show(client_as, tree, dispatched):
    html = page(client_as(tree.user("grid_worker_A")), f"/cases/{dispatched.pk}/")
    assert 'id="evaluation"' not in html


def test_grid_worker_who_sees_the_case_is_refused_with_403(client_as, tree, replied):
    response = client_as(tree.user("grid_worker_A")).post(
        f"/evaluation/cases/{replied.pk}/units/{tree.units['dept'].pk}/", UNIT_FORM)
    assert response.status_code == 403
    assert not UnitEvaluation.objects.exists()


def test_rankings_pages_and_waiting_list(client_as, tree, replied):
    worker = client_as(tree.user("community_worker_1"))
    waiting = page(worker, "/evaluation/awaiting/")
    assert replied.code in waiting and "测试社区1-1 → 区住建局" in waiting
    response = worker.post(f"/evaluation/cases/{replied.pk}/units/{tree.units['dept'].pk}/",
                           {**UNIT_FORM, "next": "/evaluation/awaiting/"})
    assert response.status_code == 302 and response.url == "/evaluation/awaiting/"
    assert replied.code not in page(worker, "/evaluation/awaiting/")

    html = page(worker, "/evaluation/")
    assert "区住建局" in html and "75.0" in html  # (5+4+3)/3 = 4 → 75
    assert "（三项平均分的平均 − 1）÷ 4 × 100" in html

    handler = client_as(tree.user("dept_handler"))
    assert replied.code in page(handler, "/evaluation/awaiting/")
    handler.post(f"/evaluation/cases/{replied.pk}/dispatches/{tree.units['dept'].pk}/", DISPATCH_FORM)
    html = page(handler, "/evaluation/dispatches/?level=street")
    assert "测试街道1" in html and "66.7" in html  # (4+5+2)/3 = 3.667 → (3.667 − 1) / 4 × 100
    assert "测试社区1-1" in page(handler, "/evaluation/dispatches/?level=community")
    assert replied.code not in page(handler, "/evaluation/awaiting/")


def test_bad_period_is_told_in_chinese(client_as, tree):
    answer = client_as(tree.user("community_worker_1")).get("/evaluation/?start=2026-02-30")
    assert answer.status_code == 400  # this month's ranking, with the message
    assert "开始日期“2026-02-30”格式不对，应为 YYYY-MM-DD，如 2026-03-01" in answer.content.decode()


def test_no_role_no_page(client_as, tree):
    assert client_as(tree.user("nobody")).get("/evaluation/").status_code == 403


def test_nav_links_to_the_rankings(client_as, tree):
    assert 'href="/evaluation/"' in page(client_as(tree.user("dept_handler")), "/")
    assert 'href="/evaluation/"' in page(client_as(tree.user("street_admin_1")), "/")


def rows_of(content: bytes, sheet: str) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def test_export_has_both_rankings(client_as, tree, replied, other_street_case, people):
    dept = tree.units["dept"]
    unit_evaluation_create(case=replied, unit=dept, actor=tree.user("community_worker_1"), speed=5, attitude=4,
                           result=3)
    dispatch_evaluation_create(case=replied, unit=dept, actor=tree.user("dept_handler"), clear=5, owner=5, deadline=5)
    unit_evaluation_create(case=other_street_case, unit=dept, actor=people["community_worker_3"], speed=1,
                           attitude=1, result=1)
    response = client_as(tree.user("street_admin_1")).get("/evaluation/export.xlsx?level=street")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    units = rows_of(response.content, "承办单位评价排名")
    assert units == [["排名", "承办单位", "评价数", "办理速度", "服务态度", "办理结果", "得分（0–100）"],
                     [1, "区住建局", 1, 5, 4, 3, 75]]  # street 2's (1, 1, 1) is not street 1's
    areas = rows_of(response.content, "派单评价排名")
    assert areas[1] == [1, "测试街道1", tree.streets[0].code, 1, 5, 5, 5, 100]
    assert len(areas) == 2


def test_pages_in_english(client_as, tree, replied, settings):
    client = client_as(tree.user("community_worker_1"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, "/evaluation/")
    for words in ("Two-way evaluation", "Unit ranking", "Awaiting my evaluation", "Export to Excel"):
        assert words in html, words
    assert "承办单位排名" not in html
    case_html = page(client, f"/cases/{replied.pk}/")
    assert "Handling speed" in case_html
