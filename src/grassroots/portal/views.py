"""The resident's pages (public: report, result, tracking and rating), the resident's own list, the
staff's patrol/walk-in entry, and the photos behind them. Thin: parse, call one service, render.

Who may see a case's photos: staff who can see the case (``cases_visible_to``), the account that
reported it, or a browser that opened its tracking page with the right code (``note``).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.cases.attachments import MAX_PHOTOS, max_photo_bytes, photo_check, thumbnail_name
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseAttachment, Rating
from grassroots.cases.selectors import case_get_by_tracking_code, cases_visible_to
from grassroots.cases.services import case_rate

from . import note, throttle
from .forms import RatingForm, ReportForm, StaffReportForm
from .selectors import (
    building_label,
    buildings_search,
    case_public_view,
    cases_of_resident,
    grid_outlines,
    portal_district,
)
from .services import new_intake_key, report_submit

CROCKFORD_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_code(code: str) -> str:
    """What the resident typed, as stored: no spaces or dashes, upper case, O→0 and I/L→1."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum()).translate(CROCKFORD_LOOKALIKES)[:32]


def _district(request: HttpRequest) -> Area:
    district = portal_district(request.GET.get("d") or "")
    if district is None:
        raise Http404(_("本平台尚未设置所服务的区县"))
    return district


def _form_context(request: HttpRequest, form: ReportForm, district: Area, *, staff: bool) -> dict:
    building_code = form["building"].value() or ""
    building = Area.objects.filter(code=building_code, level="building").select_related(
        "parent__parent").first() if building_code.isdigit() else None
    return {
        "form": form, "district": district, "staff": staff, "max_photos": MAX_PHOTOS,
        "active": "" if staff else "new",
        "max_photo_mb": max_photo_bytes() // (1024 * 1024), "max_photo_bytes": max_photo_bytes(),
        "grids_url": reverse("portal:grids") + f"?d={district.code}",
        "buildings_url": reverse("portal:buildings") + f"?d={district.code}",
        "building": building, "building_label": building_label(building) if building else "",
    }


def _report(request: HttpRequest, *, staff: bool) -> HttpResponse:
    district = _district(request)
    form_class = StaffReportForm if staff else ReportForm
    if request.method == "POST":
        try:
            form = form_class(request.POST)
            files = request.FILES.getlist("photos")
        except RequestDataTooBig:
            return _too_big(request, form_class, district, staff=staff)
        if form.is_valid():
            try:
                result = report_submit(**form.submit_kwargs(), actor=request.user, district=district,
                                       photos=files)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("您无权在该地点录入诉求"))
            else:
                last = note.last(request)
                repeat = not result.created
                place_from = last.get("place_from", "") if repeat and last.get("case") == result.case.pk \
                    else result.place_from
                note.set_last(request, {"case": result.case.pk, "place_from": place_from, "repeat": repeat,
                                        "staff": staff})
                note.remember(request, result.case.pk)
                return note.keep(request, redirect("portal:done"))
        form.trim_echo()
        status = 400
    else:
        initial = {"intake_key": new_intake_key()}
        if not staff and request.user.is_authenticated:
            initial["contact_name"] = request.user.display_name or ""
        form = form_class(initial=initial)
        status = 200
    response = render(request, "portal/new.html", _form_context(request, form, district, staff=staff),
                      status=status)
    add_never_cache_headers(response)  # the one-time key must not come from a cache
    return response


def _too_big(request: HttpRequest, form_class, district: Area, *, staff: bool) -> HttpResponse:
    """The text fields together exceed DATA_UPLOAD_MAX_MEMORY_SIZE: nothing was read, say so."""
    form = form_class(initial={"intake_key": new_intake_key()})
    form.extra_errors = {"top": [_("提交的文字太多，无法处理：问题描述请控制在5000字以内，照片请用“拍照或选择照片”上传。")]}
    return render(request, "portal/new.html", _form_context(request, form, district, staff=staff), status=413)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """我要反映: the public report form (an account, when logged in, follows the case in 我的诉求)."""
    return _report(request, staff=False)


def _can_enter_staff_cases(user) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.codes(Capability.HANDLE_CASES) or scope.codes(Capability.DISPATCH_CASES))


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    """巡查上报 / 窗口登记: a grid worker or a service-station clerk enters a case."""
    if not _can_enter_staff_cases(request.user):
        raise PermissionDenied(_("只有网格、社区、街道的工作人员可以录入巡查或窗口诉求"))
    return _report(request, staff=True)


def _staff_detail_url(case: Case) -> str:
    try:
        return reverse("cases:detail", kwargs={"pk": case.pk})
    except NoReverseMatch:
        return ""


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    last = note.last(request)
    case = Case.objects.filter(pk=last.get("case")).first() if isinstance(last.get("case"), int) else None
    if case is None:
        return redirect("portal:new")
    context = {"case": case, "place_from": last.get("place_from", ""), "repeat": last.get("repeat", False),
               "staff": last.get("staff", False),
               "photo_count": case.attachments.count(), "staff_url": _staff_detail_url(case)}
    response = render(request, "portal/done.html", context)
    add_never_cache_headers(response)
    return response


