"""Places on the case loop's pages that other apps fill: routing's suggestions under a board row's
title, the duplicate hint in its reason cell, the "same as" card on the case page, … The case loop
names the places; it does not know who fills them.

An app registers a panel in its ``AppConfig.ready()``::

    from grassroots.cases import slots
    slots.register(slots.CASE_SIDE, template="routing/_case_card.html", context=case_card,
                   stylesheet="routing/routing.css", order=10)
    slots.register(slots.BOARD_TITLE, template="routing/_board_cell.html", rows=board_cells)

* A page slot (``CASE_MAIN``, ``CASE_SIDE``, ``TRACK``, ``ENTRY``) calls ``context(request, case)``
  once per page (``case`` is None on the entry form); it returns the panel's template variables,
  or None to show nothing. Templates place it with ``{% slot "case.side" case %}``.
* A row slot (``BOARD_TITLE``, ``BOARD_REASON``) calls ``rows(request, cases)`` once for the whole
  page (one query, not one per row); it returns the variables per case pk, and rows it leaves out
  show nothing. The view calls ``board_rows(request, cases)`` and templates place each cell with
  ``{% row_slot "board.title" case %}``.

Panel templates render inside the page's context (``request``, ``csrf_token``, ``case`` …) with
their own variables on top. ``{% slot_styles "board" %}`` links the stylesheets of the panels of
the page's slots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

BOARD_TITLE = "board.title"  # under a board row's title
BOARD_REASON = "board.reason"  # in a board row's "why it waits" cell
CASE_MAIN = "case.main"  # the case page's main column, after the request's text
CASE_SIDE = "case.side"  # the case page's side column, above the actions
TRACK = "track"  # the resident's tracking page, after the status
ENTRY = "entry"  # the staff entry form (patrol, walk-in), before the reporter's details

ROW_SLOTS = (BOARD_TITLE, BOARD_REASON)
PAGE_SLOTS = (CASE_MAIN, CASE_SIDE, TRACK, ENTRY)

PageContext = Callable[[Any, Any], dict | None]  # (request, case or None) → variables, or None
RowsContext = Callable[[Any, list], dict[int, dict]]  # (request, cases) → {case pk: variables}


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    template: str
    context: PageContext | None = None
    rows: RowsContext | None = None
    stylesheet: str = ""
    order: int = 100


_panels: dict[str, list[Panel]] = {}


def register(slot: str, *, template: str, context: PageContext | None = None, rows: RowsContext | None = None,
             stylesheet: str = "", order: int = 100, name: str = "") -> Panel:
    """Add a panel to ``slot``; registering the same template in a slot again replaces it."""
    if slot in ROW_SLOTS:
        if rows is None or context is not None:
            raise ValueError(f"slot {slot!r} is filled per row: give rows=, not context=")
    elif slot in PAGE_SLOTS:
        if rows is not None:
            raise ValueError(f"slot {slot!r} is filled per page: give context=, not rows=")
    else:
        raise ValueError(f"no slot {slot!r} (known: {', '.join(ROW_SLOTS + PAGE_SLOTS)})")
    panel = Panel(slot=slot, name=name or template, template=template, context=context, rows=rows,
                  stylesheet=stylesheet, order=order)
    kept = [p for p in _panels.get(slot, []) if p.name != panel.name]
    _panels[slot] = sorted([*kept, panel], key=lambda p: (p.order, p.name))
    return panel


def panels(slot: str) -> list[Panel]:
    return list(_panels.get(slot, ()))


def page_panels(request, slot: str, case=None) -> list[tuple[Panel, dict]]:
    """The panels of a page slot that have something to show, with their variables."""
    out = []
    for panel in panels(slot):
        values = panel.context(request, case) if panel.context is not None else {}
        if values is not None:
            out.append((panel, values))
    return out


class BoardRows:
    """Each row slot's variables per case of one page, read once (``board_rows``)."""

    def __init__(self, by_slot: dict[str, list[tuple[Panel, dict[int, dict]]]]):
        self._by_slot = by_slot

    def for_case(self, slot: str, case_pk: int) -> list[tuple[Panel, dict]]:
        return [(panel, found[case_pk]) for panel, found in self._by_slot.get(slot, ()) if case_pk in found]


def board_rows(request, cases: Iterable) -> BoardRows:
    cases = list(cases)
    return BoardRows({slot: [(panel, panel.rows(request, cases) if cases else {}) for panel in panels(slot)]
                      for slot in ROW_SLOTS})


def stylesheets(page: str) -> list[str]:
    """The stylesheets of the panels of the slots whose name starts with ``page`` ("board", "case")."""
    seen: list[str] = []
    for slot, registered in sorted(_panels.items()):
        if slot == page or slot.startswith(page + "."):
            seen += [p.stylesheet for p in registered if p.stylesheet and p.stylesheet not in seen]
    return seen
