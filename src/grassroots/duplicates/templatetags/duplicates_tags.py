"""What the board, the case page and the tracking page include from this app (each through one
``{% include "duplicates/…" %}`` line in their templates)."""

from __future__ import annotations

from django import template

from grassroots.cases.models import Case

from .. import selectors
from ..models import MergedRating

register = template.Library()


@register.simple_tag(takes_context=True)
def board_pairs(context, case: Case) -> list:
    """The open "same as" pairs of one board row; the whole page's are read once, on the first row."""
    request = context.get("request")
    cache = getattr(request, "_duplicate_board_pairs", None)
    if cache is None:
        rows = context.get("rows") or []
        cases = [getattr(r, "case", r) for r in rows]
        cache = selectors.pairs_for_board(cases, request.user) if request is not None else {}
        if request is not None:
            request._duplicate_board_pairs = cache
    return cache.get(case.pk, [])


@register.simple_tag(takes_context=True)
def case_pairs(context, case: Case) -> list:
    request = context.get("request")
    if request is None:
        return []
    pairs = selectors.pairs_of(case, request.user)
    return [(p, selectors.can_decide(request.user, p)) for p in pairs]


@register.simple_tag
def extra_ratings(case: Case) -> list:
    return list(selectors.extra_ratings_of(case))


@register.simple_tag
def merged_view(case: Case) -> dict:
    """What the tracking page of a merged case shows of the original: its status in plain Chinese,
    its public timeline and reply — never its text, photos, reporter or tracking code."""
    from grassroots.portal.selectors import case_public_view

    original = selectors.original_of(case)
    if original is None:
        return {}
    view = case_public_view(original)
    mine = MergedRating.objects.filter(case=case).first()
    return {"original": original, "view": view, "can_rate": selectors.merged_can_rate(case), "mine": mine}
