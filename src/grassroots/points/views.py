"""积分 pages. A resident's (phone first): balance, statement, the store, their codes. A merchant's:
verify a code, offers, redemptions. The community's: books, rules, merchants, corrections. The grid
worker's: points the fraud guard held."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area, Level
from grassroots.core import errors
from grassroots.core.params import YEAR_MAX, YEAR_MIN, bounded_year
from grassroots.ledger.models import Account

from . import selectors
from .exports import entry_label, merchant_redemptions_export, statement_export, workbook
from .models import Award, Merchant, Offer, Policy, Redemption
from .services import (
    POLICY_FIELDS,
    award_decide,
    award_reverse,
    may_manage,
    merchant_save,
    offer_save,
    policy_for,
    policy_save,
    redeem,
    redemption_cancel,
    unit_choices,
    verify_code,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return _private(response)


def _qr_svg(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_inline(scale=8, dark="#222", light="#fff")


_label = entry_label


# --- the resident ----------------------------------------------------------------------------------------

def _my_account(request: HttpRequest) -> tuple[Account | None, list]:
    accounts = selectors.my_accounts(request.user)
    chosen = request.GET.get("c", "")
    account = next((a for a, _c in accounts if a.community_code == chosen), accounts[0][0] if accounts else None)
    return account, accounts


@login_required(login_url="portal:signin")
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    account, accounts = _my_account(request)
    before = request.GET.get("before", "")
    lines = selectors.statement(account, before=int(before) if before.isdigit() else None) if account else []
    for line in lines:
        line["label"] = _label(line)
    return _private(render(request, "points/me.html", {
        "account": account, "accounts": accounts, "lines": lines, "more": lines[-1]["pk"] if len(lines) == 50 else None,
        "codes": selectors.my_redemptions(request.user).filter(status=Redemption.Status.HELD),
        "held": selectors.my_awards(request.user, Award.Status.HELD)[:20], "active": "points"}))


@login_required(login_url="portal:signin")
@require_GET
def me_xlsx(request: HttpRequest) -> HttpResponse:
    account, _accounts = _my_account(request)
    if account is None:
        raise Http404(_("还没有积分账户"))
    return _xlsx(statement_export(user=request.user, account=account),
                 f"points-{account.community_code}.xlsx")


@login_required(login_url="portal:signin")
@require_GET
def store(request: HttpRequest) -> HttpResponse:
    accounts = selectors.my_accounts(request.user)
    available = {a.community_code: a.available for a, _c in accounts}
    offers = list(selectors.store(request.user)[:200])
    for offer in offers:
        offer.affordable = available.get(offer.merchant.community.code, 0) >= offer.price
    return _private(render(request, "points/store.html", {
        "offers": offers, "accounts": accounts, "token": secrets.token_urlsafe(16), "active": "points"}))


@login_required(login_url="portal:signin")
@require_POST
def offer_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    offer = Offer.objects.filter(pk=pk).first()
    if offer is None:
        raise Http404(_("没有这个兑换项目"))
    try:
        made = redeem(offer=offer, user=request.user, key=request.POST.get("key", ""))
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
        return redirect("points:store")
    return redirect("points:code", pk=made.pk)


@login_required(login_url="portal:signin")
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.my_redemptions(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这次兑换"))
    if request.method == "POST":
        try:
            redemption_cancel(redemption=row, user=request.user)
            messages.success(request, _("已取消，积分已退回"))
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        return redirect("points:code", pk=pk)
    return _private(render(request, "points/code.html", {
        "row": row, "qr": mark_safe(_qr_svg(row.code)) if row.status == Redemption.Status.HELD else "",  # noqa: S308 — segno's SVG
        "active": "points"}))


# --- the merchant -------------------------------------------------------------------------------------------

def _merchant(request: HttpRequest, pk: int) -> Merchant:
    merchant = selectors.my_merchants(request.user).filter(pk=pk).first()
    if merchant is None:
        raise Http404(_("没有这个商家，或您不是它的核销人员"))
    return merchant


def _month(request: HttpRequest) -> tuple[datetime, datetime, str, str]:
    """The month ``?month=2026-03`` names (this month when left out) and, when it is wrong or its year
    is out of range (0001-01 would overflow on its way to UTC), this month with the message."""
    raw = request.GET.get("month", "")
    today = timezone.localdate()
    problem = ""
    try:
        year, month = (int(x) for x in raw.split("-")) if raw else (today.year, today.month)
        if not bounded_year(year):
            raise ValueError
        since = timezone.make_aware(datetime(year, month, 1))
    except ValueError:
        problem = f"月份“{raw[:20]}”格式不对或超出范围，应为 YYYY-MM（{YEAR_MIN}–{YEAR_MAX} 年），如 2026-03"
        since = timezone.make_aware(datetime(today.year, today.month, 1))
    until = (since + timedelta(days=32)).replace(day=1)
    return since, until, f"{since:%Y-%m}", problem


@login_required
@require_GET
def merchants(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.my_merchants(request.user)[:100])
    if len(rows) == 1:
        return redirect("points:merchant", pk=rows[0].pk)
    if not rows:
        raise PermissionDenied(_("您不是任何积分商家的核销人员"))
    return _private(render(request, "points/merchants.html", {"rows": rows}))


@login_required
@require_http_methods(["GET", "POST"])
def merchant(request: HttpRequest, pk: int) -> HttpResponse:
    shop = _merchant(request, pk)
    verified = None
    problems: dict = {}
    if request.method == "POST":
        try:
            verified = verify_code(merchant=shop, code=request.POST.get("code", ""), actor=request.user)
            messages.success(request, _("核销成功：%(title)s（%(points)s 积分）") % {
                "title": verified.offer.title, "points": verified.points})
            return redirect(f"{request.path}?done={verified.pk}")
        except PermissionDenied as exc:
            problems = {"code": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    since, until, month, wrong_month = _month(request)
    if wrong_month:
        problems.setdefault("month", []).append(wrong_month)
    rows = selectors.merchant_redemptions(shop, since=since, until=until)
    settled = [r for r in rows if r.status == Redemption.Status.SETTLED]
    return _private(render(request, "points/merchant.html", {
        "merchant": shop, "rows": rows[:300], "month": month, "settled_count": len(settled),
        "settled_points": sum(r.points for r in settled), "offers": shop.offers.order_by("-active", "price"),
        "errors": problems, "done": request.GET.get("done", "")}, status=400 if problems else 200))


@login_required
@require_GET
def merchant_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    shop = _merchant(request, pk)
    since, until, month, wrong_month = _month(request)
    if wrong_month:  # never this month's file in place of the one asked for
        return HttpResponse(wrong_month, status=400, content_type="text/plain; charset=utf-8")
    content = merchant_redemptions_export(user=request.user, merchant=shop, since=since, until=until, month=month)
    return _xlsx(content, f"redemptions-{shop.pk}-{month}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int, offer: int | None = None) -> HttpResponse:
    shop = _merchant(request, pk)
    row = shop.offers.filter(pk=offer).first() if offer else None
    if offer and row is None:
        raise Http404(_("没有这个兑换项目"))
    problems: dict = {}
    if request.method == "POST":
        values = request.POST.dict()
        values["active"] = bool(request.POST.get("active"))
        try:
            offer_save(merchant=shop, actor=request.user, values=values, offer=row)
            messages.success(request, _("已保存"))
            return redirect("points:merchant", pk=shop.pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else ({
        "kind": row.kind, "title": row.title, "description": row.description, "price": row.price,
        "face_value": row.face_value or "", "stock": row.stock, "per_person": row.per_person,
        "valid_from": row.valid_from, "valid_until": row.valid_until, "code_days": row.code_days, "active": row.active,
    } if row else {"kind": "service", "per_person": 1, "code_days": 7, "valid_from": today, "active": True,
                   "valid_until": today.replace(month=12, day=31)})
    return _private(render(request, "points/offer_form.html", {
        "merchant": shop, "offer": row, "data": data, "errors": problems, "kinds": Offer.Kind.choices},
        status=400 if problems else 200))


# --- the community ---------------------------------------------------------------------------------------

def _community(request: HttpRequest, code: str) -> Area:
    community = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if community is None or not may_manage(request.user, community.code):
        raise Http404(_("没有这个社区，或不在您的管辖范围"))
    return community


@login_required
@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.managed_communities(request.user)[:200])
    if len(rows) == 1:
        return redirect("points:community", code=rows[0].code)
    if not rows:
        raise PermissionDenied(_("积分账本由社区工作人员管理"))
    return _private(render(request, "points/communities.html", {
        "rows": [(c, selectors.books(c)) for c in rows]}))


def _year(request: HttpRequest) -> tuple[datetime, datetime]:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year
    return timezone.make_aware(datetime(year, 1, 1)), timezone.make_aware(datetime(year + 1, 1, 1))


@login_required
@require_http_methods(["GET", "POST"])
def community(request: HttpRequest, code: str) -> HttpResponse:
    place = _community(request, code)
    problems: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "policy":
                policy_save(community=place, actor=request.user, values=request.POST)
            elif action == "merchant":
                existing = place.merchants.filter(pk=request.POST.get("merchant") or 0).first()
                merchant_save(community=place, actor=request.user, name=request.POST.get("name", ""),
                              kind=request.POST.get("kind", ""), address=request.POST.get("address", ""),
                              hours=request.POST.get("hours", ""), handlers=request.POST.get("handlers", ""),
                              merchant=existing, active=request.POST.get("active", "1") == "1",
                              unit_id=request.POST.get("unit") or None)
            elif action == "reverse":
                award = selectors.community_awards(place).filter(pk=request.POST.get("award") or 0).first()
                if award is None:
                    raise Http404(_("没有这笔积分"))
                award_reverse(award=award, actor=request.user, reason=request.POST.get("reason", ""))
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect("points:community", code=place.code)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    since, until = _year(request)
    policy = policy_for(place)
    return _private(render(request, "points/community.html", {
        "community": place, "books": selectors.books(place), "months": selectors.monthly(place, since=since, until=until),
        "year": since.year, "policy": policy, "policy_fields": [(f, Policy._meta.get_field(f).verbose_name,
                                                                  getattr(policy, f)) for f in POLICY_FIELDS],
        "merchants": place.merchants.select_related("unit").prefetch_related("handlers").order_by("name"),
        "awards": selectors.community_awards(place)[:100], "held": selectors.community_awards(place, status="held").count(),
        "merchant_kinds": Merchant.Kind.choices, "units": unit_choices(place)[:200], "errors": problems}, status=400 if problems else 200))


@login_required
@require_GET
def community_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    place = _community(request, code)
    since, until = _year(request)
    rows = [(f"{m['month']:%Y-%m}", m["earn"], m["settle"], m["expire"], m["reverse"])
            for m in selectors.monthly(place, since=since, until=until)]
    books = selectors.books(place)
    rows.append(("合计（账户余额）", books["issued"], books["redeemed"], books["expired"], ""))
    rows.append(("居民持有", books["outstanding"], "其中兑换冻结", books["held"], ""))
    return _xlsx(workbook(f"{place.name}积分", ["月份", "发放", "兑换核销", "过期", "冲正"], rows, [18, 12, 12, 12, 12]),
                 f"points-books-{place.code}-{since.year}.xlsx")


# --- the grid worker ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    rows = selectors.reviewable(request.user)
    if request.method == "POST":
        award = rows.filter(pk=request.POST.get("award") or 0).first()
        if award is None:
            raise Http404(_("没有这笔待核实的积分"))
        try:
            award_decide(award=award, actor=request.user, pay=request.POST.get("action") == "pay",
                         note=request.POST.get("note", ""))
            messages.success(request, _("已处理"))
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        return redirect("points:review")
    return _private(render(request, "points/review.html", {"rows": rows[:200]}))
