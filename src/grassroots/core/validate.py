"""Field checks the services share, each adding a message a person can act on (in Chinese) to the
``errors`` dict that the service raises as one ValidationError keyed by field."""

from __future__ import annotations


def text(value, field: str, label: str, most: int, errors: dict, *, required: bool = True) -> str:
    """The stripped text; "请填写…" when required and empty, "…最多 N 个字（现有 M 个字）" when too long."""
    value = (value or "").strip()
    if required and not value:
        errors[field] = [f"请填写{label}"]
    elif len(value) > most:
        errors[field] = [f"{label}最多{most}个字（现有{len(value)}个字）"]
    return value
