"""The pages: the list with last month's report one click away, 生成 (twice is harmless), the
progress that polls, the downloads; scope by page (another street's report: 404)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.reports.models import MonthlyReport
from grassroots.reports.months import previous_month
from tests.factories import make_user
from tests.reports.conftest import pdf_text, run_all

S = MonthlyReport.Status


@pytest.fixture
def street1_report(tree, march):
    from grassroots.reports.services import report_request

    report, _ = report_request(area=tree.streets[0], month="2026-03", actor=tree.user("street_admin_1"))
    run_all()
    report.refresh_from_db()
    return report


def test_a_street_admin_sees_their_street_only(client_as, tree):
    page = client_as(tree.user("street_admin_1")).get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "测试街道1" in html and "测试街道2" not in html and "张湾区" not in html
    assert f'value="{previous_month(timezone.localdate())}"' in html


def test_a_district_admin_sees_the_district_and_its_streets(client_as, tree):
    html = client_as(tree.user("district_admin")).get("/reports/").content.decode()
    assert all(name in html for name in ("张湾区", "测试街道1", "测试街道2"))


@pytest.mark.parametrize("who", ["community_worker_1", "grid_worker_A", "dept_handler", "nobody"])
def test_others_are_told_who_may(client_as, tree, who):
    page = client_as(tree.user(who)).get("/reports/")
    assert page.status_code == 403 and "只有街道、区级的管理员和领导" in page.content.decode()


def test_generate_twice_queues_once_and_the_page_polls_until_done(client_as, tree, march):
    client = client_as(tree.user("street_admin_1"))
    data = {"area": tree.streets[0].code, "month": "2026-03"}
    first = client.post("/reports/generate/", data)
    second = client.post("/reports/generate/", data)
    report = MonthlyReport.objects.get()
    assert first.url == second.url == f"/reports/{report.pk}/"
    page = client.get(first.url).content.decode()
    assert 'hx-trigger="every 1500ms"' in page and "<progress" in page and "排队中" in page
    run_all()
    partial = client.get(first.url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "打开PDF" in partial and "<progress" not in partial
    assert partial.lstrip().startswith('<div id="report-status"')  # the part HTMX swaps in, not the page


def test_downloads(client_as, tree, street1_report):
    client = client_as(tree.user("street_admin_1"))
    pdf = client.get(f"/reports/{street1_report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "共受理群众诉求 11 件" in pdf_text(b"".join(pdf.streaming_content))
    xlsx = client.get(f"/reports/{street1_report.pk}/xlsx/")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert client.get(f"/reports/{street1_report.pk}/doc/").status_code == 404
    listing = client.get("/reports/").content.decode()
    assert f"/reports/{street1_report.pk}/pdf/" in listing


@pytest.mark.parametrize("who", ["street_admin_2", "community_worker_1", "dept_handler"])
def test_another_places_report_is_a_404(client_as, tree, street1_report, who):
    user = tree.users.get(who) or make_user(who, Role.STREET_ADMIN, area=tree.streets[1])
    client = client_as(user)
    for url in (f"/reports/{street1_report.pk}/", f"/reports/{street1_report.pk}/pdf/",
                f"/reports/{street1_report.pk}/xlsx/"):
        assert client.get(url).status_code == 404, url
    assert client.post("/reports/generate/", {"area": tree.streets[0].code, "month": "2026-04"}).status_code == 404
    assert client.post("/reports/generate/", {"area": tree.district.code, "month": "2026-04"}).status_code == 404
    assert MonthlyReport.objects.count() == 1


def test_a_leader_of_the_district_reads_a_streets_report(client_as, tree, street1_report):
    leader = make_user("leader", Role.LEADER, area=tree.district)
    client = client_as(leader)
    assert client.get(f"/reports/{street1_report.pk}/pdf/").status_code == 200
    assert "上月报告" in client.get("/reports/").content.decode()


def test_a_bad_month_is_said_in_chinese(client_as, tree):
    client = client_as(tree.user("street_admin_1"))
    page = client.post("/reports/generate/", {"area": tree.streets[0].code, "month": "三月"}, follow=True)
    assert "月份“三月”格式不对，应为 YYYY-MM" in page.content.decode()
    assert not MonthlyReport.objects.exists()


def test_the_menu_offers_the_reports(client_as, tree):
    assert 'href="/reports/"' in client_as(tree.user("street_admin_1")).get("/").content.decode()
    assert 'href="/reports/"' not in client_as(tree.user("dept_handler")).get("/").content.decode()


def test_english(client_as, tree, street1_report):
    client = client_as(tree.user("street_admin_1"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/reports/").content.decode()
    assert "Last month&#x27;s report" in html or "Last month's report" in html
    assert "Generated reports" in html
    detail = client.get(f"/reports/{street1_report.pk}/").content.decode()
    assert "monthly report 3/2026" in detail and "Download Excel" in detail and "Cases received" in detail
