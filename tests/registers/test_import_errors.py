"""All-or-nothing: a file with any error writes nothing, and each error names row, column and fix."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from grassroots.areas.models import Area
from grassroots.core.crypto import id_number_with_check
from grassroots.people.models import Person, Resident
from grassroots.registers import reader
from grassroots.registers.reader import NOT_XLSX
from grassroots.registers.services import import_job_create, import_job_run

from .util import RESIDENT_HEADERS, messages, new_id, replace_text, run_import, upload_file, xlsx_bytes

HOUSEHOLD_1 = "4203030010010010010001"
BUILDING_A1 = "420303001001001001"


def bad_check_digit(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def counts():
    return Area.objects.count(), Person.objects.count(), Resident.objects.count()


@pytest.fixture
def worker(tree):
    return tree.user("community_worker_1")


def good_row(i: int) -> list:
    return [HOUSEHOLD_1, "", "", f"新居民{i}", new_id(i), "", "其他", ""]


def test_bad_id_number_names_row_column_and_fix_and_writes_nothing(worker):
    before = counts()
    wrong = bad_check_digit(new_id(2))
    job = run_import(worker, "residents", [good_row(1), good_row(2)[:4] + [wrong, "", "", ""], good_row(3)])
    assert job.status == "failed" and counts() == before
    [message] = messages(job)
    assert message.startswith("第3行「身份证号」：身份证号校验位错误（最后一位应为")
    assert "请核对号码" in message
    assert wrong not in message  # the value is quoted masked
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "身份证号"


def test_unknown_area_code_is_refused_and_nothing_is_written(worker):
    before = counts()
    job = run_import(worker, "residents", [good_row(1), ["4203030010010019990001"] + good_row(2)[1:]])
    assert job.status == "failed" and counts() == before
    assert messages(job) == ["第3行「户编码」：编码4203030010010019990001不存在或不在您的管辖范围内，请核对编码。"
                             "填写的是“4203030010010019990001”"]


def test_duplicate_household_in_database_and_in_file(worker):
    before = counts()
    job = run_import(worker, "areas", [
        [BUILDING_A1, "1栋101室", "户", "", "", None, None],  # the tree's first household is named so
        [BUILDING_A1, "1栋901室", "户", "", "", None, None],
        [BUILDING_A1, "1栋901室", "户", "", "", None, None],
    ])
    assert job.status == "failed" and counts() == before
    first, second = messages(job)
    assert first.startswith("第2行「名称」：上级区域下已有名为「1栋101室」的区域（编码4203030010010010010001）")
    assert second.startswith("第4行「名称」：与第3行重复：同一上级下不能有两个名为「1栋901室」的户")


def test_residents_door_that_already_exists_is_a_duplicate_household(worker):
    before = counts()
    job = run_import(worker, "residents", [["", BUILDING_A1, "1栋101室", "新居民", new_id(1), "", "", ""]])
    assert job.status == "failed" and counts() == before
    assert messages(job)[0].startswith("第2行「门牌」：该楼栋已有门牌为「1栋101室」的户（户编码4203030010010010010001）")


@pytest.mark.parametrize("headers, found", [
    (RESIDENT_HEADERS[:-1], "缺少：关爱标签"),
    (RESIDENT_HEADERS + ["备注"], "多出：备注"),
    (["户号"] + RESIDENT_HEADERS[1:], "缺少：户编码；多出：户号"),
])
def test_wrong_columns_list_expected_and_found_headers(worker, headers, found):
    before = counts()
    job = run_import(worker, "residents", [good_row(1)[:len(headers)]], headers=headers)
    assert job.status == "failed" and counts() == before
    [message] = messages(job)
    assert message.startswith("第1行（表头）：表头与模板不一致。应为：户编码、楼栋编码、门牌、姓名、身份证号、手机号、与户主关系、关爱标签；实际为：")
    assert found in message and "请下载最新模板" in message


def test_duplicate_id_in_file_bad_phone_and_empty_required_cells(worker):
    before = counts()
    job = run_import(worker, "residents", [
        good_row(1),
        good_row(1),
        [HOUSEHOLD_1, "", "", "", new_id(3), "12345", "", ""],
        [HOUSEHOLD_1, "", "", "某人", "", "", "邻居", "贫困户"],
    ])
    assert job.status == "failed" and counts() == before
    assert messages(job) == [
        "第3行「身份证号」：与第2行的身份证号重复，同一人只能登记一次，请删除重复的行。填写的是“"
        + f"{new_id(1)[:6]}********{new_id(1)[-4:]}”",
        "第4行「姓名」：不能为空，请填写姓名",
        "第4行「手机号」：手机号应为11位数字（以1开头），固定电话应带区号，请核对号码。填写的是“12345”",
        "第5行「身份证号」：不能为空，请填写身份证号",
        "第5行「与户主关系」：与户主关系只能填写：户主、配偶、子女、父母、其他。填写的是“邻居”",
        "第5行「关爱标签」：关爱标签只能填写：独居老人、残疾人、留守儿童、低收入。填写的是“贫困户”",
    ]


def test_huge_cell_and_formula(worker):
    before = counts()
    content = xlsx_bytes(RESIDENT_HEADERS, [
        [HOUSEHOLD_1, "", "", "HUGE", new_id(1), "", "", ""],
        [HOUSEHOLD_1, "", "", "=1+1", new_id(2), "", "", ""],
    ])
    content = replace_text(content, ">HUGE<", ">" + "长" * (5 * 1024 * 1024) + "<")
    job = import_job_run(job=import_job_create(user=worker, register="residents", upload=upload_file(content)))
    assert job.status == "failed" and counts() == before
    first, second = messages(job)
    assert first.startswith("第2行「姓名」：内容过长（5242880字），最多50字，请删减。填写的是“长长")
    assert first.endswith("…（共5242880字）”") and len(first) < 200
    assert second.startswith("第3行「姓名」：不支持公式")


def test_html_is_stored_as_plain_text(worker, client):
    name = "<script>alert(1)</script>"
    job = run_import(worker, "areas", [[BUILDING_A1, name, "户", "", "", None, None]])
    assert job.status == "done", messages(job)
    assert Area.objects.filter(name=name).exists()


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(worker):
    wrong = bad_check_digit(new_id(2))
    job = run_import(worker, "residents", [good_row(1), [None] * 8, ["", "  ", "", "", "", "", "", ""],
                                           good_row(2)[:4] + [wrong, "", "", ""]])
    assert job.total_rows == 2
    assert messages(job)[0].startswith("第5行「身份证号」")


def test_non_xlsx_upload_is_refused_before_queueing(worker):
    with pytest.raises(ValidationError) as refused:
        import_job_create(user=worker, register="residents", upload=upload_file(b"a,b,c\n1,2,3\n", "x.csv"))
    assert NOT_XLSX in refused.value.messages[0]
    ole = b"\xd0\xcf\x11\xe0" + b"\0" * 100
    with pytest.raises(ValidationError, match="旧版 .xls"):
        import_job_create(user=worker, register="residents", upload=upload_file(ole, "x.xls"))


def test_non_xlsx_upload_through_the_page_shows_a_message(worker, client):
    client.force_login(worker)
    page = client.post("/registers/residents/upload/", {"file": upload_file(b"hello", "x.xlsx")}, follow=True)
    assert page.status_code == 200
    assert "文件不是 Excel .xlsx 格式" in page.content.decode()


def test_corrupt_xlsx_fails_the_job_with_a_clear_message(worker):
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("xl/workbook.xml", "<not really")
    job = import_job_create(user=worker, register="residents", upload=upload_file(broken.getvalue()))
    job = import_job_run(job=job)
    assert job.status == "failed"
    assert messages(job) == ["文件：" + NOT_XLSX]
    truncated = xlsx_bytes(RESIDENT_HEADERS, [good_row(1)])[:600]
    job = import_job_run(job=import_job_create(user=worker, register="residents", upload=upload_file(truncated)))
    assert job.status == "failed" and messages(job) == ["文件：" + NOT_XLSX]


def test_too_many_rows_are_refused(worker, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    before = counts()
    job = run_import(worker, "residents", [good_row(i) for i in range(4)])
    assert job.status == "failed" and counts() == before
    assert messages(job) == ["文件：文件的数据超过3行，一次最多导入3行，请拆分成几个文件分别导入"]


def test_two_heads_in_one_household(worker):
    job = run_import(worker, "residents", [
        [HOUSEHOLD_1, "", "", "甲", new_id(1), "", "户主", ""],  # the tree's resident is already head
        ["", BUILDING_A1, "新门牌", "乙", new_id(2), "", "户主", ""],
        ["", BUILDING_A1, "新门牌", "丙", new_id(3), "", "户主", ""],
    ])
    first, second = messages(job)
    assert first.startswith("第2行「与户主关系」：该户已有户主，一户只能有一个户主")
    assert second.startswith("第4行「与户主关系」：与第3行同为该户户主")


def test_id_number_stored_by_excel_as_a_number(worker):
    job = run_import(worker, "residents", [[HOUSEHOLD_1, "", "", "甲", 4.20303195001021e17, "", "", ""]])
    assert "身份证号被存成了数字" in messages(job)[0]
    assert id_number_with_check  # imported for symmetry with the valid tests


def test_a_row_with_a_bad_cell_is_still_checked_for_scope_and_duplicates(worker):
    job = run_import(worker, "residents", [
        good_row(1),
        ["4203030010020010010001", "", "", "乙", new_id(1), "123", "", ""],  # other community, same ID
    ])
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "手机号"), (3, "户编码"), (3, "身份证号")]
    assert "不在您的管辖范围内" in messages(job)[1] and "与第2行的身份证号重复" in messages(job)[2]


def test_a_file_of_another_register_says_where_it_belongs(worker):
    job = run_import(worker, "grid_staff", [good_row(1)], headers=RESIDENT_HEADERS)
    assert messages(job)[0].endswith("这是「居民」台账的文件，请到「居民」台账处上传")
