"""What the woodpeckers app shows on other apps' pages: the quick report's judgement on the case page
(``cases.slots``) and the resident's 啄木鸟 section on "我的" (``portal.sections``)."""

from __future__ import annotations

from grassroots.cases import slots
from grassroots.portal import sections

from .models import QuickReport
from .selectors import woodpecker_of
from .services import may_judge


def case_panel(request, case) -> dict | None:
    quick = QuickReport.objects.select_related("woodpecker").filter(case=case).exclude(
        status=QuickReport.Status.PATROL).first()
    if quick is None:
        return None
    return {"quick": quick, "can_judge": may_judge(request.user, quick)}


def me_section(request, account) -> dict | None:
    woodpecker = woodpecker_of(request.user)
    if woodpecker is None:
        return {"woodpecker": None}  # an invitation to join
    reports = QuickReport.objects.filter(reporter=request.user)
    return {"woodpecker": woodpecker, "total": reports.count(),
            "valid": reports.filter(status=QuickReport.Status.VALID).count()}


def connect() -> None:
    slots.register(slots.CASE_SIDE, template="woodpeckers/_case_panel.html", context=case_panel, order=5)
    sections.register("woodpecker", template="woodpeckers/_me.html", context=me_section, order=40)
