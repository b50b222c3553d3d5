"""Import jobs (upload → claim → validate → write, all or nothing) and exports.

A job is claimed with a compare-and-swap ``UPDATE … WHERE status = … AND attempts = …`` so two
workers never take the same job, on SQLite and PostgreSQL alike. Validation commits its progress
every chunk, outside any transaction, so the job page can show it. The writing happens in one
transaction that also marks the job done: after a crash either both landed or neither did, and a
job left in ``validating``/``writing`` is taken again once its heartbeat is stale.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core.jobs import claim_next
from grassroots.core.services import audit_record, export_audit

from . import engine, xlsx
from .models import ImportJob
from .reader import NOT_XLSX, FileProblem, read_sheet
from .specs import ImportContext, Register, get_register
from .specs.base import CellError, WriteRefused

log = logging.getLogger(__name__)
Status = ImportJob.Status

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
MAX_STORED_ERRORS = 10_000
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=15)
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


# --- upload --------------------------------------------------------------------------------------


def register_or_refuse(key: str) -> type[Register]:
    register = get_register(key)
    if register is None:
        raise ValidationError(f"台账“{key}”不存在")
    return register


def upload_problem(upload) -> str | None:
    """Why an uploaded file cannot be an .xlsx workbook, before it is queued (None when it may be)."""
    if not upload.size:
        return "文件是空的，请选择填好的 .xlsx 文件"
    if upload.size > UPLOAD_MAX_BYTES:
        return f"文件太大（{upload.size / 1024 / 1024:.1f} MB），一个文件最大 {UPLOAD_MAX_BYTES // 1024 // 1024} MB，请拆分后上传"
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head == _OLE:
        return "这是旧版 .xls 文件或设置了密码的文件。请在 Excel 或 WPS 中取消密码并「另存为」Excel 工作簿 (*.xlsx) 后上传"
    if head != _ZIP:
        return NOT_XLSX
    return None


@transaction.atomic
def import_job_create(*, user, register: str, upload) -> ImportJob:
    """Queue an uploaded spreadsheet for the worker (ValidationError/PermissionDenied in Chinese)."""
    register_or_refuse(register)
    scope = scope_for(user)
    if not scope.can(Capability.MANAGE_REGISTERS):
        raise PermissionDenied("您没有导入台账的权限")
    if problem := upload_problem(upload):
        raise ValidationError(problem)
    roots = sorted(scope.codes(Capability.MANAGE_REGISTERS), key=len)
    districts = {r[:6] for r in roots}
    job = ImportJob(register=register, original_name=(upload.name or "upload.xlsx")[-200:], created_by=user,
                    scope_code=roots[0] if len(roots) == 1 else "",
                    district_code=districts.pop() if len(districts) == 1 else "")
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    audit_record(actor=user, action="register.upload", obj=job,
                 detail={"register": register, "file": job.original_name})
    return job


# --- claim and run -------------------------------------------------------------------------------


def import_job_claim(*, worker: str, stale_after: timedelta = STALE_AFTER) -> ImportJob | None:
    """Take the oldest queued job (or one whose worker died); None when there is none."""
    return claim_next(ImportJob.objects, worker=worker, stale_after=stale_after, order_by=("created_at", "pk"),
                      max_attempts=MAX_ATTEMPTS, give_up=_give_up, queued=Status.QUEUED,
                      running=(Status.VALIDATING, Status.WRITING), claimed=Status.VALIDATING, validated_at=None)


def _give_up(pk: int, status: str, attempts: int) -> None:
    error = CellError(None, "", "", f"文件：处理过程被中断了{attempts}次，所有数据均未导入。请重新上传，或联系管理员")
    ImportJob.objects.filter(pk=pk, status=status, attempts=attempts).update(
        status=Status.FAILED, errors=[error.as_dict()], error_count=1, finished_at=timezone.now())


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Validate every row, then write them all in one transaction; or record every error."""
    try:
        if job.started_at is None:  # run directly, without a claim
            _touch(job, status=Status.VALIDATING, started_at=timezone.now())
        register, rows, bad = _prepare(job)
        validation = engine.validate(register, rows, progress=lambda n: _touch(job, processed_rows=n + bad.rows))
        errors = sorted(bad.errors + validation.errors, key=lambda e: e.row or 0)
        if errors:
            _fail(job, errors)
        else:
            _touch(job, status=Status.WRITING, processed_rows=job.total_rows, validated_at=timezone.now())
            _write(job, register, validation.records)
    except FileProblem as problem:
        _fail(job, [problem.as_error()])
    except Exception:
        log.exception("import job %s failed", job.pk)
        _fail(job, [CellError(None, "", "", f"文件：导入时发生内部错误，所有数据均未导入。请联系管理员（任务编号 {job.pk}）")])
    job.refresh_from_db()
    return job


class _Bad:
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        self.rows = len({e.row for e in errors})


