"""The case page's panel (``cases.slots.CASE_SIDE``): the evaluations of the case the user may see, and
the forms to rate for who may — the dispatching area's staff rate a unit that replied, the unit's
handlers rate the dispatch they got."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.cases import slots
from grassroots.orgs.models import Unit

STARS = [(5, _("5 很好")), (4, _("4 较好")), (3, _("3 一般")), (2, _("2 较差")), (1, _("1 很差"))]


def case_panel(request, case) -> dict | None:
    from . import rules, selectors
    from .models import DispatchEvaluation, UnitEvaluation

    user = request.user
    if case is None or not getattr(user, "is_authenticated", False):
        return None
    pairs = rules.pairs_of(case)
    if not pairs:
        return None
    rated_units = list(selectors.unit_evaluations_for(user).filter(case=case))
    rated_dispatches = list(selectors.dispatch_evaluations_for(user).filter(case=case))
    done_units = set(UnitEvaluation.objects.filter(case=case).values_list("unit_id", flat=True))
    done_dispatches = set(DispatchEvaluation.objects.filter(case=case).values_list("unit_id", flat=True))
    names = Unit.objects.in_bulk([p.unit_id for p in pairs])
    rate_units = [{"unit": names[p.unit_id], "area": p.area} for p in pairs
                  if p.unit_id in names and p.replied and p.unit_id not in done_units and rules.may_rate_unit(user, p)]
    rate_dispatches = [{"unit": names[p.unit_id], "area": p.area} for p in pairs
                       if p.unit_id in names and p.unit_id not in done_dispatches
                       and rules.may_rate_dispatch(user, p)]
    waiting = [{"unit": names[p.unit_id]} for p in pairs
               if p.unit_id in names and not p.replied and p.unit_id not in done_units
               and rules.may_rate_unit(user, p)]
    if not (rated_units or rated_dispatches or rate_units or rate_dispatches or waiting):
        return None
    return {"evaluation": {"units": rated_units, "dispatches": rated_dispatches, "rate_units": rate_units,
                           "rate_dispatches": rate_dispatches, "waiting": waiting, "stars": STARS}}


def connect() -> None:
    slots.register(slots.CASE_SIDE, template="evaluation/_case_panel.html", context=case_panel,
                   stylesheet="evaluation/evaluation.css", order=70)
