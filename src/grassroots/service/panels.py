"""The 双报到 section of a resident's "我的" page (``portal.sections``): the member's registration, or
an invitation to register for an in-service Party member who has not yet."""

from __future__ import annotations

from .selectors import hours_of, registration_of


def me_section(request, account) -> dict | None:
    reg = registration_of(request.user)
    if reg is None:
        return {"reg": None}  # an invitation: in-service Party members register here
    return {"reg": reg, "hours": hours_of(reg)}
