"""Writes to the working calendar and the time limits. Each is one transaction with its audit row.

Only superusers and district-level register managers may write (``selectors.can_edit_calendar``):
the calendar decides every deadline in the district.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.core.i18n import source_text
from grassroots.core.services import audit_record

from . import calendar
from .models import CalendarDay, CalendarYear, DayKind, LimitUnit, TimeLimit, Urgency
from .selectors import actor_district, can_edit_calendar


def _require_editor(actor) -> None:
    if not can_edit_calendar(actor):
        raise PermissionDenied("只有区级管理员可以修改工作日历和办理时限")


def _audit(*, actor, action: str, obj, detail: dict) -> None:
    audit_record(actor=actor, action=action, obj=obj, district_code=actor_district(actor), detail=detail)


@transaction.atomic
def calendar_day_set(*, date: date, kind: str, name: str = "", note: str = "", actor) -> CalendarDay:
    """Create or change the override of ``date``: a day off (holiday) or a make-up working day."""
    _require_editor(actor)
    if kind not in DayKind.values:
        raise ValidationError({"kind": "类型应为“放假”或“上班（调休）”"})
    name, note = name.strip(), note.strip()
    if len(name) > 50:
        raise ValidationError({"name": "节日名称不能超过50个字"})
    before = CalendarDay.objects.select_for_update().filter(date=date).first()
    previous = {"kind": before.kind, "name": before.name} if before else None
    row, _ = CalendarDay.objects.update_or_create(
        date=date, defaults={"kind": kind, "name": name, "note": note[:200], "updated_by": actor})
    _audit(actor=actor, action="worktime.calendar_day_set", obj=row,
           detail={"date": date.isoformat(), "kind": kind, "name": name, "previous": previous})
    return row


@transaction.atomic
def calendar_day_delete(*, date: date, actor) -> None:
    """Remove the override of ``date`` (the package or the weekday rule decides it again)."""
    _require_editor(actor)
    row = CalendarDay.objects.select_for_update().filter(date=date).first()
    if row is None:
        raise ValidationError(f"{date:%Y-%m-%d} 没有调整记录")
    _audit(actor=actor, action="worktime.calendar_day_delete", obj=row,
           detail={"date": date.isoformat(), "kind": row.kind, "name": row.name})
    row.delete()


def calendar_year_validate(*, year: int, complete: bool) -> None:
    """Raise ValidationError (in Chinese) unless ``year`` may be marked ``complete``."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年份应在2000到2100之间"})
    if complete and calendar.library_covers(year):
        raise ValidationError({"year": f"{year}年的法定节假日已由 chinese-calendar 提供，无需标记"})
    if complete and not CalendarDay.objects.filter(date__year=year).exists():
        raise ValidationError({"year": f"{year}年还没有录入任何放假或调休日期，请先录入再标记完整"})


@transaction.atomic
def calendar_year_set(*, year: int, complete: bool, note: str = "", actor) -> CalendarYear:
    """Mark the holidays of ``year`` as completely entered (or not). Needed only for years the
    chinese-calendar package does not cover; until then deadlines reaching into it raise."""
    _require_editor(actor)
    calendar_year_validate(year=year, complete=complete)
    row, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"complete": complete, "note": note.strip()[:200], "updated_by": actor})
    _audit(actor=actor, action="worktime.calendar_year_set", obj=row,
           detail={"year": year, "complete": complete})
    return row


@transaction.atomic
def time_limit_set(*, urgency: str, amount: int, unit: str, actor, label: str = "") -> TimeLimit:
    """Change the time limit of one urgency; cases received afterwards get the new deadline."""
    _require_editor(actor)
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": f"紧急程度“{urgency}”不存在"})
    if unit not in LimitUnit.values:
        raise ValidationError({"unit": "单位应为“小时”或“工作日”"})
    if not 1 <= amount <= 1000:
        raise ValidationError({"amount": "时限应在1到1000之间"})
    row = TimeLimit.objects.select_for_update().filter(urgency=urgency).first()
    previous = {"amount": row.amount, "unit": row.unit} if row else None
    if row is None:
        row = TimeLimit(urgency=urgency, label=label or source_text(Urgency(urgency).label))
    row.amount, row.unit, row.updated_by = amount, unit, actor
    if label:
        row.label = label
    row.save()
    _audit(actor=actor, action="worktime.time_limit_set", obj=row,
           detail={"urgency": urgency, "amount": amount, "unit": unit, "previous": previous})
    return row
