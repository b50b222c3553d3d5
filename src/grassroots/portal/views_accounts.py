"""The resident's account pages (phone first): sign in with a code, "我的", claiming a household; and
the grid worker's page that confirms a claim."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.areas.models import Area, Level
from grassroots.core import errors
from grassroots.notifications.selectors import notifications_of

from . import sections
from .accounts import (
    CODE_MINUTES,
    household_claim_decide,
    household_claim_submit,
    may_decide_claim,
    signin_code_send,
    signin_code_verify,
)
from .forms_accounts import ClaimForm, DecideForm, SignInForm
from .selectors import building_label
from .selectors_accounts import account_of, claims_visible_to, households_of, may_see_claims
from .views import _district

BACKEND = "django.contrib.auth.backends.ModelBackend"


def resident_login_required(view):
    """Like login_required, but to the resident's sign-in page."""
    return login_required(view, login_url="portal:signin")


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def _next_url(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("portal:me")


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """One page, two steps: the number (a code is sent), then the code (signed in; signed up the first time)."""
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    sent = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "send":
            try:
                signin_code_send(phone=data["phone"], address=_address(request))
                sent = True
            except ValidationError as exc:
                errors.into_form(form, exc)
        else:
            sent = True  # the code field stays open, with its error if any
            try:
                done = signin_code_verify(phone=data["phone"], code=data["code"], address=_address(request))
            except ValidationError as exc:
                errors.into_form(form, exc)
            else:
                login(request, done.user, backend=BACKEND)
                messages.success(request, _("注册成功，欢迎使用！") if done.created else _("已登录"))
                return redirect(_next_url(request, data["next"]))
    status = 400 if form.errors else 200
    return _private(render(request, "portal/signin.html", {
        "form": form, "sent": sent, "minutes": CODE_MINUTES, "active": "me"}, status=status))


@resident_login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """我的: the account (verified or not, and what to do next), then each app's section."""
    account = account_of(request.user)
    pending = account.claims.filter(status="pending").select_related("household").first() if account else None
    refused = account.claims.filter(status="refused").order_by("-decided_at").first() if account else None
    notes = list(notifications_of(request.user).order_by("-created_at")[:5])
    return _private(render(request, "portal/me.html", {
        "account": account, "pending": pending, "refused": refused, "notes": notes,
        "sections": sections.visible(request, account), "active": "me",
        "household_label": building_label(account.household.parent) + " · " + account.household.name
        if account and account.household and account.household.parent else ""}))


@resident_login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Claim a household: name + ID number (and, when the register does not know them, the household)."""
    account = account_of(request.user)
    if account is None:
        messages.info(request, _("该账号由工作人员创建，无需认领住户"))
        return redirect("portal:me")
    if account.verified:
        messages.info(request, _("您的账号已核验"))
        return redirect("portal:me")
    form = ClaimForm(request.POST or None)
    district = _district(request)
    household = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["household"]:
            household = Area.objects.under(district.code).filter(
                code=data["household"].strip(), level=Level.HOUSEHOLD).first()
            if household is None:
                form.add_error(None, _("所选住户不存在，请重新选择"))
        if not form.errors:
            try:
                result = household_claim_submit(account=account, name=data["name"], id_number=data["id_number"],
                                                household=household, note=data["note"])
            except ValidationError as exc:
                errors.into_form(form, exc)
            else:
                if result.verified:
                    messages.success(request, _("核验成功，已绑定您的住户"))
                else:
                    messages.info(request, _("已提交，网格员核实后会通知您"))
                return redirect("portal:me")
    return _private(render(request, "portal/verify.html", {
        "form": form, "household": household, "active": "me",
        "needs_household": bool(form.errors.get("household"))}, status=400 if form.errors else 200))


@require_GET
def households(request: HttpRequest) -> HttpResponse:
    """HTMX: the households (door numbers) of a building of the portal's district."""
    district = _district(request)
    code = (request.GET.get("building") or "").strip()
    building = Area.objects.under(district.code).filter(code=code, level=Level.BUILDING).first()
    rows = households_of(building) if building else []
    return render(request, "portal/_households.html", {"rows": rows, "building": building})


# --- the grid worker's side ---------------------------------------------------------------------------


def staff_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not may_see_claims(request.user):
            raise PermissionDenied(_("只有网格员和社区工作者可以确认住户认领"))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@staff_only
@require_GET
def claims(request: HttpRequest) -> HttpResponse:
    rows = claims_visible_to(request.user)
    status = request.GET.get("status", "pending")
    if status in ("pending", "confirmed", "refused"):
        rows = rows.filter(status=status)
    return _private(render(request, "portal/claims.html", {"rows": rows[:200], "status": status}))


@staff_only
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    found = claims_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有这条认领，或不在您的网格"))
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household_claim_decide(claim=found, actor=request.user,
                                   confirm=form.cleaned_data["decision"] == "confirm", reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            errors.into_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已处理"))
            return redirect("portal:claims")
    return _private(render(request, "portal/claim.html", {
        "claim": found, "form": form, "can_decide": may_decide_claim(request.user, found),
        "place": building_label(found.household.parent) if found.household.parent else ""},
        status=400 if form.errors else 200))

