"""The form renderer of the project (``settings.FORM_RENDERER``): Django's, with ``<select>`` written
in Python.

Django renders a select through two templates, one of them once per option. The dispatch board has
selects of every unit (a hundred and more), every category and every grid: their templates took about
half of the board's time (``benchmarks/http_load.py``, in-process profile). The same HTML is written
here in one pass — the same tags, attributes and escaping as ``django/forms/widgets/select.html`` and
``select_option.html`` — for every select whose options use Django's own option template; anything
else goes to the templates as before.
"""

from __future__ import annotations

import html

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _escape(value) -> str:
    """Django's ``conditional_escape`` without its wrappers (a third of a 130-option select's time): a
    safe string as it is, anything else through ``html.escape``, as Django's ``escape`` does."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    return "".join(f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
                   for name, value in attrs.items() if value is not False and value is not None)


def select_html(widget: dict) -> str | None:
    """The select of a widget context; None when an option has a template of its own."""
    out = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_escape(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION:
                return None
            out.append(f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                       f'{_escape(option["label"])}</option>')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            written = select_html(context["widget"])
            if written is not None:
                return mark_safe(written)  # noqa: S308 — every value above is escaped
        return super().render(template_name, context, request=request)
