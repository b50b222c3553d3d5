"""Simultaneous requests on PostgreSQL (row locks): one person's twelve redemptions at once cannot
spend more than they have; a double click sent twice at the same moment redeems once; two counters
verifying one code at once settle it once. (benchmarks/points_concurrency.py does the same with 200
residents and a stock of 50.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.ledger import services as ledger
from grassroots.ledger.models import Account, Transfer
from grassroots.points.models import Merchant, Offer, Redemption
from grassroots.points.services import merchant_save, offer_save, redeem, verify_code
from tests.factories import make_user
from tests.ledger.test_ledger import assert_books_balance
from tests.volunteers.test_concurrency import at_once

pytestmark = [
    pytest.mark.postgresql,  # needs PostgreSQL row locks
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shop(tree, stock: int = 20, per_person: int = 20):
    handler = make_user("counter")
    merchant = merchant_save(community=tree.communities[0], actor=tree.user("community_worker_1"), name="便民超市",
                             kind="shop", handlers="counter")
    offer = offer_save(merchant=merchant, actor=handler, values={
        "kind": "goods", "title": "大米5斤", "price": 10, "stock": stock, "per_person": per_person,
        "valid_from": "2020-01-01", "valid_until": "2099-12-31", "code_days": 7})
    return merchant, offer, handler


def test_one_person_cannot_overspend_with_simultaneous_redemptions(tree):
    merchant, offer, handler = _shop(tree)
    buyer = make_user("buyer")
    code = tree.communities[0].code
    ledger.transfer(key="seed", kind=Transfer.Kind.EARN, debit=ledger.issuer(code), credit=ledger.person(buyer, code),
                    amount=30, expires_at=timezone.now() + timedelta(days=300))

    def go(n):
        return lambda: redeem(offer=Offer.objects.get(pk=offer.pk), user=User.objects.get(pk=buyer.pk),
                              key=f"tap-{n}").status

    results = at_once([go(n) for n in range(12)])
    assert results.count("held") == 3, results
    assert all(r == "held" or "积分不足" in r for r in results), results
    account = Account.objects.get(owner=f"user:{buyer.pk}")
    assert (account.posted, account.held) == (30, 30)
    assert Offer.objects.get(pk=offer.pk).stock_left == 17
    assert_books_balance()


def test_a_double_click_at_the_same_moment_redeems_once_and_two_counters_settle_once(tree):
    merchant, offer, handler = _shop(tree)
    buyer = make_user("buyer")
    code = tree.communities[0].code
    ledger.transfer(key="seed", kind=Transfer.Kind.EARN, debit=ledger.issuer(code), credit=ledger.person(buyer, code),
                    amount=100, expires_at=timezone.now() + timedelta(days=300))

    def tap():
        return redeem(offer=Offer.objects.get(pk=offer.pk), user=User.objects.get(pk=buyer.pk), key="one-click").pk

    ids = at_once([tap] * 6)
    assert len(set(ids)) == 1 and Redemption.objects.count() == 1, ids
    assert Offer.objects.get(pk=offer.pk).stock_left == 19
    row = Redemption.objects.get()

    def check():
        return verify_code(merchant=Merchant.objects.get(pk=merchant.pk), code=row.code,
                           actor=User.objects.get(pk=handler.pk)).status

    results = at_once([check] * 4)
    assert results.count("settled") == 1 and sum("核销过" in r for r in results) == 3, results
    assert Transfer.objects.filter(kind="settle").count() == 1
    assert_books_balance()
