"""The staff case list and its .xlsx export. Thin: the filter form, one selector, render.

The board is in ``views_board``, the detail page and its actions in ``views_detail``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.core.paging import CappedPaginator
from grassroots.registers.xlsx import XLSX_MIME

from . import selectors
from .forms import CaseFilterForm
from .services import cases_export

PAGE_SIZE = 30


def _filtered(request: HttpRequest):
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    qs, counted = selectors.staff_case_list(request.user, filters)
    return form, filters, qs, counted


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form, _filters, qs, counted = _filtered(request)
    # counted up to a cap, over the index of the user's places: not the whole history on every view
    page = CappedPaginator(qs, PAGE_SIZE, count_from=counted).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {
        "form": form, "page": page, "rows": selectors.case_rows(page.object_list),
        "allowed": selectors.is_case_staff(request.user), "export_query": request.GET.urlencode(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)  # the list unfiltered, with the error


@login_required
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    form, filters, qs, _counted = _filtered(request)
    if form.is_bound and not form.is_valid():  # never export "everything" because a filter was wrong
        return render(request, "cases/list.html", {
            "form": form, "page": None, "rows": [], "allowed": selectors.is_case_staff(request.user),
            "export_query": request.GET.urlencode()}, status=400)
    content, _count = cases_export(user=request.user, cases=qs, filters=filters)
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
