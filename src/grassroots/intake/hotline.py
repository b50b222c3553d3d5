"""12345 hotline import: upload → column mapping → (worker) validate every row → write all, or none.

Every row is checked before anything is written: a bad cell, a place outside the importer's area,
a 工单编号 twice in the file — each error names the row, the column and the fix, and then nothing
is imported. Cases are written in one transaction that also marks the job done; ``case_receive`` is
idempotent on the hotline id, so importing the same file twice creates nothing new and the job says
how many were new and how many had been imported before.

A job is claimed with a compare-and-swap on (status, attempts) as the register imports are, so two
workers never take the same job, and a job whose worker died is taken again when its heartbeat is old.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.cases.models import Case, Channel
from grassroots.cases.services import case_likes_update, case_receive
from grassroots.core.jobs import claim_next
from grassroots.core.services import audit_record, export_audit
from grassroots.registers.reader import FileProblem
from grassroots.registers.specs.base import CellError
from grassroots.registers.xlsx import rows_bytes

from .hotline_fields import Categories, Record, clean_row, guess_mapping, mapping_problems
from .hotline_files import UPLOAD_MAX_BYTES, preview_rows, read_table, upload_kind
from .models import DEFAULT_SOURCE, HotlineImport, HotlineImportCase, HotlineMapping
from .placement import Gazetteer, PlaceProblem

log = logging.getLogger(__name__)
Status = HotlineImport.Status

CHUNK = 200
MAX_STORED = 5_000
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=15)
SOURCE_MAX = 32

__all__ = ["UPLOAD_MAX_BYTES", "hotline_districts", "hotline_upload", "hotline_map", "hotline_claim",
           "hotline_run", "hotline_run_next"]


# --- who, where ---------------------------------------------------------------------------------


def hotline_districts(user) -> list[Area]:
    """The districts ``user`` may import hotline work orders for (dispatchers; every one for a superuser)."""
    scope = scope_for(user)
    districts = Area.objects.filter(level=Level.DISTRICT).order_by("code")
    if scope.is_superuser:
        return list(districts)
    codes = {code[:6] for code in scope.codes(Capability.DISPATCH_CASES)}
    return list(districts.filter(code__in=sorted(codes)))


def _fallback(user, district: Area) -> Area | None:
    """The team that takes a work order nobody can place (兜底): the importer's own street or
    community when they dispatch for one place only, else the district (None)."""
    scope = scope_for(user)
    roots = [c for c in scope.codes(Capability.DISPATCH_CASES) if c.startswith(district.code)]
    if scope.is_superuser or len(roots) != 1 or roots[0] == district.code:
        return None
    return Area.objects.filter(code=roots[0]).first()


def _clean_source(source: str) -> str:
    source = (source or "").strip() or DEFAULT_SOURCE
    if len(source) > SOURCE_MAX:
        raise ValidationError({"source": f"来源系统名称最多{SOURCE_MAX}个字"})
    return source


# --- upload and mapping -------------------------------------------------------------------------


@transaction.atomic
def hotline_upload(*, user, upload, source: str = DEFAULT_SOURCE, district_code: str = "") -> HotlineImport:
    """Keep an uploaded export with its headers and first rows, and a proposed column mapping (the
    one saved for this source, else guessed from the headers). ValidationError/PermissionDenied in Chinese."""
    districts = hotline_districts(user)
    if not districts:
        raise PermissionDenied("您没有导入热线工单的权限：需要区、街道或社区的受理派单权限")
    if district_code:
        district = next((d for d in districts if d.code == district_code), None)
        if district is None:
            raise ValidationError({"district": f"您不能为区县“{district_code}”导入工单"})
    elif len(districts) == 1:
        district = districts[0]
    else:
        raise ValidationError({"district": "请选择导入到哪个区县"})
    source = _clean_source(source)
    if upload is None:
        raise ValidationError({"file": "请选择 12345 系统导出的 .xlsx 或 .csv 文件"})
    try:
        kind = upload_kind(upload)
        table = read_table(upload, kind)
        preview = preview_rows(table)
    except FileProblem as problem:
        raise ValidationError({"file": problem.message}) from None
    if len(table.headers) < 2:
        raise ValidationError({"file": "没有找到表头：第一行（或标题行下面一行）应是各列的名称，如“工单编号、诉求内容”"})
    saved = HotlineMapping.objects.filter(district_code=district.code, source=source).first()
    job = HotlineImport(
        original_name=(upload.name or f"upload.{kind}")[-200:], kind=kind, encoding=table.encoding,
        source=source, headers=table.headers, header_row=table.header_row, preview=preview,
        mapping=guess_mapping(table.headers, saved.mapping if saved else None), district_code=district.code,
        created_by=user,
    )
    upload.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
    job.save()
    audit_record(actor=user, action="intake.hotline_upload", obj=job,
                 detail={"file": job.original_name, "source": source, "kind": kind, "encoding": table.encoding})
    return job


@transaction.atomic
def hotline_map(*, job: HotlineImport, user, mapping: dict[str, str]) -> HotlineImport:
    """Confirm the column mapping, remember it for the source, and queue the job for the worker."""
    locked = HotlineImport.objects.select_for_update().get(pk=job.pk)
    if locked.created_by_id != getattr(user, "pk", None) and not scope_for(user).is_superuser:
        raise PermissionDenied("只有上传该文件的人可以确认列对应关系")
    if locked.status not in (Status.MAPPING, Status.FAILED):
        raise ValidationError({"mapping": "该文件已提交导入，不能再修改列对应关系"})
    mapping = {k: v for k, v in mapping.items() if v}
    if problems := mapping_problems(mapping, locked.headers):
        raise ValidationError({"mapping": problems})
    now = timezone.now()
    locked.mapping = mapping
    locked.status = Status.QUEUED
    locked.queued_at = now
    for name in ("total_rows", "processed_rows", "created_count", "existing_count", "error_count", "attempts"):
        setattr(locked, name, 0)
    locked.errors, locked.notes, locked.started_at, locked.finished_at = [], [], None, None
    locked.save()
    HotlineMapping.objects.update_or_create(district_code=locked.district_code, source=locked.source,
                                            defaults={"mapping": mapping, "updated_by": user})
    audit_record(actor=user, action="intake.hotline_map", obj=locked, detail={"mapping": mapping})
    return locked


# --- claim and run ------------------------------------------------------------------------------


ERROR_HEADERS = ["行号", "列", "填写的值", "错误说明"]


def hotline_errors_export(*, user, job: HotlineImport) -> bytes:
    """The rejected rows of a 12345 import as .xlsx — the values as the file had them (callers' names and
    phones, masked by the checks that refused them) — audited (``hotline.import_errors.export``) with the
    job, its source and the row count. The caller found the job through ``hotline_job_get_for``."""
    rows = [[e.get("row") or "", e.get("column", ""), e.get("value", ""), e.get("message", "")] for e in job.errors]
    content = rows_bytes("错误", ERROR_HEADERS, rows)
    export_audit(actor=user, kind="hotline.import_errors", obj=job, rows=len(rows), fields=ERROR_HEADERS,
                 filters={"job": job.pk, "source": job.source}, unmasked=[], district_code=job.district_code)
    return content


def hotline_claim(*, worker: str, stale_after: timedelta = STALE_AFTER) -> HotlineImport | None:
    """Take the oldest queued job (or one whose worker died); None when there is none."""
    def give_up(pk: int, status: str, attempts: int) -> None:
        _finish_failed(pk, [_file_error(f"处理过程被中断了{attempts}次，所有工单均未导入。请重新上传，或联系管理员")],
                       status=status, attempts=attempts)

    return claim_next(HotlineImport.objects, worker=worker, stale_after=stale_after,
                      order_by=("queued_at", "pk"), max_attempts=MAX_ATTEMPTS, give_up=give_up,
                      queued=Status.QUEUED, running=(Status.VALIDATING, Status.WRITING), claimed=Status.VALIDATING)


def hotline_run_next(*, worker: str) -> bool:
    """Claim and run one job; False when there was none (the worker's task)."""
    job = hotline_claim(worker=worker)
    if job is None:
        return False
    hotline_run(job=job)
    return True


@dataclass
class _Checked:
    records: list[tuple[Record, Any]]  # (record, placement) of every clean row
    errors: list[CellError]
    notes: list[CellError]
    existing: int


def hotline_run(*, job: HotlineImport) -> HotlineImport:
    """Validate every row, then write them all in one transaction; or record every error."""
    try:
        if job.status != Status.VALIDATING:
            _touch(job, status=Status.VALIDATING, started_at=timezone.now())
        checked = _validate(job)
        if checked.errors:
            _fail(job, checked.errors, checked.notes)
        else:
            _touch(job, status=Status.WRITING, processed_rows=job.total_rows)
            _write(job, checked)
    except FileProblem as problem:
        _fail(job, [_file_error(problem.message)], [])
    except Exception:
        log.exception("hotline import %s failed", job.pk)
        _fail(job, [_file_error(f"导入时发生内部错误，所有工单均未导入。请联系管理员（任务编号 {job.pk}）")], [])
    job.refresh_from_db()
    return job


def _file_error(message: str) -> CellError:
    return CellError(row=None, column="", value="", message=f"文件：{message}")


def _validate(job: HotlineImport) -> _Checked:
    user = job.created_by
    if user is None or not user.is_active:
        raise FileProblem("导入人的账号已停用，所有工单均未导入")
    district = Area.objects.filter(code=job.district_code, level=Level.DISTRICT).first()
    if district is None or district not in hotline_districts(user):
        raise FileProblem("导入人已没有该区县的受理派单权限，所有工单均未导入")
    with job.file.open("rb") as source:
        table = read_table(source, job.kind, job.encoding)
        position = {h: i for i, h in enumerate(table.headers)}
        columns = {key: position[header] for key, header in job.mapping.items() if header in position}
        if len(columns) != len(job.mapping):
            raise FileProblem("文件的表头与确认的列对应关系不一致，请重新上传")
        rows = [(n, {key: cells[i] for key, i in columns.items()}) for n, cells in table.rows]
    if not rows:
        raise FileProblem("文件只有表头，没有工单数据")
    _touch(job, total_rows=len(rows), processed_rows=0)
    headers = {key: job.mapping[key] for key in columns}
    categories, gazetteer, fallback = Categories(), Gazetteer.load(district), _fallback(user, district)
    scope, now = scope_for(user), timezone.now()
    checked = _Checked(records=[], errors=[], notes=[], existing=0)
    first_row: dict[str, int] = {}
    for start in range(0, len(rows), CHUNK):
        chunk = [clean_row(n, cells, headers, categories, now) for n, cells in rows[start:start + CHUNK]]
        known = set(Case.objects.filter(district_code=district.code, external_source=job.source,
                                        external_id__in=[r.external_id for r in chunk if r.external_id])
                    .values_list("external_id", flat=True))
        for rec in chunk:
            _check_duplicate(rec, first_row)
            placement = _place(rec, gazetteer, fallback, scope)
            checked.errors.extend(rec.errors)
            checked.notes.extend(rec.notes)
            if not rec.errors:
                checked.records.append((rec, placement))
                checked.existing += rec.external_id in known
        _touch(job, processed_rows=min(start + CHUNK, len(rows)))
    checked.errors.sort(key=lambda e: e.row or 0)
    return checked


def _check_duplicate(rec: Record, first_row: dict[str, int]) -> None:
    if not rec.external_id:
        return
    if rec.external_id in first_row:
        rec.error("external_id", rec.external_id,
                  f"与第{first_row[rec.external_id]}行的工单编号相同；同一工单只能出现一次，请删除重复的行")
    else:
        first_row[rec.external_id] = rec.row


def _place(rec: Record, gazetteer: Gazetteer, fallback: Area | None, scope) -> Any:
    """The row's placement, or None with an error on the row (a bad location, or outside the
    importer's area). A row nobody can place gets a hint saying who takes it."""
    try:
        placement = gazetteer.place(lat=rec.lat, lng=rec.lng, area_text=rec.area_text, address=rec.address,
                                    fallback=fallback)
    except PlaceProblem as problem:
        key = "area" if problem.field == "area" else ("lat" if "lat" in rec.headers else "lng")
        raw = rec.area_text if key == "area" else f"经度 {rec.lng or '（空）'}，纬度 {rec.lat or '（空）'}"
        hint = "，坐标请用十进制度数，如 经度 110.7512、纬度 32.6051" if "不是数字" in problem.message else ""
        message = problem.message.split("，请填写十进制度数")[0].replace("；是否把经度和纬度填反了？", "，可能把经度和纬度填反了")
        rec.error(key, raw, message + hint)
        return None
    code = placement.area.code if placement.area else placement.district_code
    if not scope.can_at(Capability.DISPATCH_CASES, code):
        if placement.how == "fallback":
            rec.error("external_id", rec.external_id, "无法确定该工单在哪个网格或社区；请填写坐标、区域名称或详细地址")
            return None
        key = {"coordinates": "lat", "area": "area"}.get(placement.how, "address")
        name = placement.area.name if placement.area else code
        rec.error(key, {"lat": rec.lat, "area": rec.area_text}.get(key, rec.address),
                  f"该工单定位在“{name}”，不在您的受理范围内；请删除这一行，交由该地的街道或社区导入")
        return None
    if placement.note or placement.how == "fallback":
        where = placement.area.name if placement.area else gazetteer.district.name
        hint = placement.note + "；" if placement.note else ""
        rec.note("address" if "address" in rec.headers else "external_id", rec.address,
                 f"{hint}未能定位到网格或楼栋，由{where}兜底受理")
    return placement


def _write(job: HotlineImport, checked: _Checked) -> None:
    try:
        with transaction.atomic():
            HotlineImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # row lock until commit
            links, created = [], 0
            for rec, placement in checked.records:
                case, new = _receive(job, rec, placement)
                created += new
                links.append(HotlineImportCase(job=job, case=case, row=rec.row, created=new, placed_by=placement.how,
                                               reported_at=rec.reported_at, due_at=rec.due_at,
                                               district_code=job.district_code))
            HotlineImportCase.objects.bulk_create(links, batch_size=500)
            existing = len(links) - created
            audit_record(actor=job.created_by, action="intake.hotline_import", obj=job,
                         detail={"file": job.original_name, "source": job.source, "created": created,
                                 "existing": existing})
            HotlineImport.objects.filter(pk=job.pk).update(
                status=Status.DONE, created_count=created, existing_count=existing, processed_rows=job.total_rows,
                errors=[], error_count=0, notes=[n.as_dict() for n in checked.notes[:MAX_STORED]],
                finished_at=timezone.now(), heartbeat_at=timezone.now())
    except _RowRefused as refused:
        _fail(job, [refused.error], checked.notes)
    except IntegrityError:
        log.warning("hotline import %s: conflict while writing", job.pk, exc_info=True)
        _fail(job, [_file_error("写入时与同时进行的另一次导入冲突，所有工单均未导入，请稍后重新导入")], checked.notes)


class _RowRefused(Exception):
    def __init__(self, error: CellError):
        super().__init__(error.message)
        self.error = error


def _receive(job: HotlineImport, rec: Record, placement) -> tuple[Case, bool]:
    case, created = _receive_case(job, rec, placement)
    if not created and (rec.likes is not None or rec.dislikes is not None):  # the file again, newer counts
        case_likes_update(case=case, likes=rec.likes, dislikes=rec.dislikes, actor=job.created_by)
    return case, created


def _receive_case(job: HotlineImport, rec: Record, placement) -> tuple[Case, bool]:
    try:
        return case_receive(
            title=rec.title, body=rec.body, channel=Channel.HOTLINE, actor=job.created_by, area=placement.area,
            lat=placement.lat if placement.area else None, lng=placement.lng if placement.area else None,
            district_code=placement.district_code, address=rec.address, category=rec.category,
            urgency=rec.urgency, contact_name=rec.contact_name, contact_phone=rec.contact_phone,
            external_source=job.source, external_id=rec.external_id, received_at=rec.reported_at,
            deadline=rec.due_at, likes=rec.likes, dislikes=rec.dislikes,
        )
    except ValidationError as exc:
        problems = "；".join(exc.messages)
        raise _RowRefused(CellError(rec.row, "", "", f"第{rec.row}行：写入时被拒绝：{problems}。所有工单均未导入，"
                                                      "请核对这一行后重新导入")) from None
    except PermissionDenied as exc:
        raise _RowRefused(CellError(rec.row, "", "", f"第{rec.row}行：{exc}。所有工单均未导入")) from None


# --- progress -----------------------------------------------------------------------------------


def _touch(job: HotlineImport, **fields: Any) -> None:
    """Save progress at once (autocommit), so the job page can show it while the worker works."""
    fields.setdefault("heartbeat_at", timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    try:
        HotlineImport.objects.filter(pk=job.pk).update(**fields)
    except OperationalError:  # SQLite busy with another writer: progress can wait for the next chunk
        log.info("hotline import %s: progress not saved (database busy)", job.pk)
        if "status" in fields:
            raise


def _fail(job: HotlineImport, errors: list[CellError], notes: list[CellError]) -> None:
    stored = [e.as_dict() for e in errors[:MAX_STORED]]
    if len(errors) > MAX_STORED:
        stored.append(_file_error(f"另有{len(errors) - MAX_STORED}处错误未列出：请先改正以上错误后重新导入").as_dict())
    try:
        HotlineImport.objects.filter(pk=job.pk).update(
            status=Status.FAILED, errors=stored, error_count=len(errors),
            notes=[n.as_dict() for n in notes[:MAX_STORED]], finished_at=timezone.now(),
            heartbeat_at=timezone.now())
    except DatabaseError:
        log.exception("hotline import %s: could not record its failure", job.pk)


def _finish_failed(pk: int, errors: list[CellError], *, status: str, attempts: int) -> None:
    HotlineImport.objects.filter(pk=pk, status=status, attempts=attempts).update(
        status=Status.FAILED, errors=[e.as_dict() for e in errors], error_count=len(errors),
        finished_at=timezone.now())
