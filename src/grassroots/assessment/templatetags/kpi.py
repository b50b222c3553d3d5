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
    return "" if value is None or value == "" else repr(float(value))



@register.filter
def change(row) -> str:
    """The change of rank since the period before: ▲2 (up two places), ▼1, = (same), 新 (no rank before)."""
    extra = getattr(row, "extra", {}) or {}
    if "previous_rank" not in extra or row.rank is None:
        return ""
    if extra["previous_rank"] is None:
        return "新"
    moved = extra["rank_change"] or 0
    return "=" if moved == 0 else (f"▲{moved}" if moved > 0 else f"▼{-moved}")


@register.filter
def plain(value) -> str:
    """A decimal without trailing zeros: 0.100 → 0.1."""
    return plain_number(value)
