"""What the staff pages and ``/api/cases`` share: the scoped fetch of one case, and HTMX detection."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from . import selectors
from .models import Case


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def case_or_404(user, pk: int) -> Case:
    """The case if ``user`` works on it; a 404 otherwise (never a 403 that confirms it exists)."""
    try:
        return selectors.staff_cases_for(user).get(pk=pk)
    except Case.DoesNotExist:
        raise Http404(_("诉求不存在或您无权查看")) from None