@require_GET
def track_find(request: HttpRequest) -> HttpResponse:
    """查询进度: enter the tracking code (the form sends it back here as ?code=)."""
    code = normalize_code(request.GET.get("code", ""))
    if code:
        return redirect("portal:track", code=code)
    error = _("请输入查询码") if "code" in request.GET else ""
    return render(request, "portal/track_find.html", {"error": error, "active": "track"})


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/track_find.html", {
        "error": _("查询次数过多，请%(minutes)s分钟后再试。如忘记查询码，请拨打服务电话或到社区服务站查询。")
        % {"minutes": throttle.BLOCK // 60}, "refused": True}, status=429)


def tracked(view):
    """Look up the case of the ``code`` in the URL (throttled) and call ``view(request, case, code)``."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str) -> HttpResponse:
        if throttle.is_blocked(request):
            return _refused(request)
        try:
            case = case_get_by_tracking_code(normalize_code(code))
        except Case.DoesNotExist:
            if not request.session.session_key:
                request.session.save()  # so that guesses are also counted per browser session
            if throttle.record_miss(request):
                return _refused(request)
            return render(request, "portal/track_find.html", {
                "error": _("没有找到查询码为“%(code)s”的诉求。请核对后重新输入（共12位，字母不分大小写）。")
                % {"code": code[:32]}, "code": code[:32], "active": "track"}, status=404)
        note.remember(request, case.pk)
        return note.keep(request, view(request, case, code))

    return wrapper


def _track_page(request: HttpRequest, case: Case, form: RatingForm, status: int = 200) -> HttpResponse:
    context = {"view": case_public_view(case), "case": case, "form": form, "rating_choices": Rating.choices,
               "active": "track"}
    response = render(request, "portal/track.html", context, status=status)
    add_never_cache_headers(response)
    return response


@require_GET
@tracked
def track(request: HttpRequest, case: Case, code: str) -> HttpResponse:
    if case.tracking_code != code:
        return redirect("portal:track", code=case.tracking_code)
    return _track_page(request, case, RatingForm())


@require_POST
@tracked
def rate(request: HttpRequest, case: Case, code: str) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _track_page(request, case, form, status=400)
    rating = form.cleaned_data["rating"]
    try:
        case_rate(case=case, rating=rating, actor=request.user, comment=form.cleaned_data["comment"],
                  tracking_code=case.tracking_code)
    except TransitionNotAllowed:
        messages.info(request, _("该诉求当前不能评价（可能已经评价过），请查看最新进度。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if case.status == Case.Status.REOPENED:
            messages.success(request, _("感谢您的评价。您选择了“不满意”，诉求已退回承办单位重新办理（重办），"
                                        "办理后请再次评价。"))
        else:
            messages.success(request, _("感谢您的评价！诉求已办结。"))
    return redirect("portal:track", code=case.tracking_code)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: the cases this account reported, and only those."""
    cases = cases_of_resident(request.user).select_related("category").annotate(photo_count=Count("attachments"))
    response = render(request, "portal/mine.html", {"cases": cases[:200], "active": "mine"})
    add_never_cache_headers(response)
    return response


# --- public map data ----------------------------------------------------------------------------------


@require_GET
def grids(request: HttpRequest) -> JsonResponse:
    """The district's grid outlines (GeoJSON): boundaries and names of grids, nothing personal."""
    response = JsonResponse(grid_outlines(_district(request)), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json; charset=utf-8"
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_GET
def buildings(request: HttpRequest) -> HttpResponse:
    """HTMX: the buildings matching what the resident typed, as choices for the report form."""
    district = _district(request)
    query = (request.GET.get("building_q") or request.GET.get("q") or "").strip()[:50]
    rows = [(b, building_label(b)) for b in buildings_search(district, query)]
    return render(request, "portal/_buildings.html", {"rows": rows, "query": query})


# --- photos ----------------------------------------------------------------------------------------------


def _attachment_for(request: HttpRequest, pk: int) -> CaseAttachment:
    att = CaseAttachment.objects.select_related("case").filter(pk=pk).first()
    if att is None:
        raise Http404(_("照片不存在"))
    case, user = att.case, request.user
    if note.opened(request, case.pk):
        return att
    if user.is_authenticated and (case.reporter_user_id == user.pk
                                  or cases_visible_to(user).filter(pk=case.pk).exists()):
        return att
    raise Http404(_("照片不存在"))


def _private(response: HttpResponse, att: CaseAttachment, suffix: str = "") -> HttpResponse:
    patch_cache_control(response, private=True, max_age=3600)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{att.case.code}-{att.pk}{suffix}"'
    return response


@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    att = _attachment_for(request, pk)
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("照片文件丢失")) from None
    ext = att.file.name.rsplit(".", 1)[-1]
    return _private(FileResponse(handle, content_type=att.content_type), att, f".{ext}")


@require_GET
def thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    att = _attachment_for(request, pk)
    name = thumbnail_name(att.file.name)
    if not default_storage.exists(name):  # written with the photo; rebuilt if it went missing
        try:
            with att.file.open("rb") as fh:
                photo = photo_check(ContentFile(fh.read(), name=att.file.name), max_bytes=att.size + 1)
        except (FileNotFoundError, ValueError, ValidationError):
            raise Http404(_("照片文件丢失")) from None
        default_storage.save(name, ContentFile(photo.thumbnail))
    return _private(FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg"), att, ".jpg")
