"""What the duplicate finder shows on the case loop's pages, through the slots it fills
(``cases.slots``): "疑似与 #N 重复" on a board row, the pair card and the merged residents' ratings
on the case page, the original's progress on a merged case's tracking page, and the live list of
similar open cases on the staff entry form."""

from __future__ import annotations

from grassroots.cases import slots
from grassroots.cases.models import Case

from . import selectors
from .models import MergedRating

STYLESHEET = "duplicates/duplicates.css"


def board_hints(request, cases) -> dict[int, dict]:
    """Each board row's own open candidates (one read for the page)."""
    return {pk: {"pairs": pairs} for pk, pairs in selectors.pairs_for_board(cases, request.user).items() if pairs}


def case_card(request, case: Case) -> dict | None:
    pairs = [(p, selectors.can_decide(request.user, p)) for p in selectors.pairs_of(case, request.user)]
    extras = list(selectors.extra_ratings_of(case))
    return {"pairs": pairs, "extras": extras} if pairs or extras else None


def merged_track(request, case: Case) -> dict | None:
    """What the tracking page of a merged case shows of the original: its status in plain Chinese,
    its public timeline and reply — never its text, photos, reporter or tracking code."""
    if case.status != Case.Status.MERGED:
        return None
    from grassroots.portal.selectors import case_public_view

    original = selectors.original_of(case)
    if original is None:
        return None
    mine = MergedRating.objects.filter(case=case).first()
    return {"mv": {"original": original, "view": case_public_view(original),
                   "can_rate": selectors.merged_can_rate(case), "mine": mine}}


def connect() -> None:
    slots.register(slots.BOARD_REASON, template="duplicates/_board.html", rows=board_hints, stylesheet=STYLESHEET)
    slots.register(slots.CASE_MAIN, template="duplicates/_detail.html", context=case_card, stylesheet=STYLESHEET)
    slots.register(slots.TRACK, template="duplicates/_merged_track.html", context=merged_track)
    slots.register(slots.ENTRY, template="duplicates/_live_slot.html")
