"""Display of KPI figures: a rate that cannot be computed (nothing to divide by) shows as “—”, never 0."""

from django import template

from grassroots.assessment.models import plain_number

register = template.Library()
DASH = "—"


@register.filter
def pct(value) -> str:
    """0.875 → 87.5%."""
    return DASH if value is None else f"{value * 100:.1f}%"


@register.filter
def score(value) -> str:
    """The composite in [0, 1] as points out of 100: 0.9125 → 91.25."""
    return DASH if value is None else f"{value * 100:.2f}"


@register.filter
def hours(value) -> str:
    return DASH if value is None else f"{value:.1f}"


@register.filter
def sortkey(value) -> str:
    """The value a sortable column sorts by ("" sorts after every number)."""
    return "" if value is None else repr(float(value))



@register.filter
def plain(value) -> str:
    """A decimal without trailing zeros: 0.100 → 0.1."""
    return plain_number(value)
