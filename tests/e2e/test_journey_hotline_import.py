"""A district dispatcher imports a 12345 export made of real citizen messages: uploads it, checks the
proposed column mapping, reads the error table (nothing imported), uploads the corrected file, watches
the progress and finds the result — then imports the same file again and nothing is duplicated.

The live server runs no background worker: the test runs the queued job itself, with the service that
``grassroots worker`` calls, while the page keeps polling.
"""

import re

import pytest

from grassroots.cases.models import Case
from grassroots.intake.hotline import hotline_run_next
from grassroots.intake.models import HotlineImport
from tests.e2e.conftest import menu
from tests.factories import PASSWORD, build_tree
from tests.intake.conftest import HEADERS, csv_bytes, hotline_rows, xlsx_bytes

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, live_server, name: str, content: bytes, mime: str) -> None:
    page.goto(f"{live_server.url}/intake/hotline/")
    page.locator("input[type=file]").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    page.locator(".intake-upload button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/intake/hotline/\d+/mapping/$"))


def confirm_mapping(page) -> None:
    page.locator("button", has_text="确认并开始导入").click()
    page.wait_for_url(re.compile(r".*/intake/hotline/\d+/$"))
    assert "等待后台处理" in page.locator("#job-status").inner_text()


def test_hotline_import_journey(live_server, transactional_db, settings, tmp_path, page, screenshot_dir):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = build_tree()
    rows = hotline_rows(tree, 40)
    rows[6][3] = "0719-12"  # Excel row 8: a phone number that is too short
    rows[11][8], rows[11][9] = 32.605, 110.705  # row 13: longitude and latitude swapped
    rows[20][0] = rows[19][0]  # row 22: the same 工单编号 as row 21

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "district_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    menu(page, "诉求办理", "12345工单导入")
    page.wait_for_url("**/intake/hotline/")
    page.screenshot(path=str(screenshot_dir / "hotline_upload.png"), full_page=True)

    # 1. a GBK CSV with three bad rows: the mapping is proposed from the headers
    upload(page, live_server, "12345工单导出.csv", csv_bytes(HEADERS, rows, encoding="gbk"), "text/csv")
    assert "CSV（GBK）" in page.locator("main").inner_text()
    assert page.locator("#map_external_id").input_value() == "工单编号"
    assert page.locator("#map_contact_phone").input_value() == "来电号码"
    assert page.locator("#map_area").input_value() == "所属网格"
    assert page.locator(".intake-preview tbody tr").count() == 5
    page.screenshot(path=str(screenshot_dir / "hotline_mapping.png"), full_page=True)
    confirm_mapping(page)
    assert hotline_run_next(worker="e2e")
    table = page.locator("#job-status table.errors")
    table.wait_for(timeout=5000)
    assert "发现 3 处错误，所有工单均未导入" in page.locator("#job-status").inner_text()
    cells = [[td.inner_text() for td in tr.locator("td").all()] for tr in table.locator("tbody tr").all()]
    assert [c[:2] for c in cells] == [["8", "来电号码"], ["13", "纬度"], ["22", "工单编号"]]
    assert "可能把经度和纬度填反了。填写的是“经度 32.605，纬度 110.705”" in cells[1][2]
    assert "与第21行的工单编号相同" in cells[2][2]
    assert not Case.objects.exists()
    page.screenshot(path=str(screenshot_dir / "hotline_errors.png"), full_page=True)

    # 2. the corrected file as .xlsx: the mapping is remembered, progress is shown, then the result
    rows[6][3], rows[20][0] = "13900000006", "GD2024999999"
    rows[11][8], rows[11][9] = 110.705, 32.605
    content = xlsx_bytes(HEADERS, rows, title="12345热线工单导出")
    upload(page, live_server, "12345工单导出-改正.xlsx", content, XLSX)
    assert "表头在第 2 行" in page.locator("main").inner_text()
    confirm_mapping(page)
    job = HotlineImport.objects.latest("pk")
    HotlineImport.objects.filter(pk=job.pk).update(status="validating", total_rows=40, processed_rows=25)
    page.locator("#job-status", has_text="正在逐行检查：25 / 40 行").wait_for(timeout=5000)
    page.screenshot(path=str(screenshot_dir / "hotline_progress.png"), full_page=True)
    HotlineImport.objects.filter(pk=job.pk).update(status="queued", processed_rows=0)
    assert hotline_run_next(worker="e2e")
    success = page.locator("#job-status .success")
    success.wait_for(timeout=5000)
    assert "导入完成：40 条新工单，0 条此前已导入" in success.inner_text()
    assert page.locator("#job-status").get_attribute("hx-trigger") is None
    assert page.locator(".intake-cases tbody tr").count() == 40
    assert Case.objects.count() == 40
    page.screenshot(path=str(screenshot_dir / "hotline_done.png"), full_page=True)

    # 3. the same file again: nothing new
    upload(page, live_server, "12345工单导出-改正.xlsx", content, XLSX)
    confirm_mapping(page)
    assert hotline_run_next(worker="e2e")
    page.locator("#job-status .success").wait_for(timeout=5000)
    assert "0 条新工单，40 条此前已导入" in page.locator("#job-status .success").inner_text()
    assert Case.objects.count() == 40

    # 4. the result page at a phone's width
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.screenshot(path=str(screenshot_dir / "hotline_done_375.png"), full_page=False)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the page scrolls sideways at 375 px ({width} px)"
