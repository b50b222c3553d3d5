"""Writes of points: paying an earning (once), the grid worker's decision on held points, a
correction, the community's rules and merchants, a merchant's offers, redeeming, verifying a code,
cancelling, and the worker's lapse and expiry runs.

Money-like truth lives in the ledger; every function here that moves points calls the ledger with
an idempotency key derived from what it is about ("award:<source>", "redeem:<request key>",
"settle:<redemption>"), so doing it twice does it once.
"""

from __future__ import annotations

import calendar
import re
import secrets
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.core import throttle
from grassroots.core.params import bounded_date
from grassroots.core.services import audit_record
from grassroots.ledger import services as ledger
from grassroots.ledger.models import Account, Transfer
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify

from . import guard
from .earning import Earning
from .models import Award, Event, ExpiryRun, Merchant, Offer, Policy, Redemption

VERIFY_FAILURES = throttle.Limit("points.verify", 20, 600)  # wrong codes per handler in ten minutes


# --- who may -----------------------------------------------------------------------------------------------

def may_manage(user, community_code: str) -> bool:
    """Community staff (the dispatcher's capability at the community or above)."""
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.DISPATCH_CASES, community_code)


def may_review(user, award: Award) -> bool:
    """The grid worker where the report was made, or the community's staff."""
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.HANDLE_CASES, award.area_code) or may_manage(
        user, award.community.code)


def may_verify(user, merchant: Merchant) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or merchant.handlers.filter(pk=user.pk).exists()))


# --- rules --------------------------------------------------------------------------------------------------

def policy_for(community: Area) -> Policy:
    found = Policy.objects.filter(community=community).first()
    return found if found is not None else Policy(community=community)


POLICY_FIELDS = ("woodpecker_report", "volunteer_hour", "service_record", "wish_fulfilled", "case_rated",
                 "meeting_attended", "expiry_months", "guard_minutes", "guard_per_account", "guard_per_spot",
                 "guard_spot_meters")
POLICY_LIMITS = {"expiry_months": (1, 60), "guard_minutes": (1, 1440), "guard_spot_meters": (5, 1000)}


def policy_save(*, community: Area, actor, values: dict) -> Policy:
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以修改积分规则")
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for name in POLICY_FIELDS:
        raw = str(values.get(name, "")).strip()
        low, high = POLICY_LIMITS.get(name, (0, 1000))
        if not raw.isdigit() or not (low <= int(raw) <= high):
            errors[name] = [f"请填写 {low}–{high} 之间的整数"]
        else:
            clean[name] = int(raw)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _ = Policy.objects.select_for_update().get_or_create(community=community)
        before = {n: getattr(policy, n) for n in POLICY_FIELDS}
        for name, value in clean.items():
            setattr(policy, name, value)
        policy.updated_by, policy.district_code = actor, community.code[:6]
        policy.save()
        audit_record(actor=actor, action="points.policy", obj=policy, district_code=community.code[:6],
                     detail={"before": before, "after": clean})
    return policy


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# --- earning ---------------------------------------------------------------------------------------------

def _points(policy: Policy, earning: Earning) -> int:
    per = policy.points_for(earning.event)
    return int((Decimal(per) * earning.units).quantize(Decimal(1), ROUND_HALF_UP))


def _pay(award: Award, *, at: datetime | None = None) -> None:
    community = award.community
    policy = policy_for(community)
    made = ledger.transfer(
        key=f"award:{award.source}", kind=Transfer.Kind.EARN, debit=ledger.issuer(community.code, community.name),
        credit=ledger.person(award.user, community.code), amount=award.points, ref=award.source,
        reason=award.title[:200], expires_at=add_months(at or timezone.now(), policy.expiry_months), at=at)
    award.transfer_id = made.pk


