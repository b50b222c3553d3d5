"""Reads of 微心愿. ``wall`` is public: it returns the public fields only (no one's name, phone or
address; the claimer as "党员 王*明"), which is all the public page and API ever see."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, outlines_unread

from .models import Wish

PUBLIC_FIELDS = ("pk", "title", "story", "kind", "status", "claimer_label", "published_at", "claimed_at",
                 "confirmed_at", "community__name", "community__code")
ON_THE_WALL = (Wish.Status.PUBLISHED, Wish.Status.CLAIMED, Wish.Status.FULFILLED, Wish.Status.CONFIRMED)


def wall(community: Area) -> list[dict]:
    return list(Wish.objects.filter(community=community, status__in=ON_THE_WALL).order_by("status", "-published_at")
                .values(*PUBLIC_FIELDS)[:300])


def wall_counts(community: Area) -> dict:
    rows = Wish.objects.filter(community=community)
    return {"open": rows.filter(status=Wish.Status.PUBLISHED).count(), "done": rows.filter(status=Wish.Status.CONFIRMED).count()}


def my_claims(user) -> QuerySet[Wish]:
    return Wish.objects.filter(claimed_by=user).select_related("community").order_by("-claimed_at")


def managed(user) -> QuerySet[Wish]:
    scope = scope_for(user)
    qs = outlines_unread(Wish.objects.select_related("community", "claimed_by"))
    if scope.is_superuser:
        return qs
    if not scope.codes(Capability.DISPATCH_CASES):
        return qs.none()
    return qs.filter(scope.area_q(Capability.DISPATCH_CASES, "community__code"))
