"""Every write to the ledger. Each function takes an idempotency ``key``: calling it again with the
same key (a retry, a double click, an event delivered twice) returns the transfer already made and
changes nothing; the same key with other figures is refused (``KeyConflict``).

    transfer(key=…, kind=EARN, debit=issuer, credit=person, amount=5, expires_at=…)   # earn
    h = hold(key=…, debit=person, credit=merchant, amount=300, expires_at=…)         # redeem: reserve
    settle(hold=h, key=…)  |  release(hold=h, key=…)                                  # then one of these
    reverse(transfer=t, key=…, actor=…, reason=…)                                     # a correction
    expire(account=person, at=…, key=…)                                               # the worker

Balances move by conditional UPDATEs (``posted >= held + amount``) taken in account-id order, so two
writers can neither overdraw an account nor deadlock; the database's check constraint is the last
word. A hold is closed once: ``Transfer.closes`` is unique, so of a settle and a release (or two
settles) racing for one hold, one wins and the other is told. Expiry spends the earliest-expiring
points first: what a person holds is made of their latest credits, so the points past ``at`` are
``posted − (credits expiring after at)``, never more than is not held.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from .models import Account, Entry, Transfer

K = Transfer.Kind

class InsufficientPoints(ValidationError):
    def __init__(self, available: int, needed: int):
        super().__init__({"__all__": [f"积分不足：可用 {available} 分，需要 {needed} 分"]})
        self.available, self.needed = available, needed

class KeyConflict(ValidationError):
    def __init__(self, key: str):
        super().__init__({"__all__": ["这个请求已经用不同的内容提交过，请刷新页面后重试"]})
        self.key = key

class AlreadyClosed(ValidationError):
    def __init__(self, closed: Transfer):
        label = "已核销" if closed.kind == K.SETTLE else "已退回"
        super().__init__({"__all__": [f"这笔兑换{label}（{timezone.localtime(closed.created_at):%Y-%m-%d %H:%M}）"]})
        self.closed = closed

# --- accounts -----------------------------------------------------------------------------------------

def account_for(*, kind: str, community_code: str, owner: str = "", name: str = "") -> Account:
    """The account (made on first use; two first uses at once make one)."""
    found = Account.objects.filter(kind=kind, owner=owner, community_code=community_code).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, owner=owner, community_code=community_code,
                                          district_code=community_code[:6], name=name[:100],
                                          may_go_negative=kind == Account.Kind.ISSUER)
    except IntegrityError:
        return Account.objects.get(kind=kind, owner=owner, community_code=community_code)

def issuer(community_code: str, name: str = "") -> Account:
    return account_for(kind=Account.Kind.ISSUER, community_code=community_code, name=name)

def expiry_sink(community_code: str, name: str = "") -> Account:
    return account_for(kind=Account.Kind.EXPIRY, community_code=community_code, name=name)

def person(user, community_code: str) -> Account:
    return account_for(kind=Account.Kind.PERSON, owner=f"user:{user.pk}", community_code=community_code,
                       name=getattr(user, "username", ""))

def people(pairs) -> dict[tuple[int, str], Account]:
    """Persons' accounts for many (user, community code) pairs at once, keyed (user id, code): read in
    a few queries, the missing ones made on first use (a bulk history, not one query per row)."""
    wanted = {(u.pk, code): u for u, code in pairs}
    found: dict[tuple[int, str], Account] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 400):
        chunk = keys[start:start + 400]
        for account in Account.objects.filter(kind=Account.Kind.PERSON, owner__in={f"user:{pk}" for pk, _c in chunk},
                                              community_code__in={c for _pk, c in chunk}):
            key = (int(account.owner.removeprefix("user:")), account.community_code)
            if key in wanted:
                found[key] = account
    for key, user in wanted.items():
        if key not in found:
            found[key] = person(user, key[1])
    return found


def merchant(merchant_pk: int, community_code: str, name: str = "") -> Account:
    return account_for(kind=Account.Kind.MERCHANT, owner=f"merchant:{merchant_pk}", community_code=community_code,
                       name=name)

# --- the one write path ----------------------------------------------------------------------------------

def _same(found: Transfer, kind: str, debit: Account, credit: Account, amount: int | None) -> Transfer:
    if found.kind != kind or found.debit_id != debit.pk or found.credit_id != credit.pk or (
            amount is not None and found.amount != amount):
        raise KeyConflict(found.key)
    return found

def _write(*, key: str, kind: str, debit: Account, credit: Account, amount: int, apply, check_amount: bool = True,
           **fields) -> Transfer:
    key = (key or "").strip()
    if not key or len(key) > 120:
        raise ValueError("a ledger write needs an idempotency key of 1–120 characters")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationError({"amount": ["积分必须是正整数"]})
    if debit.pk == credit.pk:
        raise ValueError("a transfer moves points between two accounts")
    found = Transfer.objects.filter(key=key).first()
    if found is not None:
        return _same(found, kind, debit, credit, amount if check_amount else None)
    fields.setdefault("created_at", timezone.now())
    community_code = fields.pop("community_code", None) or credit.community_code
    try:
        with transaction.atomic():
            made = Transfer.objects.create(key=key, kind=kind, debit=debit, credit=credit, amount=amount,
                                           community_code=community_code, district_code=community_code[:6], **fields)
            apply(made)
            return made
    except IntegrityError:
        found = Transfer.objects.filter(key=key).first()
        if found is None:
            raise
        return _same(found, kind, debit, credit, amount if check_amount else None)

def _available(account_pk: int) -> int:
    posted, held = Account.objects.filter(pk=account_pk).values_list("posted", "held").get()
    return posted - held

def _debit(account_pk: int, amount: int, *, from_hold: bool = False) -> None:
    rows = Account.objects.filter(pk=account_pk)
    if from_hold:
        done = rows.update(posted=F("posted") - amount, held=F("held") - amount)
    else:
        done = rows.filter(Q(may_go_negative=True) | Q(posted__gte=F("held") + amount)).update(
            posted=F("posted") - amount)
    if not done:
        raise InsufficientPoints(_available(account_pk), amount)

def _credit(account_pk: int, amount: int) -> None:
    Account.objects.filter(pk=account_pk).update(posted=F("posted") + amount)

def _post(t: Transfer, *, from_hold: bool = False) -> None:
    """Move ``t.amount`` from debit to credit (accounts locked in id order) and write the two entries."""
    for pk in sorted((t.debit_id, t.credit_id)):
        if pk == t.debit_id:
            _debit(pk, t.amount, from_hold=from_hold)
        else:
            _credit(pk, t.amount)
    after = dict(Account.objects.filter(pk__in=(t.debit_id, t.credit_id)).values_list("pk", "posted"))
    Entry.objects.bulk_create([
        Entry(transfer=t, account_id=t.debit_id, amount=-t.amount, balance_after=after[t.debit_id], created_at=t.created_at,
              district_code=t.district_code),
        Entry(transfer=t, account_id=t.credit_id, amount=t.amount, balance_after=after[t.credit_id], created_at=t.created_at,
              district_code=t.district_code),
    ])

# --- the operations ----------------------------------------------------------------------------------------

def transfer(*, key: str, kind: str, debit: Account, credit: Account, amount: int, actor=None, reason: str = "",
             ref: str = "", expires_at: datetime | None = None, at: datetime | None = None) -> Transfer:
    """A posted transfer (an earning, an adjustment). ``at`` backdates it (the demo's history only)."""
    if kind not in (K.EARN, K.ADJUST):
        raise ValueError(f"use the ledger's own function for {kind}")
    return _write(key=key, kind=kind, debit=debit, credit=credit, amount=amount, apply=_post, actor=actor,
                  reason=reason[:200], ref=ref[:120], expires_at=expires_at, created_at=at or timezone.now(),
                  community_code=credit.community_code if credit.kind == Account.Kind.PERSON else debit.community_code)

def hold(*, key: str, debit: Account, credit: Account, amount: int, expires_at: datetime, actor=None,
         ref: str = "", at: datetime | None = None) -> Transfer:
    """Reserve ``amount`` of ``debit``'s points for ``credit`` until settled or released."""
    def apply(t: Transfer) -> None:
        done = Account.objects.filter(pk=debit.pk, posted__gte=F("held") + amount).update(held=F("held") + amount)
        if not done:
            raise InsufficientPoints(_available(debit.pk), amount)

    return _write(key=key, kind=K.HOLD, debit=debit, credit=credit, amount=amount, apply=apply, pending=True,
                  expires_at=expires_at, actor=actor, ref=ref[:120], created_at=at or timezone.now(),
                  community_code=debit.community_code)

def _close(*, hold: Transfer, key: str, kind: str, actor, reason: str, at: datetime | None) -> Transfer:
    if not hold.pending:
        raise ValueError("only a hold can be settled or released")
    debit, credit = hold.debit, hold.credit

    def apply(t: Transfer) -> None:
        if kind == K.SETTLE:
            _post(t, from_hold=True)
        else:
            Account.objects.filter(pk=hold.debit_id).update(held=F("held") - hold.amount)

    try:
        return _write(key=key, kind=kind, debit=debit, credit=credit, amount=hold.amount, apply=apply, closes=hold,
                      actor=actor, reason=reason[:200], ref=hold.ref, created_at=at or timezone.now(),
                      community_code=hold.community_code)
    except IntegrityError:  # the hold was closed under another key
        raise AlreadyClosed(Transfer.objects.get(closes=hold)) from None

def settle(*, hold: Transfer, key: str, actor=None, reason: str = "", at: datetime | None = None) -> Transfer:
    """The merchant verified the code: the held points go to the merchant."""
    return _close(hold=hold, key=key, kind=K.SETTLE, actor=actor, reason=reason, at=at)

def release(*, hold: Transfer, key: str, actor=None, reason: str = "", at: datetime | None = None) -> Transfer:
    """Cancelled or lapsed: the held points are free again (nothing was posted, so nothing moves)."""
    return _close(hold=hold, key=key, kind=K.RELEASE, actor=actor, reason=reason, at=at)

def reverse(*, transfer: Transfer, key: str, actor, reason: str, expires_at: datetime | None = None,
            at: datetime | None = None) -> Transfer:
    """A correction: the same amount back the other way, once, with the reason and who made it.
    ``expires_at``: when points credited back to a person lapse (a reversed redemption or expiry)."""
    found = Transfer.objects.filter(key=(key or "").strip()).first()
    if found is not None:  # the same correction again
        return _same(found, K.REVERSE, transfer.credit, transfer.debit, transfer.amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["冲正必须说明原因"]})
    if actor is None:
        raise ValidationError({"__all__": ["冲正必须记录操作人"]})
    if transfer.pending or transfer.kind in (K.RELEASE, K.REVERSE, K.HOLD):
        raise ValidationError({"__all__": ["只能冲正已入账的发放、核销、过期或调整"]})
    if Transfer.objects.filter(reverses=transfer).exists():
        raise ValidationError({"__all__": ["这笔流水已经冲正过"]})
    debit, credit = transfer.credit, transfer.debit
    if credit.kind == Account.Kind.PERSON and expires_at is None:
        raise ValueError("points credited back to a person need expires_at")
    try:
        return _write(key=key, kind=K.REVERSE, debit=debit, credit=credit, amount=transfer.amount, apply=_post,
                      reverses=transfer, actor=actor, reason=reason[:200], ref=transfer.ref,
                      expires_at=expires_at if credit.kind == Account.Kind.PERSON else None,
                      created_at=at or timezone.now(), community_code=transfer.community_code)
    except IntegrityError:
        raise ValidationError({"__all__": ["这笔流水已经冲正过"]}) from None