def award_earning(earning: Earning, *, at: datetime | None = None, notify_user: bool = True) -> Award | None:
    """Pay ``earning`` once (or hold it for the grid worker). None when the community pays nothing for it.
    ``at`` backdates the payment to the event (the demo's year of history)."""
    found = Award.objects.filter(source=earning.source).first()
    if found is not None:
        return found
    policy = policy_for(earning.community)
    points = _points(policy, earning)
    if points <= 0:
        return None
    fingerprint, why = "", []
    if earning.event == Event.WOODPECKER_REPORT:
        fingerprint = guard.photo_hash(earning.photo)
        why = guard.reasons(policy=policy, user=earning.user, community=earning.community,
                            occurred_at=earning.occurred_at, photo_hash=fingerprint, lat=earning.lat, lng=earning.lng)
    try:
        with transaction.atomic():
            award = Award.objects.create(
                source=earning.source, event=earning.event, user=earning.user, community=earning.community,
                area_code=earning.area_code, points=points, title=earning.title[:120],
                status=Award.Status.HELD if why else Award.Status.PAID, reasons=why, photo_hash=fingerprint,
                lat=earning.lat, lng=earning.lng, occurred_at=earning.occurred_at, created_at=at or timezone.now(),
                district_code=earning.community.code[:6])
            if not why:
                _pay(award, at=at)
                award.save(update_fields=["transfer_id"])
            if notify_user:
                title = f"积分 +{points}" if not why else "积分待核实"
                body = f"{earning.title}：{'已到账' if not why else '网格员核实后发放（' + '；'.join(why) + '）'}"
                notify(recipients=[earning.user], kind=Kind.SYSTEM, title=title, body=body, link=reverse("points:me"),
                       key=f"points:{earning.source}", obj=award, district_code=award.district_code, audit=False)
    except IntegrityError:
        return Award.objects.get(source=earning.source)
    return award


