"""A community worker downloads the residents template, uploads a file with two mistakes, reads the
error table (nothing imported), uploads the corrected file and finds the new residents in the list.

The live server runs no background worker: the test takes the queued job itself, with the service that
``grassroots worker`` calls, while the job page keeps polling.
"""

import io
import re
from pathlib import Path

import openpyxl
import pytest

from grassroots.people.models import Resident
from grassroots.registers.models import ImportJob
from grassroots.registers.services import import_job_run_next
from tests.e2e.conftest import menu
from tests.factories import PASSWORD, build_tree
from tests.registers.util import new_id, xlsx_bytes

pytestmark = pytest.mark.e2e

HEADERS = ["户编码", "楼栋编码", "门牌", "姓名", "身份证号", "手机号", "与户主关系", "关爱标签"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bad_check_digit(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def run_queued_job() -> None:
    """What the worker does on its next turn: claim the oldest queued job and run it."""
    assert import_job_run_next(worker="e2e-test")
    assert not ImportJob.objects.filter(status="queued").exists()


def upload(page, live_server, name: str, content: bytes) -> None:
    page.goto(f"{live_server.url}/registers/")
    card = page.locator("#register-residents")
    card.locator("input[type=file]").set_input_files({"name": name, "mimeType": XLSX, "buffer": content})
    card.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/registers/jobs/\d+/$"))
    status = page.locator("#job-status")
    assert "等待后台处理" in status.inner_text()  # queued: no worker has taken it yet
    assert status.get_attribute("hx-trigger") == "every 1s"


def test_register_import_journey(live_server, transactional_db, settings, tmp_path, page, screenshot_dir):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded files
    tree = build_tree()
    h1, h2, h6 = tree.households[0].code, tree.households[1].code, tree.households[5].code  # community 1
    building = tree.buildings[1].code
    ids = [new_id(i) for i in range(1, 6)]
    rows = [  # Excel rows 2–6
        [h1, "", "", "张新民", ids[0], "13912340001", "配偶", ""],
        ["", building, "2单元502室", "李春花", ids[1], "", "户主", "独居老人"],
        [h2, "", "", "王建国", bad_check_digit(ids[2]), "", "子女", ""],  # row 4: wrong check digit
        [h6, "", "", "赵小红", ids[3], "", "其他", ""],
        [tree.buildings[0].code + "0999", "", "", "刘德明", ids[4], "", "父母", ""],  # row 6: no such household
    ]
    residents_before = Resident.objects.count()

    # 1. log in, open the registers page, download the residents template
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "community_worker_1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    menu(page, "台账与日历", "台账导入导出")
    page.wait_for_url("**/registers/")
    card = page.locator("#register-residents")
    assert card.locator("h2").inner_text() == "居民"
    with page.expect_download() as download_info:
        card.locator("a.button", has_text="下载模板").click()
    download = download_info.value
    assert download.suggested_filename == "居民台账模板.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))  # raises unless .xlsx
    assert book.sheetnames == ["居民", "填写说明"]
    assert [c.value for c in book["居民"][1]] == HEADERS
    assert book["居民"].max_row == 1  # headers only

    # 2. a file with three good rows and two bad ones: errors listed, nothing imported
    upload(page, live_server, "居民台账.xlsx", xlsx_bytes(HEADERS, rows))
    run_queued_job()
    table = page.locator("#job-status table.errors")
    table.wait_for(timeout=5000)  # the page's next poll brings the result
    status = page.locator("#job-status")
    assert status.get_attribute("hx-trigger") is None  # finished: the polling stops
    assert "发现 2 处错误，所有数据均未导入" in status.inner_text()
    assert "共 5 行" in status.inner_text()
    cells = [[td.inner_text() for td in tr.locator("td").all()] for tr in table.locator("tbody tr").all()]
    assert [c[:2] for c in cells] == [["4", "身份证号"], ["6", "户编码"]]
    assert cells[0][2].startswith("第4行「身份证号」：身份证号校验位错误")
    assert ids[2] not in cells[0][2]  # the ID number is quoted masked
    assert cells[1][2].startswith("第6行「户编码」：编码")
    assert "不存在或不在您的管辖范围内" in cells[1][2]
    assert page.locator("a.button", has_text="下载错误清单").count() == 1
    assert Resident.objects.count() == residents_before
    page.screenshot(path=str(screenshot_dir / "import_errors.png"), full_page=True)

    # 3. the corrected file: every row imported
    rows[2][4] = ids[2]
    rows[4][0] = tree.households[2].code
    upload(page, live_server, "居民台账-改正.xlsx", xlsx_bytes(HEADERS, rows))
    run_queued_job()
    success = page.locator("#job-status .success")
    success.wait_for(timeout=5000)
    assert "导入成功：新增 5 条" in success.inner_text()
    assert "新建户 1" in success.inner_text()
    assert page.locator("#job-status table.errors").count() == 0
    assert Resident.objects.count() == residents_before + 5
    page.screenshot(path=str(screenshot_dir / "import_done.png"), full_page=True)

    page.goto(f"{live_server.url}/people/residents/")
    page.fill("form.toolbar input[name=name]", "李春花")
    page.click("form.toolbar >> button:has-text('筛选')")
    page.wait_for_url("**/people/residents/?*name=*")
    found = page.locator("table tbody tr")
    assert found.count() == 1
    assert "李春花" in found.inner_text() and "2单元502室" in found.inner_text()
    assert "户主" in found.inner_text()

    page.fill("form.toolbar input[name=name]", "王建国")
    page.click("form.toolbar >> button:has-text('筛选')")
    page.wait_for_url("**/people/residents/?*name=%E7%8E%8B*")
    assert "王建国" in page.locator("table tbody").inner_text()
