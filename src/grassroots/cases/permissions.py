"""Who may act on a case: the rules named in ``transitions.Who``, evaluated against a user's scope.

Each function is cheap (the scope is computed once per user and cached on the user object) and
reads only the case row — the task-unit rule adds one indexed query — so ``case_transition`` can
call them under the row lock.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import Scope, scope_for
from grassroots.core import crypto

from .models import Case, WhistleTask
from .transitions import TABLE, Who


def control_code(case: Case) -> str:
    """The code dispatcher and local-handler rules match: the owning team's area, else the place."""
    if case.assigned_area_id is not None:
        return case.assigned_area.code
    return case.scope_code


def is_dispatcher(scope: Scope, case: Case) -> bool:
    return scope.can_at(Capability.DISPATCH_CASES, control_code(case))


def is_local_handler(scope: Scope, case: Case) -> bool:
    return scope.can_at(Capability.HANDLE_CASES, control_code(case))


def is_place_staff(scope: Scope, case: Case) -> bool:
    return scope.can_at(Capability.HANDLE_CASES, case.scope_code)


def is_holder(scope: Scope, case: Case) -> bool:
    """The Party member the case is dispatched to, a handler of the unit holding it, or of exactly
    the team (area) holding it."""
    if scope.is_superuser:
        return True
    if case.assigned_user_id is not None:  # a Party member, personally
        return scope.user_id == case.assigned_user_id
    if case.assigned_unit_id is not None:
        return case.assigned_unit_id in scope.unit_ids.get(Capability.HANDLE_CASES, frozenset())
    if case.assigned_area_id is not None:
        return case.assigned_area.code in scope.codes(Capability.HANDLE_CASES)
    return False


def is_reporter(actor, case: Case, tracking_code: str = "") -> bool:
    given = crypto.normalize(tracking_code)  # upper case, without the dashes the page groups it with
    if given and case.tracking_code and hmac.compare_digest(given.encode(), case.tracking_code.encode()):
        return True
    return actor is not None and case.reporter_user_id is not None and actor.pk == case.reporter_user_id


def is_task_unit(scope: Scope, case: Case) -> bool:
    """A handler of a unit with an open assisting task on the case (吹哨报到's 协办单位)."""
    units = scope.unit_ids.get(Capability.HANDLE_CASES, frozenset())
    if scope.is_superuser:
        return WhistleTask.objects.filter(case=case, status=WhistleTask.Status.OPEN,
                                          role=WhistleTask.Role.ASSIST).exists()
    return bool(units) and WhistleTask.objects.filter(
        case=case, status=WhistleTask.Status.OPEN, role=WhistleTask.Role.ASSIST, unit_id__in=sorted(units),
    ).exists()


CHECKS = {
    Who.DISPATCHER: is_dispatcher, Who.LOCAL_HANDLER: is_local_handler, Who.PLACE_STAFF: is_place_staff,
    Who.HOLDER: is_holder, Who.TASK_UNIT: is_task_unit,
}


def who_is(actor, case: Case, *, tracking_code: str = "", needed: Iterable[Who] | None = None) -> set[Who]:
    """The rules ``actor`` satisfies for ``case`` (``actor`` None is the system), among ``needed``
    (all when None: some rules read the database, so callers that know what they need say so)."""
    wanted = set(Who) if needed is None else set(needed)
    found: set[Who] = set()
    if Who.REPORTER in wanted and is_reporter(actor if getattr(actor, "is_authenticated", False) else None,
                                              case, tracking_code):
        found.add(Who.REPORTER)
    if actor is None:
        return found | {Who.SYSTEM}
    if not actor.is_authenticated or not actor.is_active:
        return found
    scope = scope_for(actor)
    found.update(who for who, check in CHECKS.items() if who in wanted and check(scope, case))
    return found


def may(actor, case: Case, action: str, *, tracking_code: str = "") -> bool:
    """Whether ``actor`` may perform ``action`` on ``case`` (ignoring the case's current status)."""
    transition = TABLE.get(action)
    return transition is not None and bool(
        transition.who & who_is(actor, case, tracking_code=tracking_code, needed=transition.who))


def dispatch_root(actor, case_code: str, capability: str = Capability.DISPATCH_CASES) -> str | None:
    """The most local area code where ``actor`` holds ``capability`` over ``case_code`` (their team)."""
    if actor is None:
        return None
    roots = [c for c in scope_for(actor).codes(capability) if case_code.startswith(c)]
    return max(roots, key=len) if roots else None
