"""Pages of the 12345 hotline import: upload → column mapping → progress and result. Thin: look up,
call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.registers.xlsx import XLSX_MIME

from .hotline import UPLOAD_MAX_BYTES, hotline_districts, hotline_errors_export, hotline_map, hotline_upload
from .hotline_fields import FIELDS
from .models import DEFAULT_SOURCE, HotlineImport
from .placement import HOW_LABELS
from .selectors import hotline_job_cases, hotline_job_get_for, hotline_jobs_visible_to, hotline_sources

ERRORS_ON_PAGE = 300
Status = HotlineImport.Status


def _job(request: HttpRequest, pk: int) -> HotlineImport:
    try:
        return hotline_job_get_for(request.user, pk)
    except HotlineImport.DoesNotExist:
        raise Http404(_("导入任务不存在")) from None


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    districts = hotline_districts(request.user)
    return render(request, "intake/hotline_index.html", {
        "districts": districts, "sources": hotline_sources([d.code for d in districts]) or [DEFAULT_SOURCE],
        "default_source": DEFAULT_SOURCE, "jobs": hotline_jobs_visible_to(request.user)[:20],
        "max_mb": UPLOAD_MAX_BYTES // 1024 // 1024, "fields": FIELDS,
    })


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    try:
        job = hotline_upload(user=request.user, upload=request.FILES.get("file"),
                             source=request.POST.get("source", ""), district_code=request.POST.get("district", ""))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("intake:hotline")
    except ValidationError as exc:
        for message in _messages(exc):
            messages.error(request, message)
        return redirect("intake:hotline")
    return redirect("intake:hotline_mapping", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status not in (Status.MAPPING, Status.FAILED):
        return redirect("intake:hotline_job", pk=job.pk)
    chosen, problems = dict(job.mapping), []
    if request.method == "POST":
        chosen = {f.key: request.POST.get(f"map_{f.key}", "") for f in FIELDS}
        try:
            hotline_map(job=job, user=request.user, mapping=chosen)
        except PermissionDenied as exc:
            raise Http404(str(exc)) from None
        except ValidationError as exc:
            problems = _messages(exc)
        else:
            return redirect("intake:hotline_job", pk=job.pk)
    rows = [{"field": f, "chosen": chosen.get(f.key, ""),
             "sample": _sample(job, chosen.get(f.key, ""))} for f in FIELDS]
    return render(request, "intake/hotline_mapping.html", {
        "job": job, "rows": rows, "problems": problems, "preview": job.preview,
    }, status=400 if problems else 200)


def _sample(job: HotlineImport, header: str) -> str:
    if header not in job.headers or not job.preview:
        return ""
    i = job.headers.index(header)
    values = [row[i] for row in job.preview if i < len(row) and row[i]]
    return values[0] if values else ""


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    if found.status == Status.MAPPING:
        return redirect("intake:hotline_mapping", pk=found.pk)
    context = {
        "job": found, "errors": found.errors[:ERRORS_ON_PAGE],
        "more_errors": max(0, found.error_count - ERRORS_ON_PAGE), "notes": found.notes[:ERRORS_ON_PAGE],
        "cases": _cases(request, found) if found.status == Status.DONE else [],
    }
    name = "intake/_hotline_status.html" if request.headers.get("HX-Request") else "intake/hotline_job.html"
    response = render(request, name, context)
    add_never_cache_headers(response)
    return response


def _cases(request: HttpRequest, found: HotlineImport) -> list:
    """The job's rows, each with how it was placed and a link to the staff case page (when the user
    may open the case and the cases app has the page)."""
    rows = hotline_job_cases(request.user, found)
    for row in rows:
        row.how_label = HOW_LABELS.get(row.placed_by, "")
        area = row.case.area
        row.place = (f"{area.parent.name} {area.name}" if area and area.level == "building" and area.parent
                     else (area.name if area else ""))
        try:
            row.url = reverse("cases:detail", args=[row.case_id]) if row.visible else ""
        except NoReverseMatch:
            row.url = ""
    return rows


@login_required
@require_GET
def job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    response = HttpResponse(hotline_errors_export(user=request.user, job=found), content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True,
                                                                 filename=f"工单导入错误-{found.pk}.xlsx")
    add_never_cache_headers(response)
    return response
