"""What routing shows on the case loop's pages, through the slots it fills (``cases.slots``): the
top 3 under each waiting board row's title, and the suggestion card (with 采用 and the category
change) on the case page."""

from __future__ import annotations

from grassroots.cases import slots
from grassroots.cases.selectors import is_dispatcher_somewhere

from .selectors import case_panel, suggestions_by_case


def board_cells(request, cases) -> dict[int, dict]:
    """The stored suggestion of each board row that has one (one query for the page)."""
    found = suggestions_by_case(cases)
    can_apply = is_dispatcher_somewhere(request.user)
    return {pk: {"s": suggestion, "can_apply": can_apply} for pk, suggestion in found.items()}


def case_card(request, case) -> dict | None:
    panel = case_panel(request.user, case)
    return {"routing": panel} if panel["suggestion"] or panel["can_categorize"] else None


def connect() -> None:
    slots.register(slots.BOARD_TITLE, template="routing/_board_cell.html", rows=board_cells,
                   stylesheet="routing/routing.css")
    slots.register(slots.CASE_SIDE, template="routing/_case_card.html", context=case_card,
                   stylesheet="routing/routing.css", order=10)
