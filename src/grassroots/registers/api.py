"""JSON API of the register imports: upload a spreadsheet (multipart) and follow its job."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from .models import ImportJob
from .selectors import jobs_visible_to
from .services import import_job_create
from .specs import REGISTERS

router = Router()


class RegisterOut(Schema):
    key: str
    label: str
    headers: list[str]


class CellErrorOut(Schema):
    row: int | None
    column: str
    value: str
    message: str


class JobOut(Schema):
    id: int
    register_key: str
    original_name: str
    status: str
    status_label: str
    total_rows: int
    processed_rows: int
    percent: int
    created_count: int
    error_count: int
    finished: bool
    created_at: datetime
    finished_at: datetime | None


class JobDetailOut(JobOut):
    result: dict
    errors: list[CellErrorOut]


def _job_out(job: ImportJob, *, detail: bool = False) -> dict:
    out = {
        "id": job.pk, "register_key": job.register, "original_name": job.original_name, "status": job.status,
        "status_label": job.get_status_display(), "total_rows": job.total_rows,
        "processed_rows": job.processed_rows, "percent": job.percent, "created_count": job.created_count,
        "error_count": job.error_count, "finished": job.is_finished, "created_at": job.created_at,
        "finished_at": job.finished_at,
    }
    if detail:
        out |= {"result": job.result or {}, "errors": job.errors}
    return out


@router.get("/", response=list[RegisterOut], summary="台账列表（表头即模板的列）")
def register_list(request):
    return [{"key": r.key, "label": r.label, "headers": r.headers()} for r in REGISTERS.values()]


@router.get("/jobs", response=list[JobOut], summary="我的导入任务（最近50个）")
def job_list(request):
    return [_job_out(job) for job in jobs_visible_to(request.user)[:50]]


@router.get("/jobs/{job_id}", response=JobDetailOut, summary="导入任务的状态、进度、结果和全部错误")
def job_detail(request, job_id: int):
    jobs = ImportJob.objects.all() if request.user.is_superuser else ImportJob.objects.filter(created_by=request.user)
    return _job_out(get_object_or_404(jobs, pk=job_id), detail=True)


@router.post("/{key}/import", response={201: JobOut}, summary="上传 .xlsx 导入（排队后由后台处理）")
def job_create(request, key: str, file: File[UploadedFile]):
    if key not in REGISTERS:
        raise HttpError(404, "台账不存在")
    try:
        job = import_job_create(user=request.user, register=key, upload=file)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "没有权限") from None
    except ValidationError as exc:
        raise HttpError(400, "；".join(exc.messages)) from None
    return Status(201, _job_out(job))
