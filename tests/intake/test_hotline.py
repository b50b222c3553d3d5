"""12345 hotline import: the column-mapping step, all-or-nothing on a bad row, GBK CSV, re-import
without duplicates, placement, scope and the progress shown on the page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots.cases.models import Case, Channel
from grassroots.cases.selectors import cases_visible_to
from grassroots.core.models import AuditEntry
from grassroots.intake.hotline import hotline_map, hotline_run, hotline_run_next, hotline_upload
from grassroots.intake.hotline_fields import guess_mapping
from grassroots.intake.models import HotlineImport, HotlineImportCase, HotlineMapping
from tests.intake.conftest import HEADERS, csv_bytes, hotline_rows, messages, run, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def errors(job: HotlineImport) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


# --- the mapping step -----------------------------------------------------------------------------


def test_mapping_is_guessed_from_the_headers(tree, dispatcher):
    job = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(HEADERS, hotline_rows(tree, 3))))
    assert job.status == "mapping"
    assert job.headers == HEADERS and job.header_row == 1
    assert job.mapping == {
        "external_id": "工单编号", "title": "诉求标题", "body": "诉求内容", "reported_at": "来电时间",
        "contact_name": "来电人", "contact_phone": "来电号码", "address": "事发地址", "lng": "经度", "lat": "纬度",
        "area": "所属网格", "category": "问题分类", "urgency": "紧急程度", "due": "办理时限",
    }
    assert len(job.preview) == 3 and job.preview[0][0] == "GD2024000000"
    assert not Case.objects.exists()  # nothing is imported before the mapping is confirmed


def test_title_row_above_the_headers_is_skipped(tree, dispatcher):
    content = xlsx_bytes(HEADERS, hotline_rows(tree, 2), title="十堰市12345热线工单导出（2024年5月）")
    job = hotline_upload(user=dispatcher, upload=upload(content))
    assert job.header_row == 2 and job.headers == HEADERS


def test_mapping_page_shows_headers_first_rows_and_samples(tree, dispatcher, client_as):
    job = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(HEADERS, hotline_rows(tree, 3))))
    html = client_as(dispatcher).get(f"/intake/hotline/{job.pk}/mapping/").content.decode()
    assert "核对列对应" in html and "表头在第 1 行" in html
    assert '<option value="工单编号" selected>' in html
    assert messages()[0]["title"] in html  # the first row's value next to 标题
    assert html.count("<th>来电号码</th>") == 1  # the preview's header row


def test_mapping_problems_are_named_and_nothing_is_queued(tree, dispatcher, client_as):
    job = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(HEADERS, hotline_rows(tree, 2))))
    client = client_as(dispatcher)
    response = client.post(f"/intake/hotline/{job.pk}/mapping/", {"map_title": "诉求标题", "map_lat": "纬度",
                                                                 "map_body": "纬度"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "请为「工单编号」选择文件中的一列（必填）" in html
    assert "「经度」和「纬度」要同时选择（只选了一个）" in html
    assert "列“纬度”同时对应了「诉求内容」和「纬度」" in html
    job.refresh_from_db()
    assert job.status == "mapping"


def test_mapping_is_remembered_per_source(tree, dispatcher):
    headers = ["单号", "市民诉求", "发生位置", "受理日期"]
    rows = [["A-1", "小区路灯坏了", "网格1", "2024-05-01"]]
    job = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(headers, rows)), source="城管平台")
    assert "body" not in job.mapping  # 市民诉求 is not a known header
    chosen = {"external_id": "单号", "body": "市民诉求", "area": "发生位置", "reported_at": "受理日期"}
    hotline_map(job=job, user=dispatcher, mapping=chosen)
    assert HotlineMapping.objects.get(source="城管平台").mapping == chosen

    again = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(headers, rows)), source="城管平台")
    assert again.mapping == chosen
    other = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(headers, rows)), source="12345")
    assert "body" not in other.mapping  # another source has its own mapping


def test_guess_prefers_exact_headers_and_gives_each_column_once():
    mapping = guess_mapping(["来电号码", "来电时间", "来电人姓名", "联系电话", "工单内容"])
    assert mapping["contact_phone"] == "来电号码" and mapping["reported_at"] == "来电时间"
    assert mapping["contact_name"] == "来电人姓名" and mapping["body"] == "工单内容"
    assert "联系电话" not in mapping.values()  # one column per field: 来电号码 was the exact match


# --- importing ------------------------------------------------------------------------------------


def test_import_creates_hotline_cases_placed_each_way(tree, dispatcher):
    job = run(dispatcher, xlsx_bytes(HEADERS, hotline_rows(tree, 8)))
    assert job.status == "done", job.errors
    assert (job.created_count, job.existing_count, job.total_rows) == (8, 0, 8)
    cases = {c.external_id: c for c in Case.objects.all()}
    assert all(c.channel == Channel.HOTLINE and c.external_source == "12345" for c in cases.values())
    assert cases["GD2024000000"].area == tree.grid("A")  # coordinates inside grid A
    assert (cases["GD2024000000"].lat, cases["GD2024000000"].lng) == (32.605, 110.705)
    assert cases["GD2024000001"].area == tree.grids[2]  # "测试社区1-2/网格3"
    assert cases["GD2024000002"].area == tree.buildings[2]  # "网格2" + "1栋" in the address
    assert cases["GD2024000003"].area is None and cases["GD2024000003"].area_code == "420303"  # 兜底
    assert cases["GD2024000003"].assigned_area is None  # the district's dispatchers own it
    assert cases["GD2024000005"].urgency == "emergency"
    first = messages()[0]
    assert cases["GD2024000000"].title == first["title"] and cases["GD2024000000"].body == first["body"]
    assert cases["GD2024000000"].category.name == first["label"]
    assert cases["GD2024000001"].contact_phone_masked == "139****0001"
    assert cases["GD2024000001"].plain_contact() == ("张先生", "13900000001")
    links = {r.case.external_id: r for r in HotlineImportCase.objects.filter(job=job).select_related("case")}
    assert links["GD2024000000"].placed_by == "coordinates" and links["GD2024000002"].placed_by == "building"
    assert links["GD2024000003"].due_at is not None  # "5个工作日" after the call
    assert links["GD2024000000"].reported_at.year == int(first["submitted_at"][:4])
    notes = [n["message"] for n in job.notes]
    assert any(n.startswith("第5行") and "兜底" in n for n in notes)


def test_reimport_creates_nothing_new_and_says_so(tree, dispatcher, client_as):
    content = xlsx_bytes(HEADERS, hotline_rows(tree, 6))
    first = run(dispatcher, content)
    assert (first.created_count, first.existing_count) == (6, 0)
    second = run(dispatcher, content)
    assert second.status == "done"
    assert (second.created_count, second.existing_count) == (0, 6)
    assert Case.objects.count() == 6
    html = client_as(dispatcher).get(f"/intake/hotline/{second.pk}/").content.decode()
    assert "0 条新工单，6 条此前已导入" in html

    more = hotline_rows(tree, 8)
    third = run(dispatcher, xlsx_bytes(HEADERS, more))
    assert (third.created_count, third.existing_count) == (2, 6)
    assert Case.objects.count() == 8
    html = client_as(dispatcher).get(f"/intake/hotline/{third.pk}/").content.decode()
    assert "2 条新工单，6 条此前已导入" in html


def test_a_bad_row_imports_nothing_and_names_row_column_and_fix(tree, dispatcher):
    rows = hotline_rows(tree, 6)
    rows[1][3] = "1234"  # Excel row 3: phone
    rows[2][8], rows[2][9] = 110.705, 200  # row 4: latitude out of range
    rows[3][0] = rows[0][0]  # row 5: the same 工单编号 as row 2
    rows[4][11] = "十万火急"  # row 6: urgency
    rows[5][1] = "2024年13月40日"  # row 7: reported_at
    job = run(dispatcher, xlsx_bytes(HEADERS, rows))
    assert job.status == "failed"
    assert not Case.objects.exists()
    found = errors(job)
    assert [(r, c) for r, c, _m in found] == [(3, "来电号码"), (4, "纬度"), (5, "工单编号"), (6, "紧急程度"),
                                              (7, "来电时间")]
    by_row = {r: m for r, _c, m in found}
    assert by_row[3].startswith("第3行「来电号码」：手机号应为11位数字")
    assert "纬度 200.0 超出范围，应在 -90 到 90 之间" in by_row[4]
    assert "与第2行的工单编号相同" in by_row[5] and "请删除重复的行" in by_row[5]
    assert "紧急程度只能填写：紧急、水电气热、一般、复杂" in by_row[6]
    assert "时间格式不对，请填写如 2026-05-08 09:30 的日期时间" in by_row[7]


def test_coordinates_that_are_not_numbers(tree, dispatcher):
    rows = hotline_rows(tree, 1)
    rows[0][8], rows[0][9] = "东经110度", "北纬32度"
    job = run(dispatcher, xlsx_bytes(HEADERS, rows))
    (row, column, message), = errors(job)
    assert (row, column) == (2, "纬度")
    assert message.startswith("第2行「纬度」：纬度“北纬32度”不是数字，坐标请用十进制度数，如 经度 110.7512、纬度 32.6051")


def test_error_table_on_the_page_and_as_xlsx(tree, dispatcher, client_as):
    rows = hotline_rows(tree, 3)
    rows[2][5], rows[2][4] = "", ""  # row 4: neither title nor content
    job = run(dispatcher, xlsx_bytes(HEADERS, rows))
    client = client_as(dispatcher)
    html = client.get(f"/intake/hotline/{job.pk}/").content.decode()
    assert "发现 1 处错误，所有工单均未导入" in html
    assert "第4行「诉求内容」：诉求内容和标题不能都为空" in html
    download = client.get(f"/intake/hotline/{job.pk}/errors.xlsx")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    # the sheet holds the values as typed (callers' names and phones): the export is audited with what it held
    entry = AuditEntry.objects.get(action="hotline.import_errors.export")
    assert entry.actor_id == dispatcher.pk and entry.object_id == str(job.pk)
    assert entry.detail["rows"] == 1 and entry.detail["fields"] == ["行号", "列", "填写的值", "错误说明"]
    assert entry.detail["filters"]["job"] == str(job.pk)


def test_gbk_csv_is_read(tree, dispatcher):
    content = csv_bytes(HEADERS, hotline_rows(tree, 5), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    job = hotline_upload(user=dispatcher, upload=upload(content, "12345导出.csv"))
    assert (job.kind, job.encoding) == ("csv", "gb18030")
    assert job.headers == HEADERS
    job = hotline_run(job=hotline_map(job=job, user=dispatcher, mapping=job.mapping))
    assert job.status == "done", job.errors
    case = Case.objects.get(external_id="GD2024000001")
    assert case.body == messages()[1]["body"]


def test_utf8_csv_with_bom_and_semicolons(tree, dispatcher):
    rows = [["N-1", "楼道灯坏了", "网格1"], ["N-2", "垃圾没人清运", "网格2"]]
    text = "\ufeff工单号;内容;网格\n" + "\n".join(";".join(r) for r in rows)
    job = run(dispatcher, text.encode("utf-8"), name="export.csv")
    assert job.status == "done", job.errors
    assert Case.objects.get(external_id="N-2").area == tree.grid("B")


def test_files_that_cannot_be_read_are_refused_with_the_fix(tree, dispatcher):
    with pytest.raises(ValidationError) as old:
        hotline_upload(user=dispatcher, upload=upload(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "a.xls"))
    assert "旧版 .xls" in old.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as empty:
        hotline_upload(user=dispatcher, upload=upload(b"", "a.csv"))
    assert "文件是空的" in empty.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as broken:
        hotline_upload(user=dispatcher, upload=upload(b"PK\x03\x04 not really a zip", "a.xlsx"))
    assert "文件无法读取" in broken.value.message_dict["file"][0]


def test_five_megabytes_of_text_in_a_cell_is_an_error_not_a_crash(tree, dispatcher):
    rows = hotline_rows(tree, 2)
    rows[1][5] = "漏水" * 2_600_000  # ~5 MB
    job = run(dispatcher, csv_bytes(HEADERS, rows, encoding="utf-8"), name="big.csv")
    assert job.status == "failed" and not Case.objects.exists()
    assert errors(job)[0][:2] == (3, "诉求内容")
    assert "诉求内容最多5000字（现有5200000字）" in errors(job)[0][2]


def test_html_is_stored_as_typed_and_escaped_on_the_page(tree, dispatcher, client_as):
    rows = hotline_rows(tree, 1)
    rows[0][4] = "<script>alert(1)</script>路灯"
    job = run(dispatcher, xlsx_bytes(HEADERS, rows))
    assert Case.objects.get().title == "<script>alert(1)</script>路灯"
    html = client_as(dispatcher).get(f"/intake/hotline/{job.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;路灯" in html and "<script>alert(1)" not in html


# --- scope ----------------------------------------------------------------------------------------


def test_street_dispatcher_cannot_import_another_streets_work_order(tree):
    street_admin = tree.user("street_admin_1")
    rows = hotline_rows(tree, 4)
    rows[1][7] = tree.grid("E").name  # grid E lies in street 2
    job = run(street_admin, xlsx_bytes(HEADERS, rows))
    assert job.status == "failed" and not Case.objects.exists()
    assert errors(job) == [(3, "所属网格", "第3行「所属网格」：该工单定位在“网格5”，不在您的受理范围内；请删除这一行，"
                                             "交由该地的街道或社区导入。填写的是“网格5”")]
    rows[1][7] = ""
    job = run(street_admin, xlsx_bytes(HEADERS, rows))
    assert job.status == "done"
    unplaced = Case.objects.get(external_id="GD2024000003")
    assert unplaced.area == tree.streets[0]  # the importer's street takes what nobody can place


def test_grid_staff_see_only_their_grids_imported_cases(tree, dispatcher, client_as):
    job = run(dispatcher, xlsx_bytes(HEADERS, hotline_rows(tree, 8)))
    in_a = set(Case.objects.filter(area_code__startswith=tree.grid("A").code).values_list("pk", flat=True))
    assert in_a
    seen_by_b = set(cases_visible_to(tree.user("grid_worker_B")).values_list("pk", flat=True))
    assert not in_a & seen_by_b
    assert in_a <= set(cases_visible_to(tree.user("grid_worker_A")).values_list("pk", flat=True))
    # the import itself belongs to whoever uploaded it
    assert client_as(tree.user("grid_worker_B")).get(f"/intake/hotline/{job.pk}/").status_code == 404


def test_only_dispatchers_may_import(tree, client_as):
    html = client_as(tree.user("grid_worker_A")).get("/intake/hotline/").content.decode()
    assert "您没有导入热线工单的权限" in html and 'type="file"' not in html
    response = client_as(tree.user("grid_worker_A")).post(
        "/intake/hotline/upload/", {"file": upload(xlsx_bytes(HEADERS, hotline_rows(tree, 1)))}, follow=True)
    assert "您没有导入热线工单的权限" in response.content.decode()
    assert not HotlineImport.objects.exists()


# --- progress -------------------------------------------------------------------------------------


def test_progress_is_shown_while_the_worker_runs(tree, dispatcher, client_as):
    job = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(HEADERS, hotline_rows(tree, 4))))
    client = client_as(dispatcher)
    assert client.get(f"/intake/hotline/{job.pk}/").url == f"/intake/hotline/{job.pk}/mapping/"
    hotline_map(job=job, user=dispatcher, mapping=job.mapping)
    html = client.get(f"/intake/hotline/{job.pk}/").content.decode()
    assert "等待后台处理" in html and 'hx-trigger="every 1s"' in html
    HotlineImport.objects.filter(pk=job.pk).update(status="validating", total_rows=4, processed_rows=2)
    partial = client.get(f"/intake/hotline/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="job-status"') and "正在逐行检查：2 / 4 行" in partial
    assert 'aria-valuenow="50"' in partial
    HotlineImport.objects.filter(pk=job.pk).update(status="queued", processed_rows=0)
    assert hotline_run_next(worker="test") and not hotline_run_next(worker="test")
    done = client.get(f"/intake/hotline/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "导入完成：4 条新工单，0 条此前已导入" in done
    assert "本次导入的工单" in done


def test_a_job_is_taken_by_one_worker_and_again_when_its_worker_died(tree, dispatcher):
    from datetime import timedelta

    from django.utils import timezone

    job = hotline_upload(user=dispatcher, upload=upload(xlsx_bytes(HEADERS, hotline_rows(tree, 2))))
    hotline_map(job=job, user=dispatcher, mapping=job.mapping)
    from grassroots.intake.hotline import hotline_claim

    taken = hotline_claim(worker="w1")
    assert taken.pk == job.pk and hotline_claim(worker="w2") is None
    HotlineImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    again = hotline_claim(worker="w2")
    assert again.pk == job.pk and again.attempts == 2
    assert hotline_run(job=again).status == "done"


def test_the_mapping_preview_masks_phone_and_id_numbers():
    from grassroots.intake.hotline_files import preview_rows

    class Table:
        rows = [(2, ["GD1", "13812345678", "身份证420303198001011234，电话13900001111"])]

    (row,) = preview_rows(Table())
    assert row == ["GD1", "138****5678", "身份证420303********1234，电话139****1111"]
