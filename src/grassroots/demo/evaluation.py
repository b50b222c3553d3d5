"""The demo district's two-way evaluation (双向评价), written through the services at the times it
happened (``time_machine``), so every row obeys the rules: a dispatcher of the dispatching area rates
a unit a few hours to days after the unit replied, and a handler of the unit rates the dispatch soon
after it arrived.

About two thirds of the units' replies and half of the dispatches are rated. Scores lean high: each
unit and each dispatching area has its own level (most good, a few weaker); a reply after the time
limit costs speed; a case the unit returned as not its business rates the dispatch's "right owner"
low; one rating in fifteen is a poor one with a comment saying why. Seeded: the same seed gives the
same ratings.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from .plan import rng_for

UNIT_SHARE, DISPATCH_SHARE, POOR_SHARE = 0.66, 0.5, 1 / 15
GOOD_UNIT = ["答复及时，现场处理到位", "处理结果群众认可", "沟通顺畅，办理规范", "", "", ""]
POOR_UNIT = ["答复敷衍，问题没有真正解决", "多次催办才处理", "现场未核实就答复，群众不满意"]
GOOD_DISPATCH = ["派单信息完整，地址清楚", "职责划分明确", "", "", ""]
POOR_DISPATCH = ["派单地址不清，需反复核对", "时限过紧，难以按期办结", "事项不属本单位职责"]


def _stars(rng: random.Random, level: float, spread: float = 0.7) -> int:
    return max(1, min(5, round(rng.gauss(level, spread))))


def load_evaluation(plan, *, end: datetime, log) -> dict:
    from grassroots.accounts.models import Role, RoleAssignment
    from grassroots.cases.models import Case, CaseEvent, WhistleTask
    from grassroots.evaluation import rules
    from grassroots.evaluation.services import dispatch_evaluation_create, unit_evaluation_create
    from grassroots.orgs.models import Unit

    rng = rng_for(plan.seed, "evaluation")
    dc = plan.district_code
    case_ids = set(CaseEvent.objects.filter(district_code=dc, action__in=rules.SENDING_ACTIONS)
                   .values_list("case_id", flat=True))
    if not case_ids:
        return {}
    sent = rules.sent(case_ids)
    reply_at: dict[tuple[int, int], datetime] = {}
    for case_id, holder, at in CaseEvent.objects.filter(case_id__in=case_ids, action="reply",
                                                        data__holder__startswith="unit:").values_list(
            "case_id", "data__holder", "at").order_by("at"):
        reply_at.setdefault((case_id, int(holder[5:])), at)
    for case_id, unit_id, at in WhistleTask.objects.filter(case_id__in=case_ids, status=WhistleTask.Status.REPLIED,
                                                           replied_at__isnull=False).values_list(
            "case_id", "unit_id", "replied_at"):
        reply_at.setdefault((case_id, unit_id), at)
    returned = {(c, int(h[5:])) for c, h in CaseEvent.objects.filter(
        case_id__in=case_ids, action="return", data__holder__startswith="unit:").values_list("case_id", "data__holder")}
    cases = Case.objects.select_related("assigned_area").in_bulk(list(case_ids))
    units = Unit.objects.in_bulk(list({u for _c, u in sent}))
    dispatchers: dict[str, object] = {}
    for ra in RoleAssignment.objects.filter(area__code__startswith=dc, role__in=(
            Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.DISTRICT_ADMIN)).select_related("area", "user").order_by("pk"):
        dispatchers.setdefault(ra.area.code, ra.user)
    handlers: dict[int, object] = {}
    for ra in RoleAssignment.objects.filter(role=Role.DEPARTMENT_HANDLER, unit__district_code=dc).select_related(
            "user").order_by("pk"):
        handlers.setdefault(ra.unit_id, ra.user)
    unit_level = {pk: rng.choice((4.6, 4.5, 4.3, 4.2, 4.0, 3.8, 3.2)) for pk in
                  Unit.objects.filter(district_code=dc).order_by("pk").values_list("pk", flat=True)}
    area_level: dict[str, float] = {}
    counts = {"units": 0, "dispatches": 0, "skipped": 0}

    with time_machine.travel(end - timedelta(days=365), tick=False) as clock:
        for (case_id, unit_id), event in sorted(sent.items(), key=lambda kv: (kv[1].at, kv[0])):
            case, unit = cases.get(case_id), units.get(unit_id)
            area = rules.dispatching_area(case, event) if case is not None and unit is not None else None
            if area is None:
                continue
            # the unit rates the dispatch it got
            handler = handlers.get(unit_id)
            at = event.at + timedelta(minutes=rng.randint(30, 48 * 60))
            if handler is not None and rng.random() < DISPATCH_SHARE and at < end:
                level = area_level.setdefault(area.code, rng.choice((4.6, 4.4, 4.3, 4.1, 3.9, 3.5)))
                poor = rng.random() < POOR_SHARE
                owner = rng.randint(1, 2) if (case_id, unit_id) in returned else _stars(rng, level)
                stars = {"clear": _stars(rng, 2 if poor else level), "owner": owner,
                         "deadline": _stars(rng, 2 if poor else level)}
                comment = rng.choice(POOR_DISPATCH if poor or owner <= 2 else GOOD_DISPATCH)
                clock.move_to(at)
                try:
                    dispatch_evaluation_create(case=case, unit=unit, actor=handler, comment=comment, **stars)
                    counts["dispatches"] += 1
                except (PermissionDenied, ValidationError):
                    counts["skipped"] += 1
            # the dispatching area rates the unit's work, once it replied
            replied = reply_at.get((case_id, unit_id))
            rater = dispatchers.get(area.code)
            if replied is None or rater is None or rng.random() >= UNIT_SHARE:
                continue
            at = replied + timedelta(minutes=rng.randint(60, 5 * 24 * 60))
            if at >= end:
                continue
            level = unit_level.get(unit_id, 4.2)
            poor = rng.random() < POOR_SHARE
            speed_level = level - (1.2 if case.overdue else 0)
            stars = {"speed": _stars(rng, 1.8 if poor else speed_level), "attitude": _stars(rng, 2.2 if poor else level),
                     "result": _stars(rng, 1.6 if poor else level)}
            comment = rng.choice(POOR_UNIT if poor else GOOD_UNIT)
            clock.move_to(at)
            try:
                unit_evaluation_create(case=case, unit=unit, actor=rater, comment=comment, **stars)
                counts["units"] += 1
            except (PermissionDenied, ValidationError):
                counts["skipped"] += 1
    log(f"双向评价：评价承办单位 {counts['units']} 次，评价派单 {counts['dispatches']} 次")
    return counts
