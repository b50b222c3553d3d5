"""200 verified residents redeem the same item (stock 50) at the same moment; then the merchant verifies
every issued code twice at once. The points must never be oversold, paid twice or go negative.

    .venv/bin/python benchmarks/points_concurrency.py                 # starts a throw-away PostgreSQL
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/points_concurrency.py   # a THROW-AWAY database
    options: --residents N (default 200)  --stock N (default 50)

Each resident is a thread with its own database connection; all wait on one barrier and call
``points.services.redeem`` together (the stock's conditional UPDATE, the per-person limit, the
ledger's hold, the code). Then two threads per issued code call ``verify_code`` together (the
redemption's row lock and the ledger's unique ``closes``). The last line is one JSON object:
``attempts``, ``stock``, ``succeeded``, ``settled``, ``ledger_sum``, ``negative_balances``,
``double_settled`` and the rates; the script exits 1 when any of them is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]
DATA_KEY = "benchmark-data-key-0123456789abcdef0123"


def start_postgres() -> str:
    """A throw-away server like benchmarks/intake.py's, with room for 200 connections at once."""
    import intake

    original = intake.subprocess.run

    def run(args, **kwargs):  # add max_connections to the server's start options
        if isinstance(args, list) and "start" in args and "-o" in args:
            i = args.index("-o")
            args = [*args[:i + 1], args[i + 1] + " -c max_connections=400", *args[i + 2:]]
        return original(args, **kwargs)

    intake.subprocess.run = run
    try:
        return intake.start_postgres()
    finally:
        intake.subprocess.run = original


def at_once(calls) -> tuple[list, float]:
    """Run every call in its own thread, all released together; (results, seconds)."""
    from django.db import connection

    barrier = threading.Barrier(len(calls) + 1)
    out: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=120)
            try:
                out[i] = call()
            except Exception as exc:  # noqa: BLE001 — counted below
                out[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    barrier.wait(timeout=120)
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=600)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--stock", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or start_postgres()
    if not url.startswith("postgres"):
        sys.exit("points_concurrency measures PostgreSQL's row locks: give a postgres:// DATABASE_URL or none")
    os.environ.update({"DATABASE_URL": url, "GRASSROOTS_DATA_KEY": DATA_KEY, "DJANGO_SETTINGS_MODULE":
                       "grassroots.settings", "GRASSROOTS_DEBUG": "0", "GRASSROOTS_SECRET_KEY": "bench-" + "x" * 50})
    import django

    django.setup()
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db.models import Count, Sum
    from django.utils import timezone
    from tests.factories import build_tree, make_user

    from grassroots.accounts.models import Role, User
    from grassroots.ledger import services as ledger
    from grassroots.ledger.models import Account, Entry, Transfer
    from grassroots.points.models import Offer, Redemption
    from grassroots.points.services import merchant_save, offer_save, redeem, verify_code
    from grassroots.portal.models import ResidentAccount

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    tree = build_tree()
    community = tree.communities[0]
    households = [h for h in tree.households if h.code.startswith(community.code)]
    residents = []
    for n in range(args.residents):  # verified resident accounts, several per household
        home = households[n % len(households)]
        user = make_user(f"bench_r{n}", Role.RESIDENT, area=home)
        account = ResidentAccount(user=user, status=ResidentAccount.Status.VERIFIED, household=home,
                                  verified_at=timezone.now(), district_code=home.code[:6])
        account.set_phone(f"137{n:08d}")
        account.save()
        ledger.transfer(key=f"bench:earn:{user.pk}", kind=Transfer.Kind.EARN, debit=ledger.issuer(community.code),
                        credit=ledger.person(user, community.code), amount=150,
                        expires_at=timezone.now() + timedelta(days=365))
        residents.append(user.pk)
    make_user("bench_counter")
    merchant = merchant_save(community=community, actor=tree.user("community_worker_1"), name="阳光物业",
                             kind="property", handlers="bench_counter")
    handler = merchant.handlers.get()
    offer = offer_save(merchant=merchant, actor=handler, values={
        "kind": "fee_voucher", "title": "物业费抵扣券50元", "price": 100, "face_value": "50", "stock": args.stock,
        "per_person": 1, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "code_days": 7})

    def redeem_as(pk):
        return lambda: redeem(offer=Offer.objects.get(pk=offer.pk), user=User.objects.get(pk=pk),
                              key=f"bench-{pk}")

    results, redeem_seconds = at_once([redeem_as(pk) for pk in residents])
    made = [r for r in results if isinstance(r, Redemption)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    other = [r for r in results if not isinstance(r, Redemption | ValidationError)]
    print(f"redeem: {len(results)} attempts in {redeem_seconds:.2f} s — {len(made)} held, {len(refused)} refused "
          f"({sorted({str(e.messages[0]) for e in refused})}), {len(other)} other {other[:3]}")

    def verify(code):
        return lambda: verify_code(merchant=merchant, code=code, actor=User.objects.get(pk=handler.pk))

    codes = [r.code for r in made]
    checks, verify_seconds = at_once([verify(c) for c in codes for _twice in range(2)])
    ok_per_code: dict[str, int] = {}
    for code, result in zip([c for c in codes for _ in range(2)], checks, strict=True):
        ok_per_code[code] = ok_per_code.get(code, 0) + isinstance(result, Redemption)
    unexpected = [r for r in checks if not isinstance(r, Redemption | ValidationError)]
    print(f"verify: {len(checks)} calls in {verify_seconds:.2f} s — {sum(ok_per_code.values())} settled, "
          f"{len(unexpected)} unexpected {unexpected[:3]}")

    settled_rows = Redemption.objects.filter(status=Redemption.Status.SETTLED).count()
    settles_per_hold = Transfer.objects.filter(closes__isnull=False).values("closes").annotate(n=Count("pk"))
    double = sum(1 for n in ok_per_code.values() if n > 1) + sum(1 for r in settles_per_hold if r["n"] > 1)
    negative = sum(1 for a in Account.objects.filter(kind=Account.Kind.PERSON) if a.posted - a.held < 0)
    figures = {
        "attempts": len(results), "stock": args.stock, "succeeded": Redemption.objects.count(),
        "settled": settled_rows, "settle_transfers": Transfer.objects.filter(kind=Transfer.Kind.SETTLE).count(),
        "ledger_sum": int(Entry.objects.aggregate(s=Sum("amount"))["s"] or 0),
        "accounts_sum": int(Account.objects.aggregate(s=Sum("posted"))["s"] or 0),
        "negative_balances": negative, "double_settled": double,
        "stock_left": Offer.objects.get(pk=offer.pk).stock_left, "unexpected_errors": len(other) + len(unexpected),
        "redeem_seconds": round(redeem_seconds, 3), "redemptions_per_second": round(len(results) / redeem_seconds, 1),
        "verify_calls": len(checks), "verify_seconds": round(verify_seconds, 3),
        "verifications_per_second": round(len(checks) / verify_seconds, 1) if verify_seconds else None,
        "database": "postgresql", "cpus": os.cpu_count(),
    }
    good = (figures["attempts"] == args.residents and figures["succeeded"] == args.stock
            and figures["settled"] == args.stock == figures["settle_transfers"] and figures["ledger_sum"] == 0
            and figures["accounts_sum"] == 0 and negative == 0 and double == 0 and figures["stock_left"] == 0
            and figures["unexpected_errors"] == 0)
    print(json.dumps(figures))
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
