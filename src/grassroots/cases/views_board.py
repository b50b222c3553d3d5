"""The dispatch board (派单台): what waits for a community, street or district dispatcher, with
bulk accept and bulk dispatch (all ticked cases, or none)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grassroots.core.paging import TwoReadsPaginator

from . import selectors, slots
from .forms import BoardFilterForm, BulkForm

PAGE_SIZE = 50


def _board_context(request: HttpRequest, bulk: BulkForm | None = None, query: str = "") -> dict:
    user = request.user
    params = QueryDict(query) if query else request.GET
    form = BoardFilterForm(params or None, user=user)
    values = form.values()
    qs = selectors.board_cases_for(user, kind=values["kind"], include_lower=values["include_lower"])
    qs = selectors.cases_filter(qs, **values["filters"])
    page = TwoReadsPaginator(qs, PAGE_SIZE).get_page(params.get("page"))
    ticked = set(bulk.data.getlist("cases")) if bulk is not None and bulk.is_bound else set()
    rows = selectors.board_rows(page.object_list)
    return {
        "form": form, "page": page, "rows": rows,
        "slot_rows": slots.board_rows(request, [row.case for row in rows]),  # what other apps add to a row
        "bulk": bulk or BulkForm(user=user), "allowed": selectors.is_dispatcher_somewhere(user),
        "ticked": ticked, "query": params.urlencode(),
    }


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/board.html", _board_context(request))


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk accept or dispatch the ticked cases; on any failure nothing is written and the board
    comes back with the ticks kept and each failing case named."""
    form = BulkForm(request.POST, user=request.user)
    query = request.POST.get("query", "")
    if form.submit():
        verb = BulkForm.ACTIONS[form.cleaned_data["action"]]
        messages.success(request, _("已%(verb)s %(n)s 件诉求") % {"verb": verb, "n": len(form.done)})
        return redirect(reverse("cases:board") + (f"?{QueryDict(query).urlencode()}" if query else ""))
    return render(request, "cases/board.html", _board_context(request, bulk=form, query=query), status=400)
