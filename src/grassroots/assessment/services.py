"""Writes of the assessment: the district's KPI parameters. One transaction with its audit row.

Only superusers and the district's administrators may change them (``selectors.can_edit_settings``):
they decide every ranking in the district. The three weights must be non-negative and add up to 1.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.areas.models import Area, Level
from grassroots.core.services import audit_record

from . import rollups
from .models import KpiSettings
from .selectors import can_edit_settings

WEIGHT_LABELS = {
    "response_weight": "响应率权重",
    "resolution_weight": "解决率权重",
    "satisfaction_weight": "满意率权重",
}
FACTOR_LABEL = "基本满意折算系数"
HOURS_LABEL = "响应时限"
STEP = Decimal("0.001")
FIELDS = (*WEIGHT_LABELS, "basic_factor", "response_hours")


MAX_INPUT = 20  # characters: anything longer is not a weight (and is not echoed back)


def _decimal(value, key: str, label: str) -> Decimal:
    text = str(value).strip()
    if len(text) > MAX_INPUT:
        raise ValidationError({key: f"{label}应为0到1之间的小数，如0.5"})
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError({key: f"{label}“{value}”不是数字，请填写0到1之间的小数，如0.5"}) from None
    if not number.is_finite():
        raise ValidationError({key: f"{label}应为0到1之间的小数"})
    if number < 0:
        raise ValidationError({key: f"{label}不能为负数（现为{number}）"})
    if number > 1:
        raise ValidationError({key: f"{label}不能大于1（现为{number}）"})
    if number != number.quantize(STEP):
        raise ValidationError({key: f"{label}最多保留三位小数（现为{number}）"})
    return number.quantize(STEP)


def kpi_settings_validate(*, response_weight, resolution_weight, satisfaction_weight, basic_factor,
                          response_hours) -> dict:
    """The cleaned values, or ValidationError naming every field that is wrong (in Chinese)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    raw = {"response_weight": response_weight, "resolution_weight": resolution_weight,
           "satisfaction_weight": satisfaction_weight}
    for key, label in WEIGHT_LABELS.items():
        try:
            clean[key] = _decimal(raw[key], key, label)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        clean["basic_factor"] = _decimal(basic_factor, "basic_factor", FACTOR_LABEL)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        text = str(response_hours).strip()
        if len(text) > MAX_INPUT:
            raise ValueError(text)
        hours = int(text)
    except ValueError:
        response_hours = str(response_hours)[:MAX_INPUT]
        errors["response_hours"] = [f"{HOURS_LABEL}“{response_hours}”应为整数小时，如24"]
    else:
        if not 1 <= hours <= 720:
            errors["response_hours"] = [f"{HOURS_LABEL}应在1到720小时之间（现为{hours}）"]
        clean["response_hours"] = hours
    if not errors:
        total = sum(clean[k] for k in WEIGHT_LABELS)
        if total != 1:
            errors["__all__"] = [f"三项权重之和应等于1（现为{total.normalize():f}），"
                                 "请调整响应率、解决率、满意率权重"]
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def kpi_settings_update(*, district_code: str, actor, response_weight, resolution_weight, satisfaction_weight,
                        basic_factor, response_hours) -> KpiSettings:
    """Set the district's composite weights, the 基本满意 factor and the response time limit.

    Raises PermissionDenied (not the district's administrator) or ValidationError (nothing written).
    A new response time limit rebuilds the district's rollups in the same transaction.
    """
    if not Area.objects.filter(code=district_code, level=Level.DISTRICT).exists():
        raise ValidationError({"district": f"区县“{district_code}”不存在"})
    if not can_edit_settings(actor, district_code):
        raise PermissionDenied("只有区级管理员可以修改考核权重和参数")
    clean = kpi_settings_validate(response_weight=response_weight, resolution_weight=resolution_weight,
                                  satisfaction_weight=satisfaction_weight, basic_factor=basic_factor,
                                  response_hours=response_hours)
    row = KpiSettings.objects.select_for_update().filter(district_code=district_code).first()
    before = row or KpiSettings.defaults(district_code)
    previous = {k: _plain(getattr(before, k)) for k in FIELDS}
    if row is not None and previous == {k: _plain(clean[k]) for k in FIELDS}:
        return row  # nothing changed (a second click of the same form): no second audit row
    row = row or KpiSettings(district_code=district_code)
    for key, value in clean.items():
        setattr(row, key, value)
    row.updated_by = actor
    row.save()
    # the audit row first: it takes the district's chain lock before the rebuild takes the rollups' lock, the
    # order every case write takes them in (the other order could deadlock with a case write)
    audit_record(actor=actor, action="assessment.kpi_settings_update", obj=row, district_code=district_code,
                 detail={"previous": previous, "new": {k: _plain(clean[k]) for k in FIELDS}})
    if before.response_hours != row.response_hours:  # the rollups' ``responded`` counts depend on it
        rollups.rebuild(district_code, response_hours=row.response_hours)
    return row


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value
