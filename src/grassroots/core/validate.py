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


def percent(raw, errors: dict, field: str = "progress") -> int:
    """A whole percentage 0–100 ("进度请填写 0–100 的整数" otherwise, and 0)."""
    try:
        value = int(str(raw).strip())
        if not 0 <= value <= 100:
            raise ValueError
        return value
    except (TypeError, ValueError):
        errors[field] = ["进度请填写 0–100 的整数"]
        return 0
