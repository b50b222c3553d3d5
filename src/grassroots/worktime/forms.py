"""Forms of the working-calendar page. They only validate input; the services do the writing."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import calendar
from .models import DayKind, Urgency


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=DayKind.choices)
    name = forms.CharField(label=_("节日名称"), max_length=50, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如：国庆节")}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    complete = forms.BooleanField(label=_("该年放假和调休日期已全部录入"), required=False)
    note = forms.CharField(label=_("依据（通知文号）"), max_length=200, required=False)


class DeadlineTrialForm(forms.Form):
    """Try a deadline: when a case was received and how urgent it is."""

    start = forms.DateTimeField(label=_("受理时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)

    def clean_start(self):
        value = self.cleaned_data["start"]
        if timezone.is_naive(value):
            value = value.replace(tzinfo=calendar.TZ)
        return calendar.local(value)