LOT_KINDS = (K.EARN, K.REVERSE, K.ADJUST)

def expiring(account: Account, at: datetime) -> int:
    """How many of the account's points have lapsed by ``at`` (and are not held)."""
    if account.kind != Account.Kind.PERSON:
        return 0
    later = (Transfer.objects.filter(credit=account, kind__in=LOT_KINDS, expires_at__gt=at)
             .filter(Q(reversed_by__isnull=True)).aggregate(s=Sum("amount"))["s"] or 0)
    return max(0, min(account.posted - later, account.posted - account.held))

def expire(*, account: Account, at: datetime, key: str, sink: Account | None = None) -> Transfer | None:
    """Move the points lapsed by ``at`` to the community's expiry sink; None when nothing lapsed.
    Run again (the same ``key``, or a later run) it finds nothing more to move."""
    found = Transfer.objects.filter(key=key).first()
    if found is not None:
        return found
    sink = sink or expiry_sink(account.community_code)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        amount = expiring(locked, at)
        if amount <= 0:
            return None
        return _write(key=key, kind=K.EXPIRE, debit=locked, credit=sink, amount=amount, apply=_post,
                      check_amount=False, reason=f"{timezone.localtime(at):%Y-%m-%d} 前到期", created_at=at,
                      community_code=account.community_code)

