"""Selects written in Python (core/forms.py) are the same HTML as Django's templates write: the same
options, the selected ones, groups, attributes, and escaping of names a user typed."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from grassroots.core.forms import Renderer

EVIL = '<script>alert("x")</script>&"\''


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("1", "甲单位"), ("2", EVIL), ("3", mark_safe("<b>已转义</b>"))])
    grouped = forms.ChoiceField(choices=[("街道", [("a", "网格一"), ("b", "网格二")]), (EVIL, [("c", EVIL)])],
                                required=False)
    many = forms.MultipleChoiceField(choices=[(1, _("受理")), (2, "派单")], required=False)
    yes_no = forms.NullBooleanField(widget=forms.NullBooleanSelect, required=False)
    off = forms.ChoiceField(choices=[("x", "X")], disabled=True, widget=forms.Select(attrs={"data-k": EVIL}))
    radios = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect)  # not a select: the templates


@pytest.mark.parametrize("data", [None, {"plain": "2", "grouped": "c", "many": ["1", "2"], "yes_no": "true",
                                         "radios": "r"}, {"plain": "nope"}])
def test_the_same_html_as_djangos_templates(data):
    ours = Everything(data, renderer=Renderer())
    django = Everything(data, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        mine, theirs = str(ours[name]), str(django[name])
        assert parse_html(mine) == parse_html(theirs), name
        assert "<script>" not in mine


def test_the_project_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(get_default_renderer(), Renderer)
    finally:
        get_default_renderer.cache_clear()
