"""Who may act on a case: the rules named in ``transitions.Who``, evaluated against a user's scope.

Each function is cheap (the scope is computed once per user and cached on the user object) and
reads only the case row, so ``case_transition`` can call them under the row lock.
"""

from __future__ import annotations

import hmac

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import Scope, scope_for
from grassroots.core import crypto

from .models import Case
from .transitions import TRANSITIONS, Who


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
    """A handler of the unit holding the case, or of exactly the team (area) holding it."""
    if scope.is_superuser:
        return True
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


def who_is(actor, case: Case, *, tracking_code: str = "") -> set[Who]:
    """Every rule ``actor`` satisfies for ``case`` (``actor`` None is the system)."""
    if actor is None:
        return {Who.SYSTEM} | ({Who.REPORTER} if is_reporter(None, case, tracking_code) else set())
    if not actor.is_authenticated or not actor.is_active:
        return {Who.REPORTER} if is_reporter(None, case, tracking_code) else set()
    scope = scope_for(actor)
    checks = {
        Who.DISPATCHER: is_dispatcher, Who.LOCAL_HANDLER: is_local_handler, Who.PLACE_STAFF: is_place_staff,
        Who.HOLDER: is_holder,
    }
    found = {who for who, check in checks.items() if check(scope, case)}
    if is_reporter(actor, case, tracking_code):
        found.add(Who.REPORTER)
    return found


def may(actor, case: Case, action: str, *, tracking_code: str = "") -> bool:
    """Whether ``actor`` may perform ``action`` on ``case`` (ignoring the case's current status)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(transition.who & who_is(actor, case, tracking_code=tracking_code))


def dispatch_root(actor, case_code: str, capability: str = Capability.DISPATCH_CASES) -> str | None:
    """The most local area code where ``actor`` holds ``capability`` over ``case_code`` (their team)."""
    if actor is None:
        return None
    roots = [c for c in scope_for(actor).codes(capability) if case_code.startswith(c)]
    return max(roots, key=len) if roots else None
