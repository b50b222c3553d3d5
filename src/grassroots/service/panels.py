"""The 双报到 section of a resident's "我的" page (``portal.sections``): shown to Party members."""

from __future__ import annotations

from .selectors import hours_of, registration_of


def me_section(request, account) -> dict | None:
    reg = registration_of(request.user)
    if reg is None:
        person = getattr(request.user, "person", None)
        member = getattr(person, "party_member", None) if person else None
        return {"reg": None} if member is not None and member.in_service else None
    return {"reg": reg, "hours": hours_of(reg)}
