"""Jobs: claimed once, re-run after a crash, progress saved as they go; pages and API; templates."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots.core.models import AuditEntry
from grassroots.people.models import Resident
from grassroots.registers import engine, services
from grassroots.registers.models import ImportJob
from grassroots.registers.services import import_job_claim, import_job_create, import_job_run
from grassroots.registers.specs import REGISTERS

from .util import RESIDENT_HEADERS, messages, new_id, sheet_values, upload_file, xlsx_bytes

HOUSEHOLD_1 = "4203030010010010010001"
BUILDING_A1 = "420303001001001001"


def resident_rows(n: int, start: int = 1) -> list[list]:
    return [[HOUSEHOLD_1, "", "", f"居民{i}号", new_id(i), f"139{i:08d}", "其他", ""] for i in range(start, start + n)]


def queue(user, rows, register="residents") -> ImportJob:
    content = xlsx_bytes(REGISTERS[register].headers(), rows)
    return import_job_create(user=user, register=register, upload=upload_file(content))


@pytest.fixture
def worker(tree):
    return tree.user("community_worker_1")


def test_a_job_is_claimed_once(worker):
    job = queue(worker, resident_rows(1))
    first = import_job_claim(worker="w1")
    assert first.pk == job.pk and first.status == "validating" and first.attempts == 1
    assert first.claimed_by == "w1"
    assert import_job_claim(worker="w2") is None


def test_a_job_left_behind_by_a_dead_worker_is_taken_again_and_runs_once(worker):
    job = queue(worker, resident_rows(2))
    import_job_claim(worker="w1")  # w1 dies here
    assert import_job_claim(worker="w2") is None  # heartbeat still fresh
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    again = import_job_claim(worker="w2")
    assert again.pk == job.pk and again.attempts == 2
    assert import_job_run(job=again).status == "done"
    assert Resident.objects.filter(household__code=HOUSEHOLD_1).count() == 3


def test_a_job_that_keeps_crashing_is_given_up(worker):
    job = queue(worker, resident_rows(1))
    ImportJob.objects.filter(pk=job.pk).update(status="writing", attempts=3,
                                               heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert import_job_claim(worker="w") is None
    job.refresh_from_db()
    assert job.status == "failed" and "中断了3次" in messages(job)[0]


def test_worker_once_runs_every_queued_job(worker):
    jobs = [queue(worker, resident_rows(2, start=1)), queue(worker, resident_rows(2, start=10))]
    call_command("worker", "--once")
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "done" and job.created_count == 2
    assert ImportJob.objects.filter(status="queued").count() == 0


def test_progress_is_saved_chunk_by_chunk(worker, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_ROWS", 10)
    seen = []
    touch = services._touch

    def spy(job, **fields):
        touch(job, **fields)
        job_row = ImportJob.objects.get(pk=job.pk)
        seen.append((job_row.status, job_row.processed_rows, job_row.total_rows))

    monkeypatch.setattr(services, "_touch", spy)
    job = import_job_run(job=queue(worker, resident_rows(35)))
    assert job.status == "done"
    validating = [done for status, done, total in seen if status == "validating" and total == 35]
    assert validating == [0, 10, 20, 30, 35]
    assert ("writing", 35, 35) in seen
    assert job.percent == 100 and job.validated_at and job.finished_at


def test_two_thousand_rows_import(worker):
    rows = resident_rows(2000)
    rows[10][0], rows[10][1], rows[10][2] = "", BUILDING_A1, "新门牌"
    job = import_job_run(job=queue(worker, rows))
    assert job.status == "done", messages(job)[:3]
    assert job.created_count == 2000 and job.result["persons_created"] == 2000
    assert job.result["households_created"] == 1
    assert Resident.objects.filter(household__code=HOUSEHOLD_1).count() == 1999 + 1


def test_job_page_polls_until_done_then_shows_result(worker, client):
    client.force_login(worker)
    job = queue(worker, resident_rows(2))
    page = client.get(f"/registers/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队中" in page and 'role="progressbar"' in page
    import_job_run(job=job)
    partial = client.get(f"/registers/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "<html" not in partial
    assert "导入成功：新增 2 条" in partial


def test_job_page_lists_errors_escaped_and_offers_them_as_xlsx(worker, client):
    client.force_login(worker)
    job = import_job_run(job=queue(worker, [["<script>x</script>", "", "", "甲", new_id(1), "", "", ""]]))
    page = client.get(f"/registers/jobs/{job.pk}/").content.decode()
    assert "所有数据均未导入" in page and "<script>x" not in page and "&lt;script&gt;x" in page
    assert 'hx-trigger="every 1s"' not in page  # a finished job stops polling
    errors = client.get(f"/registers/jobs/{job.pk}/errors.xlsx")
    rows = sheet_values(errors.content)
    assert rows[0] == ["行号", "列", "填写的值", "错误说明"]
    assert rows[1][0] == 2 and rows[1][1] == "户编码" and rows[1][3].startswith("第2行「户编码」")


def test_the_error_sheet_is_an_audited_export(worker, client):
    """The rejected rows hold residents' data as they were typed: the download is audited like an export."""
    client.force_login(worker)
    job = import_job_run(job=queue(worker, [["", "", "", "甲", new_id(1), "", "", ""],
                                            ["", "", "", "乙", new_id(2), "", "", ""]]))
    rows = sheet_values(client.get(f"/registers/jobs/{job.pk}/errors.xlsx").content)
    audit = AuditEntry.objects.get(action="register.import_errors.export")
    assert (audit.actor, audit.object_type, audit.object_id) == (worker, "registers.importjob", str(job.pk))
    assert audit.detail["rows"] == len(rows) - 1 == job.error_count >= 2
    assert audit.detail["fields"] == rows[0] and audit.detail["unmasked"] == []
    assert audit.detail["filters"] == {"job": str(job.pk), "register": "residents"}
    assert new_id(1) not in str(audit.detail)  # what was exported, never the values
    call_command("audit_verify", stdout=io.StringIO())  # still one unbroken chain