def award_decide(*, award: Award, actor, pay: bool, note: str = "") -> Award:
    """The grid worker pays or refuses points the guard held."""
    note = (note or "").strip()[:200]
    with transaction.atomic():
        row = Award.objects.select_for_update().select_related("community", "user").get(pk=award.pk)
        if not may_review(actor, row):
            raise PermissionDenied("只有该网格的网格员或社区工作人员可以核实")
        if row.status != Award.Status.HELD:
            raise ValidationError({"__all__": [f"这笔积分{row.get_status_display()}，无需再核实"]})
        if not pay and not note:
            raise ValidationError({"note": ["不予发放时请说明原因"]})
        if pay:
            _pay(row)
        row.status = Award.Status.PAID if pay else Award.Status.REFUSED
        row.decided_by, row.decided_at, row.decision_note = actor, timezone.now(), note
        row.save(update_fields=["status", "transfer_id", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, action="points.award_decide", obj=row, district_code=row.district_code,
                     detail={"pay": pay, "note": note})
        notify(recipients=[row.user], kind=Kind.SYSTEM, title=f"积分 +{row.points}" if pay else "积分未发放",
               body=f"{row.title}：{'核实后已到账' if pay else note}", link=reverse("points:me"),
               key=f"points:{row.source}:decided", obj=row, district_code=row.district_code, audit=False)
    return row


def award_reverse(*, award: Award, actor, reason: str) -> Award:
    """A correction by the community: the points go back to the issuing account, with the reason."""
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError({"reason": ["冲正必须说明原因"]})
    with transaction.atomic():
        row = Award.objects.select_for_update().select_related("community", "user").get(pk=award.pk)
        if not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以冲正积分")
        if row.status != Award.Status.PAID or row.transfer_id is None:
            raise ValidationError({"__all__": [f"这笔积分{row.get_status_display()}，不能冲正"]})
        paid = Transfer.objects.select_related("debit", "credit").get(pk=row.transfer_id)
        try:
            ledger.reverse(transfer=paid, key=f"reverse:{row.source}", actor=actor, reason=reason)
        except ledger.InsufficientPoints as exc:
            raise ValidationError({"__all__": [f"对方可用积分只剩 {exc.available} 分，已兑换使用的积分无法冲正"]}) from None
        row.status, row.decision_note = Award.Status.REVERSED, reason
        row.save(update_fields=["status", "decision_note"])
        audit_record(actor=actor, action="points.award_reverse", obj=row, district_code=row.district_code,
                     detail={"reason": reason, "points": row.points})
    return row


# --- merchants and offers ----------------------------------------------------------------------------------

def unit_choices(community: Area):
    """Units that may become this community's merchants: those registered here (双报到) or placed here."""
    from grassroots.orgs.models import Unit
    from grassroots.service.models import Decision, UnitRegistration

    registered = UnitRegistration.objects.filter(community=community, status=Decision.APPROVED).values("unit_id")
    return Unit.objects.filter(Q(pk__in=registered) | Q(area__code__startswith=community.code)).order_by("name")


def merchant_save(*, community: Area, actor, name: str, kind: str, address: str = "", hours: str = "",
                  handlers: str = "", merchant: Merchant | None = None, active: bool = True,
                  unit_id=None) -> Merchant:
    """Community staff register a merchant (a co-building unit, a shop, the property company) and the
    accounts that verify its codes (usernames, separated by commas or spaces)."""
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError({"community": ["请选择社区"]})
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以登记商家")
    errors: dict[str, list[str]] = {}
    name, address, hours = (name or "").strip(), (address or "").strip(), (hours or "").strip()
    if not name or len(name) > 100:
        errors["name"] = ["请填写商家名称（最多100个字）"]
    if kind not in Merchant.Kind.values:
        errors["kind"] = ["请选择类型"]
    if len(address) > 200 or len(hours) > 100:
        errors["address"] = ["地址最多200个字，营业时间最多100个字"]
    names = [n for n in re.split(r"[\s,，、]+", handlers or "") if n]
    users = list(get_user_model().objects.filter(username__in=names, is_active=True))
    missing = sorted(set(names) - {u.username for u in users})
    if missing:
        errors["handlers"] = [f"没有这些账号：{'、'.join(missing)}"]
    unit = None
    if unit_id not in (None, ""):
        unit = unit_choices(community).filter(pk=int(unit_id) if str(unit_id).isdigit() else 0).first()
        if unit is None:
            errors["unit"] = ["这个单位没有在本社区报到"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if merchant is None:
            merchant = Merchant.objects.create(name=name, kind=kind, community=community, address=address, hours=hours,
                                               active=active, created_by=actor, district_code=community.code[:6],
                                               unit=unit)
        else:
            if merchant.community_id != community.pk:
                raise PermissionDenied("商家不属于这个社区")
            merchant.name, merchant.kind, merchant.address, merchant.hours, merchant.active, merchant.unit = (
                name, kind, address, hours, active, unit)
            merchant.save()
        merchant.handlers.set(users, through_defaults={"district_code": merchant.district_code})
        ledger.merchant(merchant.pk, community.code, name)
        audit_record(actor=actor, action="points.merchant_save", obj=merchant, district_code=merchant.district_code,
                     detail={"name": name, "handlers": names})
    return merchant


def _parse_date(raw, field: str, errors: dict) -> date | None:
    try:
        day = bounded_date(raw)
    except ValidationError as exc:
        errors[field] = exc.messages
        return None
    if day is None:
        errors[field] = ["请填写日期，如 2026-12-31"]
    return day


def _int(raw, field: str, low: int, high: int, errors: dict, label: str) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not (low <= int(text) <= high):
        errors[field] = [f"{label}请填写 {low}–{high} 之间的整数"]
        return low
    return int(text)


def offer_save(*, merchant: Merchant, actor, values: dict, offer: Offer | None = None) -> Offer:
    """A merchant's handler adds or edits an offer. Changing the total stock moves what is left by the
    same amount (never below what is already redeemed)."""
    if not may_verify(actor, merchant):
        raise PermissionDenied("只有商家的核销人员可以管理兑换项目")
    errors: dict[str, list[str]] = {}
    title = str(values.get("title", "")).strip()
    description = str(values.get("description", "")).strip()
    kind = values.get("kind") or Offer.Kind.GOODS
    if not title or len(title) > 60:
        errors["title"] = ["请填写名称（最多60个字）"]
    if len(description) > 300:
        errors["description"] = ["说明最多300个字"]
    if kind not in Offer.Kind.values:
        errors["kind"] = ["请选择类别"]
    price = _int(values.get("price"), "price", 1, 100_000, errors, "所需积分")
    stock = _int(values.get("stock"), "stock", 0, 100_000, errors, "总数量")
    per_person = _int(values.get("per_person", 1), "per_person", 1, 99, errors, "每人限兑")
    code_days = _int(values.get("code_days", 7), "code_days", 1, 90, errors, "兑换码有效天数")
    valid_from = _parse_date(values.get("valid_from"), "valid_from", errors)
    valid_until = _parse_date(values.get("valid_until"), "valid_until", errors)
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = ["兑换截止不能早于开始日期"]
    face_value = None
    raw_value = str(values.get("face_value") or "").strip()
    if raw_value:
        try:
            face_value = Decimal(raw_value).quantize(Decimal("0.01"))
            if not (Decimal(0) < face_value <= Decimal(100_000)):
                raise ValueError
        except (ArithmeticError, ValueError):
            errors["face_value"] = ["面值请填写金额，如 50 或 50.00"]
    if kind == Offer.Kind.FEE_VOUCHER and face_value is None and "face_value" not in errors:
        errors["face_value"] = ["物业费抵扣券请填写抵扣金额（元）"]
    if errors:
        raise ValidationError(errors)
    fields = {"kind": kind, "title": title, "description": description, "price": price, "face_value": face_value,
              "per_person": per_person, "code_days": code_days, "valid_from": valid_from, "valid_until": valid_until,
              "active": bool(values.get("active", True))}
    with transaction.atomic():
        if offer is None:
            offer = Offer.objects.create(merchant=merchant, stock=stock, stock_left=stock,
                                         district_code=merchant.district_code, **fields)
        else:
            if offer.merchant_id != merchant.pk:
                raise PermissionDenied("不是本商家的兑换项目")
            row = Offer.objects.select_for_update().get(pk=offer.pk)
            delta = stock - row.stock
            if row.stock_left + delta < 0:
                raise ValidationError({"stock": [f"已兑出 {row.stock - row.stock_left} 份，总数量不能少于此数"]})
            for name, value in fields.items():
                setattr(row, name, value)
            row.stock, row.stock_left = stock, row.stock_left + delta
            row.save()
            offer = row
        audit_record(actor=actor, action="points.offer_save", obj=offer, district_code=offer.district_code,
                     detail={"title": title, "price": price, "stock": stock})
    return offer


# --- redeeming ---------------------------------------------------------------------------------------------

class _Again(Exception):
    """The same redemption request arrived twice: undo this one's stock and answer with the first."""


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def redeem(*, offer: Offer, user, key: str, now: datetime | None = None) -> Redemption:
    """Redeem ``offer`` for ``user``: take one from the stock, hold the points, make a one-time code.
    ``key`` comes with the request (the form's token, the app's request id): the same key twice is
    one redemption."""
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError({"__all__": ["请求缺少编号，请刷新页面后重试"]})
    if not user.is_authenticated:
        raise PermissionDenied("请先登录")
    found = Redemption.objects.filter(key=key).first()
    if found is not None:
        if found.user_id != user.pk:
            raise PermissionDenied("请求编号无效")
        return found
    now = now or timezone.now()
    offer = Offer.objects.select_related("merchant__community").get(pk=offer.pk)
    merchant = offer.merchant
    today = timezone.localdate(now)
    if not offer.active or not merchant.active:
        raise ValidationError({"__all__": ["这个项目已下架"]})
    if not (offer.valid_from <= today <= offer.valid_until):
        raise ValidationError({"__all__": [f"兑换期为 {offer.valid_from} 至 {offer.valid_until}"]})
    community = merchant.community
    try:
        with transaction.atomic():
            if not Offer.objects.filter(pk=offer.pk, stock_left__gte=1).update(stock_left=F("stock_left") - 1):
                raise ValidationError({"__all__": ["已经兑完了"]})
            expires = min(now + timedelta(days=offer.code_days),
                          timezone.make_aware(datetime.combine(offer.valid_until + timedelta(days=offer.code_days),
                                                               datetime.min.time())))
            # the offer's row is locked now: the count below sees every redemption that took stock before us
            if Redemption.objects.filter(key=key).exists():
                raise _Again
            used = Redemption.objects.filter(offer=offer, user=user,
                                             status__in=(Redemption.Status.HELD, Redemption.Status.SETTLED)).count()
            if used >= offer.per_person:
                raise ValidationError({"__all__": [f"每人限兑 {offer.per_person} 份，您已兑换过"]})
            held = ledger.hold(key=f"redeem:{key}", debit=ledger.person(user, community.code),
                               credit=ledger.merchant(merchant.pk, community.code, merchant.name), amount=offer.price,
                               expires_at=expires, actor=user, ref=f"points.offer:{offer.pk}", at=now)
            for _attempt in range(8):
                try:
                    with transaction.atomic():
                        made = Redemption.objects.create(
                            key=key, offer=offer, merchant=merchant, user=user, community=community,
                            points=offer.price, code=_new_code(), hold_id=held.pk, created_at=now, expires_at=expires,
                            district_code=offer.district_code)
                    break
                except IntegrityError:
                    if Redemption.objects.filter(key=key).exists():
                        raise _Again from None
            else:
                raise RuntimeError("no free redemption code after 8 tries")
            audit_record(actor=user, action="points.redeem", obj=made, district_code=made.district_code,
                         detail={"offer": offer.pk, "points": offer.price})
    except ledger.InsufficientPoints as exc:
        raise ValidationError({"__all__": [f"积分不足：可用 {exc.available} 分，需要 {exc.needed} 分"]}) from None
    except _Again:
        return Redemption.objects.get(key=key)
    return made


def _lock_held(redemption: Redemption) -> Redemption:
    return Redemption.objects.select_for_update().select_related("offer", "merchant").get(pk=redemption.pk)


def _give_back(row: Redemption, *, status: str, actor, reason: str, at: datetime | None = None) -> Redemption:
    Offer.objects.filter(pk=row.offer_id).update(stock_left=F("stock_left") + 1)
    hold = Transfer.objects.select_related("debit", "credit").get(pk=row.hold_id)
    ledger.release(hold=hold, key=f"release:{row.pk}", actor=actor, reason=reason, at=at)
    row.status, row.closed_at = status, at or timezone.now()
    row.save(update_fields=["status", "closed_at"])
    # points that lapsed while they were held lapse now (the daily run skipped them: they were held)
    ledger.expire(account=hold.debit, at=row.closed_at, key=f"expire:after:{row.pk}")
    return row


def redemption_cancel(*, redemption: Redemption, user, now: datetime | None = None) -> Redemption:
    """The resident changes their mind before the code is used: points and stock go back."""
    with transaction.atomic():
        row = _lock_held(redemption)
        if row.user_id != user.pk:
            raise PermissionDenied("只能取消本人的兑换")
        if row.status != Redemption.Status.HELD:
            raise ValidationError({"__all__": [f"这次兑换{row.get_status_display()}，不能取消"]})
        _give_back(row, status=Redemption.Status.CANCELLED, actor=user, reason="本人取消", at=now)
        audit_record(actor=user, action="points.redeem_cancel", obj=row, district_code=row.district_code, detail={})
    return row


def verify_code(*, merchant: Merchant, code: str, actor, now: datetime | None = None) -> Redemption:
    """The merchant (or the property company) checks a resident's code: the held points are settled
    to the merchant. The same code twice, or two counters at once: one settles, the other is told."""
    if not may_verify(actor, merchant):
        raise PermissionDenied("只有商家的核销人员可以核销")
    digits = re.sub(r"\D", "", code or "")
    if len(digits) != 8:
        raise ValidationError({"code": ["兑换码是8位数字"]})
    limit_key = f"{actor.pk}"
    if not throttle.peek(VERIFY_FAILURES, limit_key).allowed:
        raise throttle.Throttled(throttle.peek(VERIFY_FAILURES, limit_key).retry_after)
    now = now or timezone.now()
    with transaction.atomic():
        row = (Redemption.objects.select_for_update().select_related("offer")
               .filter(merchant=merchant, code=digits, status=Redemption.Status.HELD).first())
        if row is None:
            last = Redemption.objects.filter(merchant=merchant, code=digits).order_by("-created_at").first()
            if last is not None and last.status == Redemption.Status.SETTLED:
                raise ValidationError({"code": [f"这个兑换码已于 {timezone.localtime(last.closed_at):%m-%d %H:%M} 核销过"]})
            if last is not None:
                raise ValidationError({"code": [f"这个兑换码{last.get_status_display()}"]})
            throttle.hit(VERIFY_FAILURES, limit_key)
            raise ValidationError({"code": ["兑换码不正确，请核对后重新输入"]})
        if row.expires_at <= now:
            raise ValidationError({"code": ["这个兑换码已过期，积分将退回兑换人"]})
        hold = Transfer.objects.select_related("debit", "credit").get(pk=row.hold_id)
        ledger.settle(hold=hold, key=f"settle:{row.pk}", actor=actor, at=now,
                      reason=f"兑换：{row.offer.title}（{merchant.name}）")
        row.status, row.closed_at, row.settled_by = Redemption.Status.SETTLED, now, actor
        row.save(update_fields=["status", "closed_at", "settled_by"])
        audit_record(actor=actor, action="points.verify", obj=row, district_code=row.district_code,
                     detail={"offer": row.offer_id, "points": row.points})
        notify(recipients=[row.user], kind=Kind.SYSTEM, title="兑换已核销",
               body=f"“{row.offer.title}”已由{merchant.name}核销，使用 {row.points} 积分。", link=reverse("points:me"),
               key=f"points:redemption:{row.pk}:settled", obj=row, district_code=row.district_code, audit=False)
    return row


# --- the worker ---------------------------------------------------------------------------------------------

def lapse_codes(*, now: datetime | None = None, limit: int = 200) -> int:
    """Release the holds of codes nobody used in time (idempotent; several workers may run it)."""
    now = now or timezone.now()
    done = 0
    for pk in Redemption.objects.filter(status=Redemption.Status.HELD, expires_at__lte=now).values_list(
            "pk", flat=True)[:limit]:
        with transaction.atomic():
            row = Redemption.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=Redemption.Status.HELD).first()
            if row is None:
                continue
            _give_back(row, status=Redemption.Status.EXPIRED, actor=None, reason="兑换码过期未使用", at=now)
            done += 1
    return done


def expire_points(*, day: date | None = None, since: datetime | None = None, record: bool = True) -> ExpiryRun | None:
    """The daily expiry run: points whose expiry passed before ``day`` go to each community's expiry
    sink. Once a day (a second call finds the day's run); each account's move has its own key, and a
    second move of the same points finds nothing left to move. ``record`` False: a run that leaves no
    ``ExpiryRun`` row (the demo's history, walked week by week from ``since``); it returns an unsaved one."""
    day = day or timezone.localdate()
    at = timezone.make_aware(datetime.combine(day, time.min))
    if record and ExpiryRun.objects.filter(day=day).exists():
        return None
    if since is None:
        last = ExpiryRun.objects.order_by("-day").first()
        since = timezone.make_aware(datetime.combine(last.day, time.min)) if last else at - timedelta(days=400)
    accounts, points = 0, 0
    for pk in ledger.lapsed_accounts(at=at, since=since):
        account = Account.objects.get(pk=pk)
        moved = ledger.expire(account=account, at=at, key=f"expire:{pk}:{day:%Y%m%d}")
        if moved is not None:
            accounts, points = accounts + 1, points + moved.amount
    if not record:
        return ExpiryRun(day=day, accounts=accounts, points=points)
    try:
        with transaction.atomic():
            return ExpiryRun.objects.create(day=day, accounts=accounts, points=points)
    except IntegrityError:
        return None


def award_many(earnings: list[Earning]) -> int:
    """Pay many past earnings at their own times, in bulk (the demo's year of history; a migration).
    Sources already awarded are skipped. The fraud guard is not run here: it is for what arrives live
    (the receivers and the worker's catch-up use ``award_earning``). Returns the number paid."""
    sources = [e.source for e in earnings]
    done: set[str] = set()
    for start in range(0, len(sources), 500):
        done |= set(Award.objects.filter(source__in=sources[start:start + 500]).values_list("source", flat=True))
    policies: dict[int, Policy] = {}
    issuers: dict[str, Account] = {}
    paying = []
    for e in sorted((e for e in earnings if e.source not in done), key=lambda e: e.occurred_at):
        policy = policies.get(e.community.pk) or policies.setdefault(e.community.pk, policy_for(e.community))
        points = _points(policy, e)
        if points > 0:
            paying.append((e, policy, points))
    people = ledger.people((e.user, e.community.code) for e, _policy, _n in paying)  # only those paid
    awards, rows = [], []
    for e, policy, points in paying:
        code = e.community.code
        issuer_account = issuers.get(code) or issuers.setdefault(code, ledger.issuer(code, e.community.name))
        person_account = people[(e.user.pk, code)]
        awards.append(Award(source=e.source, event=e.event, user=e.user, community=e.community, area_code=e.area_code,
                            points=points, title=e.title[:120], status=Award.Status.PAID, lat=e.lat, lng=e.lng,
                            occurred_at=e.occurred_at, created_at=e.occurred_at, district_code=code[:6]))
        rows.append({"key": f"award:{e.source}", "debit": issuer_account, "credit": person_account, "amount": points,
                     "expires_at": add_months(e.occurred_at, policy.expiry_months), "at": e.occurred_at,
                     "ref": e.source, "reason": e.title})
    with transaction.atomic():
        ledger.earn_many(rows)
        paid: dict[str, int] = {}
        for start in range(0, len(rows), 500):
            paid |= dict(Transfer.objects.filter(key__in=[r["key"] for r in rows[start:start + 500]])
                         .values_list("ref", "pk"))
        for award in awards:
            award.transfer_id = paid.get(award.source)
        Award.objects.bulk_create(awards, batch_size=500)
    return len(awards)