def _prepare(job: ImportJob) -> tuple[Register, list, _Bad]:
    register_cls = get_register(job.register)
    user = job.created_by
    if register_cls is None or user is None or not user.is_active:
        raise FileProblem("任务无效（台账不存在或导入人账号已停用），所有数据均未导入")
    scope = scope_for(user)
    if not scope.can(Capability.MANAGE_REGISTERS):
        raise FileProblem("导入人已没有导入台账的权限，所有数据均未导入")
    with job.file.open("rb") as source:
        sheet = read_sheet(source, register_cls)
    bad = _Bad(sheet.errors)
    if not sheet.rows and not bad.rows:
        raise FileProblem("文件只有表头，没有数据行。请在表头下面逐行填写后再上传")
    _touch(job, total_rows=len(sheet.rows) + bad.rows, processed_rows=0)
    return register_cls(ImportContext(user=user, scope=scope, job_id=job.pk)), sheet.rows, bad


def _write(job: ImportJob, register: Register, records: list[Any]) -> None:
    try:
        with transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # row lock until commit
            counts = register.write(records)
            audit_record(actor=job.created_by, action="register.import", obj=job,
                         detail={"register": job.register, "file": job.original_name, "rows": len(records),
                                 **counts})
            ImportJob.objects.filter(pk=job.pk).update(
                status=Status.DONE, created_count=counts.get("created", 0), result=counts,
                processed_rows=job.total_rows, finished_at=timezone.now(), errors=[], error_count=0)
    except WriteRefused as refused:
        _fail(job, [CellError(refused.row, "", "", f"第{refused.row}行：写入时被拒绝：{refused.message}。"
                                                   "所有数据均未导入，请核对后重新导入")])
    except IntegrityError:
        log.warning("import job %s: conflict while writing", job.pk, exc_info=True)
        _fail(job, [CellError(None, "", "", "文件：写入时与他人同时修改的数据冲突，所有数据均未导入，请重新导入")])


def _touch(job: ImportJob, **fields: Any) -> None:
    """Save progress fields at once (autocommit), so the job page can read them while we work."""
    fields.setdefault("heartbeat_at", timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    try:
        ImportJob.objects.filter(pk=job.pk).update(**fields)
    except OperationalError:  # SQLite busy with another writer: progress can wait for the next chunk
        log.info("import job %s: progress not saved (database busy)", job.pk)
        if "status" in fields:
            raise


def _fail(job: ImportJob, errors: list[CellError]) -> None:
    stored = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    if len(errors) > MAX_STORED_ERRORS:
        rest = len(errors) - MAX_STORED_ERRORS
        stored.append(CellError(None, "", "", f"另有{rest}处错误未列出：请先改正以上错误后重新导入").as_dict())
    try:
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED, errors=stored, error_count=len(errors), finished_at=timezone.now(),
            heartbeat_at=timezone.now())
    except DatabaseError:
        log.exception("import job %s: could not record its failure", job.pk)


def import_job_run_next(*, worker: str) -> bool:
    """Claim and run one job; False when there was none (the worker's task)."""
    job = import_job_claim(worker=worker)
    if job is None:
        return False
    import_job_run(job=job)
    return True


# --- exports -------------------------------------------------------------------------------------


def register_export(*, user, register: str) -> bytes:
    """The rows of a register that ``user`` may see, as .xlsx (numbers masked); audited."""
    register_cls = register_or_refuse(register)
    if not scope_for(user).can(register_cls.view_capability):
        raise PermissionDenied("您没有查看该台账的权限")
    counter = _Counter(register_cls().export_rows(user))
    content = xlsx.rows_bytes(register_cls.label, register_cls.headers(), counter)
    export_audit(actor=user, kind="register", object_type=f"registers.{register}", object_id=register,
                 rows=counter.count, fields=register_cls.headers(), unmasked=[],  # ID numbers and phones masked
                 register=register, scope="visible_to_user")
    return content


ERROR_HEADERS = ["行号", "列", "填写的值", "错误说明"]


def import_errors_export(*, user, job: ImportJob) -> bytes:
    """The rejected rows of an import (the values as filled in: names, ID numbers, phones of residents) as
    .xlsx, audited (``register.import_errors.export``) with the job, its register and the row count. The
    caller has found the job through ``job_get_for(user, …)``."""
    counter = _Counter([e.get("row") or "", e.get("column", ""), e.get("value", ""), e.get("message", "")]
                       for e in job.errors)
    content = xlsx.rows_bytes("错误", ERROR_HEADERS, counter)
    export_audit(actor=user, kind="register.import_errors", obj=job, rows=counter.count, fields=ERROR_HEADERS,
                 filters={"job": job.pk, "register": job.register}, unmasked=[])  # values masked (CellError)
    return content


class _Counter:
    def __init__(self, rows: Iterable[list[Any]]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield row
