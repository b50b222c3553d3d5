"""``{% slot %}``, ``{% row_slot %}`` and ``{% slot_styles %}``: where the case loop's pages show the
panels other apps registered (``grassroots.cases.slots``)."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from .. import slots

register = template.Library()


def _render(context, case, found) -> str:
    """Each panel's template in the page's context, with ``case`` and the panel's variables on top."""
    parts = []
    for panel, values in found:
        tpl = context.template.engine.get_template(panel.template)
        with context.push(**({"case": case} if case is not None else {}), **values):
            parts.append(tpl.render(context))
    return mark_safe("".join(parts))  # noqa: S308 — each part is a rendered (auto-escaped) template


@register.simple_tag(takes_context=True)
def slot(context, name: str, case=None) -> str:
    """The panels of page slot ``name`` for ``case`` (None on the entry form)."""
    return _render(context, case, slots.page_panels(context.get("request"), name, case))


@register.simple_tag(takes_context=True)
def row_slot(context, name: str, case) -> str:
    """The panels of row slot ``name`` for one board row (from the view's ``slot_rows``)."""
    rows = context.get("slot_rows")
    return _render(context, case, rows.for_case(name, case.pk)) if rows is not None else ""


@register.simple_tag
def slot_styles(page: str) -> str:
    return format_html_join("", '<link rel="stylesheet" href="{}">', ((static(s),) for s in slots.stylesheets(page)))
