"""Routing's step after a new case is received (``cases.hooks``, order 20).

It predicts the top 3 categories with the active classifier, names a unit for each (the unit
router, else the duty catalogue), stores them (``RoutingSuggestion``) and — when the street's policy
allows it and the best confidence reaches the street's threshold for that category — categorises,
accepts and dispatches the case as the system, saying so on the timeline. A case the duplicate
finder flagged (``context["duplicate_of"]``) is only categorised: a merge needs it reported. Any
failure of the automatic steps leaves the case as received (the whole step runs in its own
savepoint, and the automatic part in one more, so the suggestions stay even then).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.areas.models import Level
from grassroots.cases.errors import CaseError
from grassroots.cases.models import Case
from grassroots.cases.services import case_transition

from . import store
from .learn import Sample
from .models import RoutingSuggestion, StreetSettings
from .policy import Policy, policy_for, suggest_items

log = logging.getLogger(__name__)
DISPATCH_LEVELS = (Level.GRID, Level.COMMUNITY, Level.STREET)


def percent(p: float) -> str:
    return f"{round(p * 100)}%"


def _basis_text(item: dict) -> str:
    if item.get("unit_basis") == "history":
        return f"（该单位办结同类诉求 {item.get('unit_cases', 0)} 件）"
    if item.get("unit_basis") == "duty":
        return "（职责清单）"
    return ""


def warm_up() -> None:
    """Load the active model and the word segmenter's dictionary once, when a worker starts."""
    models = store.active()
    if models.classifier is not None:
        models.classifier.predict([Sample("路灯不亮", "小区路灯坏了")], k=1)


def route_reads(case: Case) -> tuple | None:
    """The step's reads (``cases.hooks`` ``prepare``, done by the worker before its write transaction):
    the classifier's top 3 with a unit for each, and the models' versions; None without a model."""
    models = store.active()
    if models.classifier is None:
        return None
    top3 = models.classifier.predict([Sample(case.title, case.body)], k=3)[0]
    return models.classifier_version, models.router_version, suggest_items(top3, case=case, router=models.router)


def route_new_case(case: Case, context: dict, read: tuple | None) -> None:
    if read is None:
        return
    classifier_version, router_version, items = read
    if not items:
        return
    policy = policy_for(case)
    best = items[0]
    threshold = policy.threshold_for(best["category"])
    suggestion = RoutingSuggestion(
        case=case, model_version=classifier_version, unit_model_version=router_version,
        items=items, top_confidence=best["p"], threshold=threshold, district_code=case.district_code,
        decision=RoutingSuggestion.Decision.SUGGESTED)
    if policy.policy == StreetSettings.Policy.OFF:
        suggestion.decision, suggestion.detail = RoutingSuggestion.Decision.POLICY, "街道设置为只给出建议"
    elif case.category_id is not None and policy.policy != StreetSettings.Policy.ALL:
        suggestion.decision, suggestion.detail = RoutingSuggestion.Decision.POLICY, "诉求已有类别，按街道设置不自动派单"
    elif best["p"] < threshold:
        suggestion.detail = f"最高置信度 {percent(best['p'])} 低于阈值 {percent(threshold)}"
    else:
        try:
            with transaction.atomic():
                _automatic(case, best, classifier_version, suggestion, duplicate=bool(context.get("duplicate_of")))
        except (CaseError, PermissionDenied, ValidationError) as exc:
            log.warning("auto-dispatch of %s failed: %s", case.code, exc)
            case.refresh_from_db()
            suggestion.decision = RoutingSuggestion.Decision.FAILED
            suggestion.detail = str(getattr(exc, "message", "") or exc)[:300]
        else:
            context["changed"] = True
    suggestion.save()


def suggest_for_waiting(case: Case) -> RoutingSuggestion | None:
    """Suggestions (no automatic step) for a case already past intake — a case received before the
    first model, say — so that the board shows the top 3 for it too."""
    models = store.active()
    if models.classifier is None:
        return None
    items = suggest_items(models.classifier.predict([Sample(case.title, case.body)], k=3)[0], case=case,
                          router=models.router)
    if not items:
        return None
    threshold = policy_for(case).threshold_for(items[0]["category"])
    suggestion, _created = RoutingSuggestion.objects.update_or_create(case=case, defaults={
        "model_version": models.classifier_version, "unit_model_version": models.router_version, "items": items,
        "top_confidence": items[0]["p"], "threshold": threshold, "district_code": case.district_code,
        "decision": RoutingSuggestion.Decision.SUGGESTED, "detail": "受理后补充的建议"})
    return suggestion


def _automatic(case: Case, best: dict, version: str, suggestion: RoutingSuggestion, *, duplicate: bool) -> None:
    said = f"系统根据内容自动分类为「{best['path']}」（置信度 {percent(best['p'])}）"
    if case.category_id != best["category"]:
        case_transition(case=case, action="categorize", actor=None, note=said, category=best["category"],
                        confidence=best["p"], model_version=version)
    if duplicate:
        suggestion.decision = RoutingSuggestion.Decision.CATEGORISED
        suggestion.detail = "疑似重复诉求，待合并判断，未自动派单"
        return
    target = _target(case, best)
    if target is None:
        suggestion.decision = RoutingSuggestion.Decision.CATEGORISED
        suggestion.detail = "未找到可派的承办单位或责任网格，请人工派单"
        return
    case_transition(case=case, action="accept", actor=None, note="系统自动受理")
    kind, obj = target
    name = obj.name
    basis = _basis_text(best) if kind == "unit" else "（按分级响应规则确定的责任网格/社区/街道）"
    note = f"{said}，并派单给「{name}」{basis}"
    if kind == "unit":
        case_transition(case=case, action="dispatch", actor=None, note=note, public=True, to_unit=obj)
    else:
        case_transition(case=case, action="dispatch", actor=None, note=note, public=True, to_area=obj)
    suggestion.decision = RoutingSuggestion.Decision.AUTO
    suggestion.detail = f"派单给「{name}」"


def _target(case: Case, item: dict):
    """("unit", Unit) when the suggestion names a unit serving the place; else ("area", the owning
    team) when the case has one at a level that can be dispatched to; else None."""
    from grassroots.orgs.models import Unit

    if item.get("unit"):
        unit = Unit.objects.filter(pk=item["unit"], district_code=case.district_code).select_related("area").first()
        if unit is not None and case.scope_code.startswith(unit.area.code):
            return "unit", unit
    team = case.assigned_area
    if team is not None and team.level in DISPATCH_LEVELS:
        return "area", team
    return None


__all__ = ["route_new_case", "route_reads", "suggest_for_waiting", "Policy"]
