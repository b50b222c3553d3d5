"""What deliberation shows on the case page (``cases.slots``): how often the problem came back in
the community, the resolutions that answer the case, and — for the community's staff — putting it on
the agenda of a planned meeting."""

from __future__ import annotations

from django.utils import timezone

from grassroots.cases import slots

from .models import Meeting, Resolution
from .services import COMMUNITY_LEN, may_manage, similar_cases


def case_panel(request, case) -> dict | None:
    if case is None or case.area_id is None or len(case.area.code) < COMMUNITY_LEN:
        return None
    if not getattr(request.user, "is_authenticated", False):
        return None
    community_code = case.area.code[:COMMUNITY_LEN]
    manager = may_manage(request.user, community_code)
    resolutions = list(Resolution.objects.filter(cases=case).select_related("meeting")[:10])
    if not manager and not resolutions:
        return None
    similar = len(similar_cases(case))
    meetings = []
    if manager:
        meetings = list(Meeting.objects.filter(community__code=community_code, status=Meeting.Status.PLANNED,
                                               starts_at__gte=timezone.now()).order_by("starts_at")[:10])
    return {"deliberation": {"resolutions": resolutions, "similar": similar, "meetings": meetings,
                             "manager": manager}}


def connect() -> None:
    slots.register(slots.CASE_SIDE, template="deliberation/_case_panel.html", context=case_panel, order=55)
