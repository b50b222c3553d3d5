"""The ledger's promises: every transfer sums to zero, no person's balance goes below zero, each
balance is the sum of its account's entries, holds close once, expiry spends the earliest first,
nothing is changed after it is written, and a replayed request changes nothing."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.ledger import services as ledger
from grassroots.ledger.models import Account, AppendOnly, Entry, Transfer
from tests.factories import make_user

K = Transfer.Kind
C = "420303001001"
NOW = timezone.now()


def _people(n: int = 2):
    return [make_user(f"p{i}") for i in range(n)]


def _earn(person: Account, amount: int, key: str, *, days: int = 365, at=None) -> Transfer:
    at = at or NOW
    return ledger.transfer(key=key, kind=K.EARN, debit=ledger.issuer(C), credit=person, amount=amount,
                           expires_at=at + timedelta(days=days), at=at)


def assert_books_balance() -> None:
    """The invariants the issue names, over every row of the ledger."""
    for t in Transfer.objects.all():
        entries = list(Entry.objects.filter(transfer=t).values_list("amount", flat=True))
        assert sum(entries) == 0, t
        assert len(entries) == (0 if t.kind in (K.HOLD, K.RELEASE) else 2), t
    for account in Account.objects.all():
        posted = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        assert account.posted == posted, account
        held = (Transfer.objects.filter(debit=account, pending=True, closed_by__isnull=True)
                .aggregate(s=Sum("amount"))["s"] or 0)
        assert account.held == held, account
        if not account.may_go_negative:
            assert account.posted - account.held >= 0, account
        running = 0
        for amount, after in Entry.objects.filter(account=account).order_by("pk").values_list("amount", "balance_after"):
            running += amount
            assert after == running
    assert (Account.objects.aggregate(s=Sum("posted"))["s"] or 0) == 0


def snapshot() -> tuple:
    return (Transfer.objects.count(), Entry.objects.count(),
            tuple(Account.objects.order_by("pk").values_list("posted", "held")))


# --- examples ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_earn_hold_settle_moves_points_once_and_the_books_balance():
    alice, = _people(1)
    mine, shop = ledger.person(alice, C), ledger.merchant(1, C, "理发店")
    _earn(mine, 100, "e1")
    held = ledger.hold(key="h1", debit=mine, credit=shop, amount=60, expires_at=NOW + timedelta(days=7))
    mine.refresh_from_db()
    assert (mine.posted, mine.held, mine.available) == (100, 60, 40)
    with pytest.raises(ledger.InsufficientPoints) as refused:
        ledger.hold(key="h2", debit=mine, credit=shop, amount=41, expires_at=NOW + timedelta(days=7))
    assert "可用 40 分" in str(refused.value)
    ledger.settle(hold=held, key="s1")
    assert ledger.settle(hold=held, key="s1").kind == K.SETTLE  # the same request again: the same transfer
    with pytest.raises(ledger.AlreadyClosed):
        ledger.release(hold=held, key="r1")  # a settled hold cannot be released too
    mine.refresh_from_db()
    shop.refresh_from_db()
    assert (mine.posted, mine.held, shop.posted) == (40, 0, 60)
    assert_books_balance()


@pytest.mark.django_db
def test_the_same_key_with_other_figures_is_refused_and_changes_nothing():
    alice, = _people(1)
    mine = ledger.person(alice, C)
    _earn(mine, 10, "award:x")
    before = snapshot()
    with pytest.raises(ledger.KeyConflict):
        _earn(mine, 11, "award:x")
    assert _earn(mine, 10, "award:x").amount == 10
    assert snapshot() == before


@pytest.mark.django_db
def test_expiry_spends_the_earliest_points_first_and_runs_once():
    alice, = _people(1)
    mine, shop = ledger.person(alice, C), ledger.merchant(1, C)
    _earn(mine, 30, "old", days=30)
    _earn(mine, 50, "new", days=300)
    held = ledger.hold(key="h", debit=mine, credit=shop, amount=20, expires_at=NOW + timedelta(days=3))
    ledger.settle(hold=held, key="s")  # spends 20 of the 30 that expire first
    later = NOW + timedelta(days=31)
    assert ledger.expiring(Account.objects.get(pk=mine.pk), later) == 10
    moved = ledger.expire(account=mine, at=later, key="x1")
    assert moved.amount == 10
    assert ledger.expire(account=mine, at=later, key="x1") == moved
    assert ledger.expire(account=mine, at=later, key="x2") is None  # nothing more has lapsed
    mine.refresh_from_db()
    assert mine.posted == 50
    assert Account.objects.get(kind=Account.Kind.EXPIRY, community_code=C).posted == 10
    assert_books_balance()


@pytest.mark.django_db
def test_points_on_hold_do_not_lapse_while_held():
    alice, = _people(1)
    mine, shop = ledger.person(alice, C), ledger.merchant(1, C)
    _earn(mine, 30, "old", days=5)
    held = ledger.hold(key="h", debit=mine, credit=shop, amount=30, expires_at=NOW + timedelta(days=30))
    assert ledger.expire(account=mine, at=NOW + timedelta(days=6), key="x") is None
    ledger.settle(hold=held, key="s")
    assert_books_balance()


@pytest.mark.django_db
def test_a_correction_is_a_reversing_transfer_with_reason_and_actor_once():
    alice, clerk = _people(2)
    mine = ledger.person(alice, C)
    paid = _earn(mine, 8, "e")
    with pytest.raises(ValidationError):
        ledger.reverse(transfer=paid, key="rv", actor=clerk, reason=" ")
    back = ledger.reverse(transfer=paid, key="rv", actor=clerk, reason="重复上报")
    assert (back.debit_id, back.credit_id, back.reverses_id, back.actor_id) == (mine.pk, paid.debit_id, paid.pk, clerk.pk)
    with pytest.raises(ValidationError):
        ledger.reverse(transfer=paid, key="rv2", actor=clerk, reason="再来一次")
    assert Transfer.objects.filter(reverses=paid).count() == 1
    assert_books_balance()


@pytest.mark.django_db
def test_a_reversal_that_would_overdraw_is_refused():
    alice, clerk = _people(2)
    mine, shop = ledger.person(alice, C), ledger.merchant(1, C)
    paid = _earn(mine, 8, "e")
    ledger.settle(hold=ledger.hold(key="h", debit=mine, credit=shop, amount=8, expires_at=NOW + timedelta(days=1)),
                  key="s")
    with pytest.raises(ledger.InsufficientPoints):
        ledger.reverse(transfer=paid, key="rv", actor=clerk, reason="误发")
    assert_books_balance()


@pytest.mark.django_db
def test_written_rows_are_never_changed_by_the_code_or_by_the_database():
    alice, = _people(1)
    t = _earn(ledger.person(alice, C), 5, "e")
    with pytest.raises(AppendOnly):
        t.save()
    with pytest.raises(AppendOnly):
        Transfer.objects.filter(pk=t.pk).update(amount=500)
    with pytest.raises(AppendOnly):
        Entry.objects.filter(transfer=t).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_transfer SET amount = 500 WHERE id = %s", [t.pk])
    assert Transfer.objects.get(pk=t.pk).amount == 5


# --- the property test -------------------------------------------------------------------------------------

def _expire(account_pk: int, at, key: str):
    return ledger.expire(account=Account.objects.get(pk=account_pk), at=at, key=key)


OPS = st.lists(st.one_of(
    st.tuples(st.just("earn"), st.integers(0, 2), st.integers(1, 60), st.integers(0, 5), st.integers(1, 400)),
    st.tuples(st.just("hold"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 80), st.integers(0, 5)),
    st.tuples(st.just("settle"), st.integers(0, 7), st.integers(0, 3)),
    st.tuples(st.just("release"), st.integers(0, 7), st.integers(0, 3)),
    st.tuples(st.just("expire"), st.integers(0, 2), st.integers(0, 500)),
    st.tuples(st.just("reverse"), st.integers(0, 9)),
    st.tuples(st.just("retry"), st.integers(0, 30)),
), max_size=25)


@pytest.mark.django_db
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=OPS)
def test_any_sequence_keeps_the_books_balanced_and_replays_change_nothing(ops):
    with transaction.atomic():
        users = [make_user(f"u{i}") for i in range(3)]
        clerk = make_user("clerk")
        people = [ledger.person(u, C) for u in users]
        shops = [ledger.merchant(i, C) for i in range(2)]
        done: list = []  # (callable) of every request that succeeded, to replay
        for op in ops:
            name = op[0]
            if name == "earn":
                _, who, amount, key, days = op
                call = partial(_earn, people[who], amount, f"earn:{who}:{key}", days=days)
            elif name == "hold":
                _, who, shop, amount, key = op
                call = partial(ledger.hold, key=f"hold:{who}:{key}", debit=people[who], credit=shops[shop],
                               amount=amount, expires_at=NOW + timedelta(days=7))
            elif name in ("settle", "release"):
                holds = list(Transfer.objects.filter(kind=K.HOLD).order_by("pk"))
                if not holds:
                    continue
                target = holds[op[1] % len(holds)]
                call = partial(ledger.settle if name == "settle" else ledger.release, hold=target,
                               key=f"{name}:{target.pk}:{op[2]}")
            elif name == "expire":
                _, who, days = op
                call = partial(_expire, people[who].pk, NOW + timedelta(days=days), f"expire:{who}:{days}")
            elif name == "reverse":
                posted = list(Transfer.objects.filter(kind__in=(K.EARN, K.SETTLE, K.EXPIRE)).order_by("pk"))
                if not posted:
                    continue
                target = posted[op[1] % len(posted)]
                call = partial(ledger.reverse, transfer=target, key=f"reverse:{target.pk}", actor=clerk,
                               reason="更正", expires_at=NOW + timedelta(days=200))
            else:  # replay an earlier successful request: nothing changes
                if not done:
                    continue
                before = snapshot()
                done[op[1] % len(done)]()
                assert snapshot() == before
                continue
            try:
                with transaction.atomic():
                    made = call()
            except ValidationError:
                continue  # refused (not enough points, closed hold, reversed already): nothing written
            if made is not None:  # an expiry run that found nothing to move wrote nothing to replay
                done.append(call)
        assert_books_balance()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_database_itself_refuses_a_negative_personal_balance():
    from django.db import IntegrityError

    alice, = _people(1)
    mine = ledger.person(alice, C)
    _earn(mine, 5, "e")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET posted = posted - 6 WHERE id = %s", [mine.pk])
    assert Account.objects.get(pk=mine.pk).posted == 5


@pytest.mark.django_db
def test_a_whole_district_can_be_erased_and_nothing_else():
    alice, = _people(1)
    _earn(ledger.person(alice, C), 5, "e")
    other = ledger.person(alice, "110105001001")
    ledger.transfer(key="elsewhere", kind=K.EARN, debit=ledger.issuer("110105001001"), credit=other, amount=3,
                    expires_at=NOW + timedelta(days=9))
    assert ledger.erase_district(C[:6]) == 1
    assert list(Transfer.objects.values_list("key", flat=True)) == ["elsewhere"]
    assert not Account.objects.filter(district_code=C[:6]).exists()
    assert_books_balance()


@pytest.mark.django_db
def test_a_history_posted_in_bulk_keeps_the_same_books_and_skips_what_exists():
    alice, bob = _people(2)
    a, b = ledger.person(alice, C), ledger.person(bob, C)
    _earn(a, 5, "bulk:0")
    rows = [{"key": f"bulk:{i}", "debit": ledger.issuer(C), "credit": (a, b)[i % 2], "amount": i,
             "expires_at": NOW + timedelta(days=100), "at": NOW + timedelta(minutes=i)} for i in range(6)]
    assert ledger.earn_many(rows) == 5  # bulk:0 exists already; an amount of 0 is not a transfer
    assert ledger.earn_many(rows) == 0
    assert (Account.objects.get(pk=a.pk).posted, Account.objects.get(pk=b.pk).posted) == (5 + 2 + 4, 1 + 3 + 5)
    assert_books_balance()
