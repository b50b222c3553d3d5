"""The volunteering section of a resident's "我的" page (``portal.sections``)."""

from __future__ import annotations

from .selectors import my_hours, my_signups


def me_section(request, account) -> dict:
    return {"count": my_signups(request.user).filter(status__in=("checked_out", "checked_in")).count(),
            "hours": my_hours(request.user)}
