"""Reads of points, each scoped: a person reads their own accounts only, a merchant's handler their
merchant's redemptions only, community staff their community's books only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.areas.selectors import communities_where
from grassroots.ledger.models import Account, Entry, Transfer

from .models import Award, Merchant, Offer, Redemption


def my_accounts(user) -> list[tuple[Account, Area | None]]:
    """The user's own points accounts, one per community where they earned or spent."""
    if not user.is_authenticated:
        return []
    rows = list(Account.objects.filter(kind=Account.Kind.PERSON, owner=f"user:{user.pk}").order_by("community_code"))
    names = {a.code: a for a in Area.objects.filter(code__in=[r.community_code for r in rows])}
    return [(r, names.get(r.community_code)) for r in rows]


def statement(account: Account, *, before: int | None = None, limit: int = 50) -> list[dict]:
    """An account's entries, newest first, with the balance after each (keyset pages by entry id)."""
    rows = Entry.objects.filter(account=account)
    if before:
        rows = rows.filter(pk__lt=before)
    return list(rows.order_by("-pk").values("pk", "amount", "balance_after", "created_at", "transfer__kind",
                                             "transfer__reason", "transfer__ref")[:limit])


def open_holds(account: Account) -> list[Transfer]:
    return list(Transfer.objects.filter(debit=account, pending=True, closed_by__isnull=True).order_by("-created_at")[:50])


def my_redemptions(user) -> QuerySet[Redemption]:
    return Redemption.objects.filter(user=user).select_related("offer", "merchant").order_by("-created_at")


def my_awards(user, status: str | None = None) -> QuerySet[Award]:
    rows = Award.objects.filter(user=user).select_related("community")
    return rows.filter(status=status) if status else rows


def store(user, community_codes: list[str] | None = None) -> QuerySet[Offer]:
    """Offers open today in the communities given (default: those where the user has points)."""
    today = timezone.localdate()
    codes = community_codes if community_codes is not None else [a.community_code for a, _ in my_accounts(user)]
    return (Offer.objects.filter(active=True, merchant__active=True, merchant__community__code__in=codes,
                                 valid_from__lte=today, valid_until__gte=today)
            .select_related("merchant__community").order_by("merchant__community__code", "price"))


def my_merchants(user) -> QuerySet[Merchant]:
    if not user.is_authenticated:
        return Merchant.objects.none()
    rows = Merchant.objects.select_related("community")
    return rows if user.is_superuser else rows.filter(handlers=user)


def merchant_redemptions(merchant: Merchant, *, status: str | None = None,
                         since: datetime | None = None, until: datetime | None = None) -> QuerySet[Redemption]:
    rows = Redemption.objects.filter(merchant=merchant).select_related("offer")
    if status:
        rows = rows.filter(status=status)
    if since:
        rows = rows.filter(created_at__gte=since)
    if until:
        rows = rows.filter(created_at__lt=until)
    return rows.order_by("-created_at")


def managed_communities(user) -> QuerySet[Area]:
    return communities_where(user, Capability.DISPATCH_CASES)


def books(community: Area) -> dict:
    """A community's points books from its accounts' balances (constant cost however long the history):
    issued, redeemed (to its merchants), expired, outstanding (held by people) and held for codes."""
    accounts = Account.objects.filter(community_code=community.code)
    by_kind = {row["kind"]: row for row in accounts.values("kind").annotate(posted=Sum("posted"), held=Sum("held"),
                                                                          n=Count("pk"))}

    def get(kind: str, field: str = "posted") -> int:
        return int((by_kind.get(kind) or {}).get(field) or 0)

    issued = -get(Account.Kind.ISSUER)
    out = {"issued": issued, "redeemed": get(Account.Kind.MERCHANT), "expired": get(Account.Kind.EXPIRY),
           "outstanding": get(Account.Kind.PERSON), "held": get(Account.Kind.PERSON, "held"),
           "people": int((by_kind.get(Account.Kind.PERSON) or {}).get("n") or 0)}
    out["balanced"] = out["issued"] == out["redeemed"] + out["expired"] + out["outstanding"]
    return out


def monthly(community: Area, *, since: datetime, until: datetime) -> list[dict]:
    """Points issued, redeemed and expired per month in [since, until)."""
    rows = (Transfer.objects.filter(community_code=community.code, created_at__gte=since, created_at__lt=until,
                                    kind__in=(Transfer.Kind.EARN, Transfer.Kind.SETTLE, Transfer.Kind.EXPIRE,
                                              Transfer.Kind.REVERSE))
            .annotate(month=TruncMonth("created_at")).values("month", "kind").annotate(total=Sum("amount"))
            .order_by("month"))
    months: dict = {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        entry = months.setdefault(month, {"month": month, "earn": 0, "settle": 0, "expire": 0, "reverse": 0})
        entry[row["kind"]] += int(row["total"] or 0)
    return list(months.values())


def reviewable(user) -> QuerySet[Award]:
    """Held awards the user may pay or refuse: in their grids (grid workers) or communities (staff)."""
    scope = scope_for(user)
    rows = Award.objects.filter(status=Award.Status.HELD).select_related("community", "user").order_by("occurred_at")
    if scope.is_superuser:
        return rows
    grids, staff = scope.codes(Capability.HANDLE_CASES), scope.codes(Capability.DISPATCH_CASES)
    if not grids and not staff:
        return rows.none()
    q = Q(pk__in=[])
    if grids:
        q |= scope.area_q(Capability.HANDLE_CASES, "area_code")
    if staff:
        q |= scope.area_q(Capability.DISPATCH_CASES, "community__code")
    return rows.filter(q)


def community_awards(community: Area, *, status: str | None = None) -> QuerySet[Award]:
    rows = Award.objects.filter(community=community).select_related("user").order_by("-occurred_at")
    return rows.filter(status=status) if status else rows
