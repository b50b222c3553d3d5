"""The working-calendar page: which years are known, the overrides, the time limits, a deadline
trial, and (for district administrators) forms to enter next year's holidays. Thin views."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from grassroots.core.params import bounded_date

from . import calendar
from .calendar import CalendarMissing
from .forms import CalendarDayForm, CalendarYearForm, DeadlineTrialForm
from .models import CalendarYear, TimeLimit
from .selectors import calendar_days_from, can_edit_calendar, limits_load, overrides_load, year_status
from .services import calendar_day_delete, calendar_day_set, calendar_year_set


def today() -> date:
    """Today in Asia/Shanghai (a function so tests can fix the date)."""
    return timezone.localdate()


def _trial(form: DeadlineTrialForm, overrides) -> dict | None:
    if not form.is_bound or not form.is_valid():
        return None
    start, urgency = form.cleaned_data["start"], form.cleaned_data["urgency"]
    try:
        deadline = calendar.deadline_for(start, urgency, limits_load(), overrides)
    except (CalendarMissing, ValueError) as exc:
        return {"start": start, "error": str(exc)}
    return {"start": start, "deadline": deadline}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    year = today().year
    overrides = overrides_load()
    trial_form = DeadlineTrialForm(request.GET or None)
    editor = can_edit_calendar(request.user)
    return render(request, "worktime/index.html", {
        "years": [year_status(y, overrides) for y in (year, year + 1)],
        "limits": TimeLimit.objects.all(),
        "days": calendar_days_from(date(year, 1, 1)),
        "marked_years": CalendarYear.objects.filter(year__gte=year).select_related("updated_by"),
        "trial_form": trial_form,
        "trial": _trial(trial_form, overrides),
        "can_edit": editor,
        "day_form": CalendarDayForm(auto_id="day_%s") if editor else None,
        "year_form": CalendarYearForm(auto_id="year_%s", initial={"year": year + 1, "complete": True}) if editor else None,
    })


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_calendar(request.user):
        raise PermissionDenied("只有区级管理员可以修改工作日历")


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[k].label if k in form.fields else ''}：{'，'.join(v)}".lstrip("：")
                    for k, v in form.errors.items())


@login_required
@require_POST
def day_set(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("worktime:index")
    data = form.cleaned_data
    try:
        row = calendar_day_set(date=data["date"], kind=data["kind"], name=data["name"], note=data["note"],
                               actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已保存：{row}")
    return redirect("worktime:index")


@login_required
@require_POST
def day_delete(request: HttpRequest, day: str) -> HttpResponse:
    _require_editor(request)
    try:
        when = bounded_date(day, label="日期")
        if when is None:  # a blank path segment: bounded_date reads it as "left empty"
            raise ValidationError(f"日期“{day}”格式不对，应为 YYYY-MM-DD")
        calendar_day_delete(date=when, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已删除 {day} 的调整")
    return redirect("worktime:index")


@login_required
@require_POST
def year_set(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = CalendarYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("worktime:index")
    data = form.cleaned_data
    try:
        row = calendar_year_set(year=data["year"], complete=data["complete"], note=data["note"],
                                actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已保存：{row}")
    return redirect("worktime:index")
