"""The demo district's points: a year of ledger history consistent with its events.

While the demo loads its cases and the people who serve, the live receivers are paused (they would
pay "now"); this step then walks the year a week at a time, in time order: the week's expiry run and
lapsed codes, the earnings of the week paid at their own times (``award_many``), and a few residents
redeeming goods, services and property-fee vouchers that the merchants verify a day later (some
cancel, some let the code lapse). Every community has a property company (红色物业) and a shop or
two with offers; the home community's property company is worked by the ``merchant`` account.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from .generator import rng_for

OFFERS = [  # kind, title, points, face value (yuan), stock, per person, description
    ("fee_voucher", "物业费抵扣券2元", 10, "2", 1000, 10, "缴纳物业费时抵扣2元，可叠加使用"),
    ("fee_voucher", "物业费抵扣券10元", 50, "10", 400, 4, "缴纳物业费时抵扣10元"),
    ("fee_voucher", "物业费抵扣券50元", 220, "50", 120, 2, "缴纳物业费时抵扣50元"),
    ("service", "上门维修1小时", 100, None, 80, 2, "水电、门窗小修，预约上门"),
]
SHOP_OFFERS = [
    ("service", "理发一次", 80, None, 100, 2, "凭码到店理发一次"),
    ("service", "家电清洗", 150, None, 40, 1, "空调或油烟机清洗一次"),
    ("goods", "大米5斤", 60, None, 200, 2, "到店领取"),
    ("goods", "洗衣液一瓶", 30, None, 300, 3, "到店领取"),
]
NAMED = ("woodpecker", "volunteer")  # the README's accounts that show a settled redemption and an open code
SHOP_NAMES = ["便民理发店", "社区生活超市", "家电服务站"]


def load_points(plan, *, end: datetime, log) -> dict:
    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.areas.models import Area, Level
    from grassroots.orgs.models import Unit
    from grassroots.points import earning
    from grassroots.points.services import merchant_save, offer_save, policy_save

    from .accounts import account_places

    rng = rng_for(plan.seed, "points")
    dc = plan.district_code
    home = account_places(plan)["community"]
    communities = list(Area.objects.filter(code__startswith=dc, level=Level.COMMUNITY).order_by("code"))
    admin = User.objects.filter(username="admin").first()
    password = admin.password if admin else "!"
    workers = {ra.area.code: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_WORKER, area__code__startswith=dc).select_related("area", "user").order_by("pk")}
    start = end - timedelta(days=365)
    valid_from, valid_until = timezone.localdate(start), timezone.localdate(end) + timedelta(days=90)

    # Rules: the defaults, except a community that lets points lapse after six months.
    short = communities[1] if len(communities) > 1 else communities[0]
    policy_save(community=short, actor=workers.get(short.code) or admin, values={
        "woodpecker_report": 5, "volunteer_hour": 10, "service_record": 10, "wish_fulfilled": 20, "case_rated": 2,
        "meeting_attended": 5, "expiry_months": 6, "guard_minutes": 60, "guard_per_account": 5, "guard_per_spot": 3,
        "guard_spot_meters": 30})

    offers = []
    handlers = 0
    for n, community in enumerate(communities):
        actor = workers.get(community.code) or admin
        property_unit = Unit.objects.filter(kind="property", area__code__startswith=community.code).order_by("name").first()
        shops = [(f"{property_unit.name if property_unit else community.name + '物业'}", "property", property_unit, OFFERS)]
        shops += [(f"{community.name}{rng.choice(SHOP_NAMES)}", "shop", None, rng.sample(SHOP_OFFERS, 2))]
        for name, kind, unit, menu in shops:
            username = "merchant" if community.code == home and kind == "property" else f"demo.mh.{n}.{kind}"
            User.objects.create(username=username, password=password,
                                display_name=f"{name[:20]}核销员" if username == "merchant" else name[:30])
            handlers += 1
            shop = merchant_save(community=community, actor=actor, name=name[:100], kind=kind,
                                 address=f"{community.name}服务中心" if kind == "property" else f"{community.name}沿街",
                                 hours="8:30-18:00", handlers=username, unit_id=unit.pk if unit else None)
            handler = shop.handlers.get()
            for kind_, title, price, face, stock, per, text in menu:
                offers.append(offer_save(merchant=shop, actor=handler, values={
                    "kind": kind_, "title": title, "price": price, "face_value": face or "", "stock": stock,
                    "per_person": per, "valid_from": valid_from, "valid_until": valid_until, "code_days": 7,
                    "description": text}))
    log(f"积分商家 {handlers} 家，兑换项目 {len(offers)} 个")

    earnings = earning.missed(end - timedelta(days=3 * 365), limit=1_000_000)  # some demo events are "today"
    first = min((e.occurred_at for e in earnings), default=start)
    named = {f"user:{pk}" for pk in User.objects.filter(username__in=NAMED).values_list("pk", flat=True)}
    counts = _walk(rng, earnings, offers, start=min(first, start), end=end, keep=named)
    counts |= _named(offers, end=end, home=home)
    log(f"积分：发放 {counts['awards']} 笔，兑换 {counts['redeemed']} 次（核销 {counts['settled']}），"
        f"到期作废 {counts.get('expired_points', 0)} 分")
    return counts


def _walk(rng: random.Random, earnings, offers, *, start: datetime, end: datetime, keep: set[str]) -> dict:
    """``keep``: the owners whose redemptions ``_named`` makes; the weekly draw leaves their points alone
    (drawn, they could have spent all of them, and the README's accounts would show no open code)."""
    from django.core.exceptions import ValidationError

    from grassroots.ledger.models import Account
    from grassroots.points.services import (
        award_many,
        expire_points,
        lapse_codes,
        redeem,
        redemption_cancel,
        verify_code,
    )

    by_community: dict[str, list] = {}
    for offer in offers:
        by_community.setdefault(offer.merchant.community.code, []).append(offer)
    counts = {"awards": 0, "redeemed": 0, "settled": 0, "cancelled": 0, "expiry_runs": 0}
    pending = sorted(earnings, key=lambda e: e.occurred_at)
    i = 0
    week = timezone.make_aware(datetime.combine(timezone.localdate(start), time.min))

    def pay_until(moment: datetime) -> None:
        nonlocal i
        j = i
        while j < len(pending) and pending[j].occurred_at < moment:
            j += 1
        if j > i:
            counts["awards"] += award_many(pending[i:j])
            i = j

    while week < end:
        run = expire_points(day=timezone.localdate(week), since=week - timedelta(days=7), record=False)
        counts["expiry_runs"] += 1
        counts["expired_points"] = counts.get("expired_points", 0) + run.points
        lapse_codes(now=week)
        redeem_at = min(week + timedelta(days=4, hours=10), end - timedelta(hours=2))
        verify_at = min(redeem_at + timedelta(days=1), end - timedelta(hours=1))
        pay_until(redeem_at)
        held = []
        people = list(Account.objects.filter(kind=Account.Kind.PERSON, posted__gte=60).values_list(
            "pk", "owner", "community_code", "posted", "held"))
        for pk, owner, code, posted, on_hold in rng.sample(people, min(len(people), 12)):
            if owner in keep:
                continue
            choices = [o for o in by_community.get(code, []) if o.price <= posted - on_hold]
            if not choices or rng.random() < 0.3:
                continue
            offer = rng.choice(choices)
            try:
                held.append(redeem(offer=offer, user=_user(owner), key=f"demo-{pk}-{offer.pk}-{week:%Y%m%d}",
                                   now=redeem_at))
                counts["redeemed"] += 1
            except ValidationError:  # a limit reached or the stock gone: this resident skips a week
                continue
        pay_until(verify_at)
        for row in held:
            roll = rng.random()
            if roll < 0.8:
                verify_code(merchant=row.merchant, code=row.code, actor=row.merchant.handlers.first(), now=verify_at)
                counts["settled"] += 1
            elif roll < 0.9:
                redemption_cancel(redemption=row, user=row.user, now=verify_at)
                counts["cancelled"] += 1
            # else: left to lapse at a later week's run
        week += timedelta(days=7)
    pay_until(max([end] + [e.occurred_at for e in pending]) + timedelta(seconds=1))
    return counts


def _user(owner: str):
    from grassroots.accounts.models import User

    return User.objects.get(pk=int(owner.split(":")[1]))


def _named(offers, *, end: datetime, home: str) -> dict:
    """The woodpecker and the volunteer of the README: a settled redemption and an open code each,
    when they earned enough (the woodpecker earns from quick reports, which need the demo's cases)."""
    from grassroots.accounts.models import User
    from grassroots.ledger.models import Account
    from grassroots.points.models import Redemption
    from grassroots.points.services import redeem, verify_code

    shown = 0
    for username in NAMED:
        user = User.objects.filter(username=username).first()
        account = Account.objects.filter(kind=Account.Kind.PERSON, owner=f"user:{user.pk}" if user else "-",
                                         community_code=home).first()
        if account is None:
            continue
        cheap = sorted((o for o in offers if o.merchant.community.code == home), key=lambda o: o.price)
        for step, at in ((0, end - timedelta(days=3)), (1, end - timedelta(hours=1))):
            account.refresh_from_db()
            offer = next((o for o in cheap if o.price <= account.available and o.per_person > Redemption.objects.filter(
                offer=o, user=user, status__in=("held", "settled")).count()), None)
            if offer is None:
                break
            row = redeem(offer=offer, user=user, key=f"demo-named-{username}-{step}", now=at)
            if step == 0:
                verify_code(merchant=row.merchant, code=row.code, actor=row.merchant.handlers.first(),
                            now=at + timedelta(hours=2))
            shown += 1
    return {"named_redemptions": shown}