def lapsed_accounts(*, at: datetime, since: datetime) -> list[int]:
    """Person accounts with credits that lapsed in (since, at]: the ones an expiry run looks at."""
    return sorted(set(Transfer.objects.filter(kind__in=LOT_KINDS, expires_at__gt=since, expires_at__lte=at,
                                              credit__kind=Account.Kind.PERSON)
                      .values_list("credit_id", flat=True)))

def open_holds(*, lapsed_by: datetime) -> list[Transfer]:
    """Holds past their ``expires_at`` that nobody settled or released."""
    return list(Transfer.objects.filter(pending=True, expires_at__lte=lapsed_by, closed_by__isnull=True)
                .select_related("debit", "credit").order_by("expires_at")[:500])


def erase_district(district_code: str) -> int:
    """Remove a whole district's books — accounts, transfers, entries — as when a demo district is
    flushed. Not a ledger operation (those append); the caller audits it. Returns the transfers removed."""
    from django.db import connection

    accounts = list(Account.objects.filter(district_code=district_code).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL grassroots.ledger_erase = 'on'")
        removed = Transfer.objects.filter(district_code=district_code).count()
        for start in range(0, len(accounts), 500):
            chunk = accounts[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM ledger_entry WHERE account_id IN ({marks})", chunk)  # noqa: S608
        cursor.execute("DELETE FROM ledger_transfer WHERE district_code = %s", [district_code])
        cursor.execute("DELETE FROM ledger_account WHERE district_code = %s", [district_code])
    return removed


def earn_many(rows: list[dict]) -> int:
    """Post many earnings at once (a history loaded in bulk: the demo's year, a migration from another
    system). Each row: key, debit (an issuing account), credit (a person's account), amount,
    expires_at, at, ref, reason. Rows whose key exists are skipped (idempotent); the rest are written
    in the order given, with their entries' running balances, and the accounts' balances moved once.
    Returns the number written."""
    rows = [r for r in rows if r["amount"] > 0]
    keys = [r["key"] for r in rows]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing |= set(Transfer.objects.filter(key__in=keys[start:start + 500]).values_list("key", flat=True))
    rows = [r for r in rows if r["key"] not in existing]
    if not rows:
        return 0
    if any(r["debit"].kind != Account.Kind.ISSUER for r in rows):
        raise ValueError("earn_many pays from issuing accounts only")
    with transaction.atomic():
        ids = sorted({r["debit"].pk for r in rows} | {r["credit"].pk for r in rows})
        balances = {}
        for start in range(0, len(ids), 500):
            balances |= dict(Account.objects.select_for_update().filter(pk__in=ids[start:start + 500])
                             .values_list("pk", "posted"))
        made = Transfer.objects.bulk_create([
            Transfer(key=r["key"], kind=K.EARN, debit=r["debit"], credit=r["credit"], amount=r["amount"],
                     expires_at=r["expires_at"], ref=r.get("ref", "")[:120], reason=r.get("reason", "")[:200],
                     community_code=r["credit"].community_code, district_code=r["credit"].community_code[:6],
                     created_at=r["at"]) for r in rows], batch_size=500)
        if any(t.pk is None for t in made):  # a database without RETURNING: read the ids back
            by_key = dict(Transfer.objects.filter(key__in=[r["key"] for r in rows]).values_list("key", "pk"))
            for t in made:
                t.pk = t.id = by_key[t.key]
        entries = []
        for t in made:
            balances[t.debit_id] -= t.amount
            balances[t.credit_id] += t.amount
            entries += [Entry(transfer=t, account_id=t.debit_id, amount=-t.amount,
                              balance_after=balances[t.debit_id], created_at=t.created_at,
                              district_code=t.district_code),
                        Entry(transfer=t, account_id=t.credit_id, amount=t.amount,
                              balance_after=balances[t.credit_id], created_at=t.created_at,
                              district_code=t.district_code)]
        Entry.objects.bulk_create(entries, batch_size=1000)
        touched = {t.debit_id for t in made} | {t.credit_id for t in made}
        Account.objects.bulk_update([Account(pk=pk, posted=balances[pk]) for pk in touched], ["posted"],
                                    batch_size=500)  # the rows are locked above: these are their balances
    return len(made)
