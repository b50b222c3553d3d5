"""微心愿 pages: the public wall of a community (no login; nothing personal), claiming, the claimer's
page with the proof photo, and the community's page to publish and confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.core import crypto, errors
from grassroots.portal.views import _district

from .models import Wish
from .selectors import managed, my_claims, wall, wall_counts
from .services import (
    may_manage,
    wish_cancel,
    wish_claim,
    wish_confirm,
    wish_fulfil,
    wish_publish,
    wish_release,
)


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    communities = Area.objects.under(district.code).filter(level=Level.COMMUNITY).select_related("parent").order_by("code")
    rows = [(c, wall_counts(c)) for c in communities]
    return render(request, "wishes/index.html", {"rows": rows, "active": "wishes"})


@require_GET
def community_wall(request: HttpRequest, code: str) -> HttpResponse:
    community = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if community is None:
        raise Http404(_("没有这个社区"))
    return render(request, "wishes/wall.html", {"community": community, "wishes": wall(community), "active": "wishes",
                                                "statuses": dict(Wish.Status.choices), "kinds": dict(Wish.Kind.choices)})


@login_required(login_url="portal:signin")
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    wish = outlines_unread(Wish.objects.select_related("community")).filter(pk=pk).first()
    if wish is None:
        raise Http404(_("没有这个心愿"))
    try:
        wish_claim(wish=wish, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
        return redirect("wishes:wall", code=wish.community.code)
    messages.success(request, _("认领成功，完成后请上传照片"))
    return redirect("wishes:mine")


@login_required(login_url="portal:signin")
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        wish = my_claims(request.user).filter(pk=request.POST.get("wish") or 0).first()
        if wish is None:
            raise Http404(_("没有这个心愿"))
        try:
            if request.POST.get("action") == "release":
                wish_release(wish=wish, user=request.user)
                messages.success(request, _("已放弃认领"))
            else:
                wish_fulfil(wish=wish, user=request.user, photo=request.FILES.get("photo"), note=request.POST.get("note", ""))
                messages.success(request, _("已提交，社区确认后心愿即实现"))
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        return redirect("wishes:mine")
    return _private(render(request, "wishes/mine.html", {"rows": my_claims(request.user), "active": "wishes"}))


@login_required
@require_GET
def proof(request: HttpRequest, pk: int) -> HttpResponse:
    wish = outlines_unread(Wish.objects.select_related("community")).filter(pk=pk).first()
    if wish is None or not wish.proof or not (wish.claimed_by_id == request.user.pk
                                              or may_manage(request.user, wish.community.code)):
        raise Http404(_("照片不存在"))
    response = FileResponse(wish.proof.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    communities = [c for c in Area.objects.under(district.code).filter(level=Level.COMMUNITY).order_by("code")
                   if may_manage(request.user, c.code)]
    if not communities and not request.user.is_superuser:
        raise PermissionDenied(_("微心愿由社区工作人员发布"))
    problems: dict = {}
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("action") == "publish":
                community = next((c for c in communities if c.code == data.get("community")), None)
                wish_publish(community=community, actor=request.user, title=data.get("title", ""),
                             story=data.get("story", ""), private_name=data.get("private_name", ""),
                             private_contact=data.get("private_contact", ""), kind=data.get("kind", "goods"))
                messages.success(request, _("微心愿已发布"))
            else:
                wish = managed(request.user).filter(pk=data.get("wish") or 0).first()
                if wish is None:
                    raise Http404(_("没有这个心愿"))
                if data.get("action") == "cancel":
                    wish_cancel(wish=wish, actor=request.user, reason=data.get("reason", ""))
                else:
                    wish_confirm(wish=wish, actor=request.user, confirmed=data.get("action") == "confirm",
                                 reason=data.get("reason", ""))
                messages.success(request, _("已处理"))
            return redirect("wishes:manage")
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    rows = managed(request.user).order_by("status", "-published_at")[:300]
    for row in rows:
        row.private_contact = crypto.mask_numbers(crypto.decrypt(row.private_contact_enc)) if row.private_contact_enc else ""
    return _private(render(request, "wishes/manage.html", {
        "communities": communities, "rows": rows, "errors": problems, "data": request.POST, "kinds": Wish.Kind.choices},
        status=400 if problems else 200))
