"""Resident pages (我的数据, 申请更正, 申请删除, 谁查看了我的号码) and the staff's request list."""

from __future__ import annotations

import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .models import PrivacyRequest
from .services import (
    correction_request,
    deletion_request,
    legal_holds,
    my_data,
    my_data_export,
    pending_for,
    person_of,
    request_decide,
    reveals_of,
)


def resident(view):
    def wrapped(request, *args, **kwargs):
        if person_of(request.user) is None:
            raise Http404(_("请先核验身份"))
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response
    return login_required(wrapped, login_url="portal:signin")


def _errors(exc: ValidationError) -> list[str]:
    return [m for ms in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]) for m in ms]


@resident
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "")
    content = my_data_export(request.user, fmt=fmt) if fmt in ("json", "xlsx") else my_data(request.user)
    if fmt == "json":
        response = HttpResponse(json.dumps(content, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)
        for title, rows in content.items():
            sheet = book.create_sheet(title.replace("/", "-"))
            rows = [rows] if isinstance(rows, dict) else rows
            if rows:
                sheet.append(list(rows[0].keys()))
                for row in rows:
                    sheet.append([str(v) for v in row.values()])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="my-data.xlsx"'
        return response
    mine = PrivacyRequest.objects.filter(user=request.user)[:20]
    return render(request, "privacy/data.html", {"sections": _shown(content), "mine": mine})


def _shown(content: dict) -> list[dict]:
    """The downloads' content as the page shows it: headings and labels in the page's language, one list
    of (label, value) pairs per record."""
    def pairs(row: dict) -> list[tuple[str, object]]:
        return [(_(k), v) for k, v in row.items()]

    return [{"key": title, "title": _(title), "one": isinstance(rows, dict),
             "rows": [pairs(rows)] if isinstance(rows, dict) else [pairs(r) for r in rows]}
            for title, rows in content.items()]


@resident
@require_http_methods(["GET", "POST"])
def correction(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        try:
            correction_request(user=request.user, field=request.POST.get("field", ""),
                               new_value=request.POST.get("new_value", ""), reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("更正申请已提交，社区审核后生效"))
            return redirect("privacy:data")
    return render(request, "privacy/correction.html", {"fields": PrivacyRequest.Field.choices, "errors": errors,
                                                       "values": request.POST}, status=422 if errors else 200)


@resident
@require_http_methods(["GET", "POST"])
def deletion(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        try:
            deletion_request(user=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("删除申请已提交，社区审核后处理"))
            return redirect("privacy:data")
    holds = legal_holds(person_of(request.user))
    return render(request, "privacy/deletion.html", {"errors": errors, "holds": holds},
                  status=422 if errors else 200)


@resident
@require_GET
def reveals(request: HttpRequest) -> HttpResponse:
    rows = reveals_of(request.user)
    for row in rows:  # the API's answer stays Chinese; the page follows the language
        row["who"] = _(row["who"]) if row["who"] in ("工作人员", "系统") else row["who"]
        row["field"] = "" if row["case"] else _(row["field"])
    return render(request, "privacy/reveals.html", {"rows": rows})


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/staff_list.html", {"rows": pending_for(request.user)[:200]})


@login_required
@require_POST
def staff_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = pending_for(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404(_("没有这项申请"))
    try:
        request_decide(item=item, actor=request.user, approve=request.POST.get("decision") == "approve",
                       reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(_errors(exc)) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("已处理"))
    return redirect("privacy:staff")
