"""Scoped reads of the routing app: suggestions of the cases a user sees, corrections under a
user's areas, the streets whose settings a user may read or change, the active models."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.cases.models import Case
from grassroots.cases.permissions import may
from grassroots.cases.selectors import staff_cases_for

from .models import RoutingCorrection, RoutingModel, RoutingSuggestion, TrainingJob

STREET_CODE_LENGTH = 9


def suggestions_by_case(cases) -> dict[int, RoutingSuggestion]:
    """The stored suggestion of each case (the caller has already scoped ``cases``)."""
    ids = [c.pk for c in cases]
    return {s.case_id: s for s in RoutingSuggestion.objects.filter(case_id__in=ids)} if ids else {}


def suggestion_for(user, case_id: int) -> tuple[Case, RoutingSuggestion | None]:
    """The case (Case.DoesNotExist outside the user's scope) and its suggestion."""
    case = staff_cases_for(user).get(pk=case_id)
    return case, RoutingSuggestion.objects.filter(case=case).first()


def corrections_visible_to(user) -> QuerySet[RoutingCorrection]:
    scope = scope_for(user)
    qs = RoutingCorrection.objects.select_related("case", "predicted_category", "chosen_category", "predicted_unit",
                                                  "chosen_unit", "chosen_area", "actor")
    if not user.is_authenticated:
        return qs.none()
    if scope.is_superuser:
        return qs
    if not scope.codes(Capability.VIEW_CASES):
        return qs.none()
    return qs.filter(scope.area_q(Capability.VIEW_CASES, "area_code"))


def may_view_routing(user) -> bool:
    """Routing pages are for case staff who work at an area (community, street, district)."""
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.codes(Capability.DISPATCH_CASES))


def streets_visible_to(user) -> list[Area]:
    """Streets whose settings the user may read: those containing or inside their dispatch areas."""
    scope = scope_for(user)
    streets = Area.objects.filter(level=Level.STREET).order_by("code")
    if scope.is_superuser:
        return list(streets)
    roots = scope.codes(Capability.DISPATCH_CASES)
    return [s for s in streets if any(s.code.startswith(r) or r.startswith(s.code) for r in roots)]


def can_edit_street(user, street: Area) -> bool:
    """Street (or district) dispatchers change a street's settings; community staff only read them."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    return any(street.code.startswith(r) and len(r) <= STREET_CODE_LENGTH
               for r in scope.codes(Capability.DISPATCH_CASES))


def street_visible_to(user, pk: int) -> Area:
    """A street the user may read (Area.DoesNotExist otherwise: views answer 404)."""
    for street in streets_visible_to(user):
        if street.pk == pk:
            return street
    raise Area.DoesNotExist


APPLY_STATUSES = (Case.Status.REPORTED, Case.Status.ACCEPTED, Case.Status.RETURNED, Case.Status.ESCALATED)


def case_panel(user, case: Case) -> dict:
    """What the case page shows: the stored suggestion, whether the user may apply one (a dispatcher
    of the case while it waits for dispatch) or change the category, and the categories to pick."""
    from .policy import tree

    suggestion = RoutingSuggestion.objects.filter(case=case).first()
    can_categorize = case.status not in (Case.Status.CLOSED, Case.Status.REJECTED, Case.Status.MERGED) and may(
        user, case, "categorize")
    paths = tree().path if can_categorize else {}
    return {"suggestion": suggestion, "can_apply": can_categorize and case.status in APPLY_STATUSES,
            "can_categorize": can_categorize,
            "categories": sorted(((pk, path) for pk, path in paths.items()), key=lambda x: tree().code[x[0]])}


def active_models() -> dict[str, RoutingModel]:
    return {m.kind: m for m in RoutingModel.objects.filter(active=True).defer("blob")}


def recent_models(limit: int = 10) -> QuerySet[RoutingModel]:
    return RoutingModel.objects.filter(kind=RoutingModel.Kind.CATEGORY).defer("blob")[:limit]


def latest_job() -> TrainingJob | None:
    return TrainingJob.objects.order_by("-queued_at", "-pk").first()
