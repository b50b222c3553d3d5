"""Which units a case went to, which of them replied, which area dispatched it, and who may rate.

A unit is *sent* a case by an event of the case loop that names it: ``dispatch`` or ``reassign`` to the
unit (``data["unit"]``), or ``whistle`` with the unit as lead (``data["unit"]``) or assisting
(``data["assisting"]``). The latest such event counts. A unit has *replied* when a ``reply`` event was
written while it held the case (``data["holder"] == "unit:<id>"``) or its whistle task is replied.

The *dispatching area* is the team of whoever wrote that event: the most local area where the actor
holds ``DISPATCH_CASES`` over the case's place (``cases.permissions.dispatch_root``). For the system's
automatic dispatch (no actor) it is the team owning the case (``assigned_area``), else the street of
the case's place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import Length

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.models import Case, CaseEvent, WhistleTask
from grassroots.cases.permissions import dispatch_root

SENDING_ACTIONS = ("dispatch", "reassign", "whistle")
STREET_LEN = CODE_LENGTHS[Level.STREET]


def names_unit(event: CaseEvent, unit_id: int) -> bool:
    data = event.data or {}
    return data.get("unit") == unit_id or unit_id in (data.get("assisting") or [])


def _units_of(event: CaseEvent) -> list[int]:
    data = event.data or {}
    units = [data["unit"]] if isinstance(data.get("unit"), int) else []
    return units + [u for u in (data.get("assisting") or []) if isinstance(u, int)]


def sent(case_ids: Iterable[int]) -> dict[tuple[int, int], CaseEvent]:
    """(case id, unit id) → the latest event that sent that case to that unit, for many cases (one query)."""
    found: dict[tuple[int, int], CaseEvent] = {}
    events = CaseEvent.objects.filter(case_id__in=sorted(set(case_ids)), action__in=SENDING_ACTIONS) \
        .select_related("actor").order_by("at", "pk")
    for event in events:
        for unit_id in _units_of(event):
            found[(event.case_id, unit_id)] = event  # later events overwrite earlier ones
    return found


def replied(case_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (case id, unit id) pairs where the unit has answered (two queries)."""
    ids = sorted(set(case_ids))
    pairs = {(case_id, int(holder[5:])) for case_id, holder in CaseEvent.objects.filter(
        case_id__in=ids, action="reply", data__holder__startswith="unit:").values_list("case_id", "data__holder")
        if isinstance(holder, str) and holder[5:].isdigit()}
    pairs |= set(WhistleTask.objects.filter(case_id__in=ids, status=WhistleTask.Status.REPLIED)
                 .values_list("case_id", "unit_id"))
    return pairs


def _area_for_code(code: str) -> Area | None:
    codes = [code[:n] for n in sorted(set(CODE_LENGTHS.values()), reverse=True) if n <= len(code)]
    return Area.objects.filter(code__in=codes).order_by(-Length("code")).first()


def dispatching_area(case: Case, event: CaseEvent) -> Area | None:
    code = dispatch_root(event.actor, case.scope_code) if event.actor_id is not None else None
    if code is None:
        code = case.assigned_area.code if case.assigned_area_id is not None else case.scope_code[:STREET_LEN]
    return _area_for_code(code)


@dataclass(frozen=True)
class Pair:
    """One unit's part in one case: the event that sent it there and the area that dispatched it."""

    case: Case
    unit_id: int
    event: CaseEvent
    area: Area | None
    replied: bool


def pairs_of(case: Case) -> list[Pair]:
    """Every unit ``case`` was sent to, in the order they were first sent."""
    found = sent([case.pk])
    answered = replied([case.pk])
    return [Pair(case=case, unit_id=unit_id, event=event, area=dispatching_area(case, event),
                 replied=(case.pk, unit_id) in answered)
            for (_case_id, unit_id), event in sorted(found.items(), key=lambda kv: (kv[1].at, kv[1].pk))]


def pair_of(case: Case, unit_id: int) -> Pair | None:
    return next((p for p in pairs_of(case) if p.unit_id == unit_id), None)


# --- who -------------------------------------------------------------------------------------------


def may_rate_unit(user, pair: Pair) -> bool:
    """Staff who dispatch at the dispatching area or above it."""
    if pair.area is None or not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).can_at(Capability.DISPATCH_CASES, pair.area.code)


def handler_units(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(scope_for(user).unit_ids.get(Capability.HANDLE_CASES, frozenset()))


def may_rate_dispatch(user, pair: Pair) -> bool:
    """The handlers of the unit that got the case."""
    if pair.area is None or not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).is_superuser or pair.unit_id in handler_units(user)
