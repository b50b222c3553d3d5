"""The case detail page: every field, the map, the photos, the full internal timeline, the whistle
tasks, and the action panel (exactly ``case_actions_for``), each action a small HTMX form."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors
from .forms_actions import ACTION_FORMS, ActionForm, action_form, action_forms_for
from .models import Case
from .services import case_contact_reveal
from .views_shared import case_or_404, is_htmx


def _context(request: HttpRequest, case: Case, bound: ActionForm | None = None) -> dict:
    user = request.user
    forms = action_forms_for(user, case)
    if bound is not None:
        forms = [bound if f.action == bound.action else f for f in forms]
        if bound.action not in {f.action for f in forms}:
            forms.insert(0, bound)
    return {
        "case": case, "row": selectors.case_rows([case])[0], "forms": forms,
        "timeline": selectors.case_timeline_internal(case), "tasks": selectors.whistle_tasks_of(case),
        "photos": selectors.case_photos(case), "map": selectors.case_map_data(case),
        "can_reveal": selectors.can_reveal_contact(user, case) and bool(
            case.contact_name_masked or case.contact_phone_masked),
        "category_path": " / ".join(case.category.path_names()) if case.category else "",
        "tile_url": settings.GRASSROOTS_TILE_URL, "tile_attribution": settings.GRASSROOTS_TILE_ATTRIBUTION,
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request.user, pk)
    return render(request, "cases/detail.html", _context(request, case))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action on the case through its service. Success: back to the page with a message.
    Refused (bad input, the case moved on meanwhile, not this user): the form again with the
    reason, and nothing written."""
    case = case_or_404(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404(_("没有这个操作"))
    form = action_form(action, request.POST, case=case, user=request.user, prefix=action)
    event = form.submit()
    url = reverse("cases:detail", args=[case.pk])
    if event is not None:
        messages.success(request, _("已%(label)s：%(code)s") % {"label": form.label, "code": case.code})
        if not selectors.staff_cases_for(request.user).filter(pk=case.pk).exists():
            messages.info(request, _("该诉求已不在您的办理范围内"))  # e.g. a unit that returned it
            url = reverse("cases:list")
        if is_htmx(request):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if is_htmx(request):
        return render(request, "cases/_action.html", {"form": form, "case": case, "open": True})
    return render(request, "cases/detail.html", _context(request, case, bound=form), status=400)


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's full name and phone (an HTMX fragment), permission-checked and audited."""
    case = case_or_404(request.user, pk)
    try:
        name, phone = case_contact_reveal(case=case, actor=request.user)
    except PermissionDenied as exc:
        response = render(request, "cases/_reveal_denied.html", {"message": str(exc)}, status=403)
    else:
        response = render(request, "cases/_revealed.html", {"name": name, "phone": phone, "case": case})
    add_never_cache_headers(response)
    return response
