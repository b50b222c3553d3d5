"""``{% case_status case %}`` and ``{% case_deadline info %}``: a case's status badge (with its 督办 and
emergency flags) and its deadline badge, written in Python. They were two included templates, and an
include per cell is the dearest thing on a page of 50 rows (the dispatch board, the list): Django
resolves, pushes and renders a whole template for each."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from grassroots.worktime.models import Urgency

register = template.Library()
URGENCY_LABELS = dict(Urgency.choices)  # lazy: translated when shown


@register.simple_tag
def case_status(case) -> SafeString:
    html = format_html('<span class="status status-{}">{}</span>', case.status, case.status_label)
    if case.supervised_at:
        html += format_html('<span class="flag flag-supervised">{}</span>', gettext("督办"))
    if case.urgency == Urgency.EMERGENCY:
        html += format_html('<span class="flag flag-urgent">{}</span>', URGENCY_LABELS[case.urgency])
    return mark_safe(html)  # noqa: S308 — every part above is format_html's (escaped)


@register.simple_tag
def case_deadline(info) -> SafeString:
    if info is not None and info.text:
        return format_html('<span class="due due-{}">{}</span>', info.state, info.text)
    return mark_safe('<span class="due due-none">—</span>')  # noqa: S308 — a constant
