"""The sections of a resident's "我的" page. The portal shows the account and the resident's own
cases; other apps (the people who serve, points) add theirs in ``AppConfig.ready()``::

    from grassroots.portal import sections
    sections.register("volunteering", template="volunteers/_me.html", context=my_activities, order=30)

``context(request, account)`` returns the template's variables, or None to leave the section out
(``account`` is the ``ResidentAccount``, or None for a resident account made by staff). Sections
render inside the page's context, like the case loop's slots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Context = Callable[[Any, Any], dict | None]


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: Context
    order: int = 100


_sections: dict[str, Section] = {}


def register(name: str, *, template: str, context: Context, order: int = 100) -> Section:
    section = Section(name=name, template=template, context=context, order=order)
    _sections[name] = section
    return section


def visible(request, account) -> list[tuple[Section, dict]]:
    out = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        values = section.context(request, account)
        if values is not None:
            out.append((section, values))
    return out
