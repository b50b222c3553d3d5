"""Pages of the register imports and exports. Thin: look up, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from .models import ImportJob
from .selectors import job_get_for, jobs_visible_to
from .services import import_errors_export, import_job_create, register_export
from .specs import REGISTERS, Register
from .xlsx import XLSX_MIME, template_bytes

ERRORS_ON_PAGE = 500
RESULT_LABELS = {
    "created": "新增", "households_created": "新建户", "persons_created": "新增人员",
    "persons_matched": "匹配到已登记人员", "phones_filled": "补填手机号",
}


def _register(key: str) -> type[Register]:
    if key not in REGISTERS:
        raise Http404("台账不存在")
    return REGISTERS[key]


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    add_never_cache_headers(response)
    return response


def _label(job: ImportJob) -> str:
    register = REGISTERS.get(job.register)
    return register.label if register else job.register


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    registers = [
        {"key": r.key, "label": r.label, "headers": r.headers(), "can_export": scope.can(r.view_capability)}
        for r in REGISTERS.values()
    ]
    jobs = list(jobs_visible_to(request.user)[:20])
    for job in jobs:
        job.register_label = _label(job)
    return render(request, "registers/index.html", {
        "registers": registers, "can_import": scope.can(Capability.MANAGE_REGISTERS), "jobs": jobs,
    })


@login_required
@require_GET
def template(request: HttpRequest, register: str) -> HttpResponse:
    spec = _register(register)
    return _xlsx(template_bytes(spec), f"{spec.label}台账模板.xlsx")


@login_required
@require_GET
def export(request: HttpRequest, register: str) -> HttpResponse:
    spec = _register(register)
    content = register_export(user=request.user, register=register)
    return _xlsx(content, f"{spec.label}台账-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_POST
def upload(request: HttpRequest, register: str) -> HttpResponse:
    _register(register)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请先选择要导入的 .xlsx 文件")
        return redirect("registers:index")
    try:
        job = import_job_create(user=request.user, register=register, upload=upload)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("registers:index")
    return redirect("registers:job", pk=job.pk)


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = job_get_for(request.user, pk)
    except ImportJob.DoesNotExist:
        raise Http404("导入任务不存在") from None
    context = {
        "job": found, "register_label": _label(found), "errors": found.errors[:ERRORS_ON_PAGE],
        "more_errors": max(0, found.error_count - ERRORS_ON_PAGE),
        "summary": [(label, found.result[k]) for k, label in RESULT_LABELS.items()
                    if k != "created" and (found.result or {}).get(k)],
    }
    name = "registers/_job_status.html" if request.headers.get("HX-Request") else "registers/job.html"
    response = render(request, name, context)
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = job_get_for(request.user, pk)
    except ImportJob.DoesNotExist:
        raise Http404("导入任务不存在") from None
    return _xlsx(import_errors_export(user=request.user, job=found), f"导入错误-{found.pk}.xlsx")
