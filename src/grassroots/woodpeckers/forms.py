"""Forms of the woodpeckers' pages: they parse; ``services.py`` holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Duty, Group


class JoinForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    community = forms.CharField(label=_("所在社区（在哪个社区巡查）"), required=False, widget=forms.Select)
    group = forms.ChoiceField(label=_("身份"), choices=Group.choices, initial=Group.RIDER, widget=forms.RadioSelect)
    duties = forms.MultipleChoiceField(label=_("愿意担任（可多选）"), choices=Duty.choices, required=False,
                                       initial=[Duty.PATROLLER], widget=forms.CheckboxSelectMultiple)
    platform = forms.CharField(label=_("所在平台或单位（可不填）"), max_length=60, required=False,
                               widget=forms.TextInput(attrs={"placeholder": _("如：美团外卖、顺丰速运")}))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].widget.choices = [("", _("请选择"))] + [
            (c.code, f"{c.parent.name} · {c.name}" if c.parent else c.name) for c in communities]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("yes", _("同意")), ("no", _("不同意"))])
    reason = forms.CharField(required=False, max_length=200)