def test_users_see_only_their_own_jobs(tree, client):
    job = queue(tree.user("community_worker_1"), resident_rows(1))
    client.force_login(tree.user("community_worker_2"))
    assert client.get(f"/registers/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/registers/jobs/{job.pk}").status_code == 404
    assert "台账.xlsx" not in client.get("/registers/").content.decode()
    client.force_login(tree.user("root"))
    assert client.get(f"/registers/jobs/{job.pk}/").status_code == 200
    assert "台账.xlsx" in client.get("/registers/").content.decode()


def test_index_page_offers_template_export_and_upload(worker, client):
    client.force_login(worker)
    page = client.get("/registers/").content.decode()
    for key in REGISTERS:
        assert f"/registers/{key}/template.xlsx" in page and f"/registers/{key}/export.xlsx" in page
        assert f"/registers/{key}/upload/" in page
    client.force_login(client_user := worker.__class__.objects.get(username="grid_worker_A"))
    assert client_user and "/upload/" not in client.get("/registers/").content.decode()


@pytest.mark.parametrize("key", list(REGISTERS))
def test_template_download_has_the_headers(tree, client, key):
    client.force_login(tree.user("grid_worker_A"))
    response = client.get(f"/registers/{key}/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_values(response.content)
    assert rows[0] == REGISTERS[key].headers() and len(rows) == 1


def test_api_upload_and_status(worker, client):
    client.force_login(worker)
    content = xlsx_bytes(RESIDENT_HEADERS, resident_rows(3))
    response = client.post("/api/registers/residents/import", {"file": upload_file(content)})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    call_command("worker", "--once")
    status = client.get(f"/api/registers/jobs/{job_id}").json()
    assert (status["status"], status["created_count"], status["percent"], status["finished"]) == ("done", 3, 100, True)
    assert client.post("/api/registers/residents/import", {"file": upload_file(b"nope")}).status_code == 400
    assert [j["id"] for j in client.get("/api/registers/jobs").json()] == [job_id]
    client.force_login(worker.__class__.objects.get(username="grid_worker_A"))
    assert client.post("/api/registers/residents/import", {"file": upload_file(content)}).status_code == 403
