"""What the lists show on other apps' pages: on the case page (``cases.slots``) the need a case
raised, or the button that puts it on its community's need list; on the resident's "我的"
(``portal.sections``) their needs and the way to raise one."""

from __future__ import annotations

from grassroots.cases import slots
from grassroots.portal import sections


def me_section(request, account) -> dict | None:
    from .models import Need
    from .selectors import my_needs

    rows = my_needs(request.user)
    return {"open": rows.filter(status__in=(Need.Status.OPEN, Need.Status.MATCHED)).count(),
            "met": rows.filter(status=Need.Status.MET).count()}


def connect() -> None:
    from .views import case_panel

    slots.register(slots.CASE_SIDE, template="matching/_case_panel.html", context=case_panel, order=60)
    sections.register("needs", template="matching/_me.html", context=me_section, order=55)
