"""Writes of the two-way evaluation. Each checks who may and when, validates with messages a person
can act on, writes the row and its audit row in one transaction. A second rating of the same (case,
unit) changes nothing and says it was already rated (the unique constraint holds it under races too).

* ``unit_evaluation_create`` — staff holding ``DISPATCH_CASES`` at the dispatching area (or above)
  rate the unit's work, once the unit has replied;
* ``dispatch_evaluation_create`` — the unit's handlers (``HANDLE_CASES`` at the unit) rate the dispatch,
  once the case was sent to them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from grassroots.cases.models import Case
from grassroots.core.services import audit_record
from grassroots.core.validate import text as clean_text
from grassroots.orgs.models import Unit

from .models import DispatchEvaluation, UnitEvaluation
from .rules import Pair, may_rate_dispatch, may_rate_unit, pair_of

UNIT_LABELS = {"speed": "办理速度", "attitude": "服务态度", "result": "办理结果"}
DISPATCH_LABELS = {"clear": "派单清晰", "owner": "职责相符", "deadline": "时限合理"}
COMMENT_MAX = 500


class AlreadyRated(ValidationError):
    """The (case, unit) was rated before: nothing was changed."""


def stars(raw, field: str, label: str, errors: dict) -> int:
    """A whole number 1–5 ("…请选择 1–5 分" otherwise)."""
    try:
        value = int(str(raw).strip())
        if isinstance(raw, bool) or not 1 <= value <= 5:
            raise ValueError
        return value
    except (TypeError, ValueError):
        errors[field] = [f"{label}请选择 1–5 分"]
        return 0


def _clean(values: dict, labels: dict[str, str], comment) -> tuple[dict[str, int], str]:
    errors: dict = {}
    scores = {field: stars(values.get(field), field, label, errors) for field, label in labels.items()}
    comment = clean_text(comment, "comment", "评价意见", COMMENT_MAX, errors, required=False)
    if errors:
        raise ValidationError(errors)
    return scores, comment


def _pair(case: Case, unit: Unit) -> Pair:
    pair = pair_of(case, unit.pk)
    if pair is None:
        raise ValidationError({"unit": [f"诉求 {case.code} 没有派给“{unit.name}”，不能就它评价"]})
    if pair.area is None:
        raise ValidationError({"unit": [f"找不到诉求 {case.code} 派给“{unit.name}”的派单区域"]})
    return pair


def _locked(case: Case) -> Case:
    """The case row, locked, so two ratings of one case queue rather than race."""
    return Case.objects.select_for_update(of=("self",)).select_related("assigned_area").get(pk=case.pk)


def unit_evaluation_create(*, case: Case, unit: Unit, actor, speed, attitude, result,
                           comment: str = "") -> UnitEvaluation:
    """街道/社区评价承办单位：办理速度、服务态度、办理结果（各 1–5 分）。"""
    with transaction.atomic():
        case = _locked(case)
        pair = _pair(case, unit)
        if not may_rate_unit(actor, pair):
            raise PermissionDenied(f"只有派单的{pair.area.name}（或其上级）的受理派单人员可以评价承办单位")
        if UnitEvaluation.objects.filter(case=case, unit=unit).exists():
            raise AlreadyRated({"__all__": [f"“{unit.name}”在诉求 {case.code} 上的办理已评价过，不能重复评价"]})
        if not pair.replied:
            raise ValidationError({"__all__": [f"“{unit.name}”还没有答复诉求 {case.code}，答复后才能评价其办理"]})
        scores, comment = _clean({"speed": speed, "attitude": attitude, "result": result}, UNIT_LABELS, comment)
        try:
            with transaction.atomic():
                row = UnitEvaluation.objects.create(case=case, unit=unit, area=pair.area, area_code=pair.area.code,
                                                    evaluator=actor, comment=comment,
                                                    district_code=case.district_code, **scores)
        except IntegrityError:
            raise AlreadyRated({"__all__": [f"“{unit.name}”在诉求 {case.code} 上的办理已评价过"]}) from None
        audit_record(actor=actor, action="evaluation.unit", obj=row,
                     detail={"case": case.pk, "unit": unit.pk, "area": pair.area.code, **scores})
    return row


def dispatch_evaluation_create(*, case: Case, unit: Unit, actor, clear, owner, deadline,
                               comment: str = "") -> DispatchEvaluation:
    """承办单位评价派单：派单清晰、职责相符、时限合理（各 1–5 分）。"""
    with transaction.atomic():
        case = _locked(case)
        pair = _pair(case, unit)
        if not may_rate_dispatch(actor, pair):
            raise PermissionDenied(f"只有“{unit.name}”的经办人可以评价这次派单")
        if DispatchEvaluation.objects.filter(case=case, unit=unit).exists():
            raise AlreadyRated({"__all__": [f"“{unit.name}”已评价过诉求 {case.code} 的派单，不能重复评价"]})
        scores, comment = _clean({"clear": clear, "owner": owner, "deadline": deadline}, DISPATCH_LABELS, comment)
        try:
            with transaction.atomic():
                row = DispatchEvaluation.objects.create(case=case, unit=unit, area=pair.area,
                                                        area_code=pair.area.code, evaluator=actor, comment=comment,
                                                        district_code=case.district_code, **scores)
        except IntegrityError:
            raise AlreadyRated({"__all__": [f"“{unit.name}”已评价过诉求 {case.code} 的派单"]}) from None
        audit_record(actor=actor, action="evaluation.dispatch", obj=row,
                     detail={"case": case.pk, "unit": unit.pk, "area": pair.area.code, **scores})
    return row
