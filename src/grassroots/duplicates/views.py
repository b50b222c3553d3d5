"""Pages of the duplicate finder: the live "similar open cases nearby" on the staff entry form, the
side-by-side comparison of a pair with merge and "不是重复", and the rating a merged case's
resident gives the original. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grassroots.areas.models import Area
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case
from grassroots.cases.selectors import is_case_staff, staff_cases_for
from grassroots.portal.views import tracked

from . import selectors
from .models import DuplicateCandidate
from .services import candidate_dismiss, duplicate_merge, merged_rate

LIVE_MIN_CHARS = 6


def _float(value: str) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if -180.0 <= f <= 180.0 else None


@login_required
@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """HTMX: open cases near the draft on the staff entry form that read like it (only cases the
    user may see; their public text, never a contact)."""
    if not is_case_staff(request.user):
        raise PermissionDenied(_("只有工作人员可以查看相似诉求"))
    g = request.GET
    text = selectors.case_text(g.get("title", "")[:200], g.get("description", "")[:5000])
    lat, lng = _float(g.get("lat", "")), _float(g.get("lng", ""))
    area = None
    building = (g.get("building") or "").strip()
    if building.isdigit():
        area = Area.objects.filter(code=building).only("code", "lat", "lng").first()
    if (lat is None or lng is None) and area is not None and area.lat is not None:
        lat, lng = area.lat, area.lng
    district = (g.get("d") or (area.code[:6] if area else "")).strip()[:6]
    rows = []
    if len(text) >= LIVE_MIN_CHARS and district and (lat is not None or area is not None):
        query = selectors.draft_item(text=text, lat=lat, lng=lng, area_code=area.code if area else "")
        base = staff_cases_for(request.user)
        found = selectors.similar_open_cases(query, district_code=district, base=base)
        by_pk = {c.pk: c for c in base.filter(pk__in=[m.id for m in found]).select_related("area")}
        rows = [(by_pk[m.id], m) for m in found if m.id in by_pk]
    return render(request, "duplicates/_live.html", {"rows": rows, "asked": len(text) >= LIVE_MIN_CHARS})


def _pair_or_404(request: HttpRequest, pk: int) -> selectors.Pair:
    try:
        return selectors.pair_get(request.user, pk)
    except DuplicateCandidate.DoesNotExist:
        raise Http404(_("疑似重复记录不存在或您无权查看")) from None


@login_required
@require_GET
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    """The two texts side by side, with 合并 and 不是重复."""
    p = _pair_or_404(request, pk)
    return render(request, "duplicates/pair.html", {"pair": p, "can_decide": selectors.can_decide(request.user, p)})


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    p = _pair_or_404(request, pk)
    try:
        duplicate_merge(case=p.case, into=p.original, actor=request.user, note=request.POST.get("note", "")[:5000])
    except TransitionNotAllowed:
        p.case.refresh_from_db()
        if p.case.status == Case.Status.MERGED and p.case.merged_into_id == p.original.pk:
            messages.info(request, _("%(code)s 已合并到 %(into)s（无需重复操作）") % {"code": p.case.code, "into": p.original.code})
        else:
            messages.error(request, _("%(code)s 当前状态为“%(status)s”，不能合并") % {
                "code": p.case.code, "status": p.case.get_status_display()})
            return redirect("duplicates:pair", pk=pk)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
        return redirect("duplicates:pair", pk=pk)
    else:
        messages.success(request, _("已把 %(code)s 合并到 %(into)s，反映人会收到通知") % {
            "code": p.case.code, "into": p.original.code})
    return redirect(reverse("cases:detail", args=[p.original.pk]))


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    p = _pair_or_404(request, pk)
    try:
        candidate_dismiss(candidate=p.row, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("duplicates:pair", pk=pk)
    messages.success(request, _("已判定 %(a)s 与 %(b)s 不是重复") % {"a": p.case.code, "b": p.original.code})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else
                    reverse("cases:detail", args=[p.case.pk]))


@require_POST
@tracked
def rate(request: HttpRequest, case: Case, code: str) -> HttpResponse:
    """The resident of a merged case rates the original (once it is answered)."""
    try:
        merged_rate(case=case, rating=request.POST.get("rating", ""), comment=request.POST.get("comment", ""),
                    actor=request.user, tracking_code=case.tracking_code)
    except TransitionNotAllowed as exc:
        messages.info(request, str(exc))
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("portal:track", code=case.tracking_code)
