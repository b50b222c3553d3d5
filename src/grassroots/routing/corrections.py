"""Corrections: a person categorises a case differently, or dispatches it to another unit, than
routing suggested or chose — kept so that the next training learns from it.

Every way a dispatcher acts (the board, the case page, the API, bulk dispatch) goes through
``case_transition``, which writes one ``CaseEvent``; this listens for those events (``post_save``,
inside the same transaction: the correction lands with the event or not at all) instead of asking
every page to remember.
"""

from __future__ import annotations

from django.db.models.signals import post_save

from grassroots.cases.models import CaseEvent

from .models import RoutingCorrection, RoutingSuggestion

WATCHED = {"categorize", "dispatch", "reassign"}


def record_correction(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.actor_id is None or instance.action not in WATCHED:
        return
    suggestion = RoutingSuggestion.objects.filter(case_id=instance.case_id).first()
    if suggestion is None or not suggestion.items:
        return
    case = instance.case
    data = instance.data or {}
    common = {"case": case, "actor_id": instance.actor_id, "model_version": suggestion.model_version,
              "was_auto": suggestion.decision in (RoutingSuggestion.Decision.AUTO, RoutingSuggestion.Decision.CATEGORISED),
              "area_code": case.scope_code, "district_code": case.district_code}
    if instance.action == "categorize":
        predicted = suggestion.items[0]["category"]
        if data.get("category") != predicted:
            RoutingCorrection.objects.create(kind=RoutingCorrection.Kind.CATEGORY, predicted_category_id=predicted,
                                             chosen_category_id=data.get("category"), **common)
        return
    item = suggestion.item_for(case.category_id) if case.category_id else suggestion.items[0]
    predicted_unit = (item or {}).get("unit")
    if predicted_unit is None or data.get("user") or data.get("unit") == predicted_unit:
        return
    area_id = None
    if data.get("area"):
        from grassroots.areas.models import Area

        area_id = Area.objects.filter(code=data["area"]).values_list("pk", flat=True).first()
    RoutingCorrection.objects.create(kind=RoutingCorrection.Kind.UNIT, predicted_unit_id=predicted_unit,
                                     chosen_unit_id=data.get("unit"), chosen_area_id=area_id,
                                     predicted_category_id=item.get("category") if item else None,
                                     chosen_category_id=case.category_id, **common)


def connect() -> None:
    post_save.connect(record_correction, sender=CaseEvent, dispatch_uid="routing.record_correction")
