"""The demo's smart routing: after the year of cases, train from the demo's own closed cases, put
suggestions on the cases still waiting for a dispatcher, and let a few residents' messages arrive
"just now" without a category — routing categorises and dispatches the confident ones itself and
leaves the rest on the board with its top 3 (one street routes automatically, the other only
suggests, so both behaviours show).

A small load (fewer than ``MIN_CLOSED`` closed cases, as the demo tests use) skips this step:
there is too little history to learn from, and the case walk's own tests expect only people to
accept and dispatch.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine

from grassroots.cases.models import Case, Channel
from grassroots.cases.services import case_receive
from grassroots.routing.intake import suggest_for_waiting
from grassroots.routing.models import StreetSettings
from grassroots.routing.services import street_settings_update
from grassroots.routing.training import routing_train

MIN_CLOSED = 500
TRAIN_LIMIT = 600  # the most recently closed: enough for the demo, and quick to train (one fit)
NEW_MESSAGES = 12
WAITING = 60
CORRECTIONS = 3


def demo_routing(district_code: str, *, end, actor, log=None) -> dict:
    from django.utils import timezone

    log = log or (lambda msg: None)
    end = end or timezone.now()
    cases = Case.objects.filter(district_code=district_code)
    closed = cases.filter(status=Case.Status.CLOSED, category__isnull=False)
    if closed.count() < MIN_CLOSED:
        return {}
    summary = routing_train(actor=actor, limit=TRAIN_LIMIT, refit=False)
    ev = summary["evaluation"]
    log(f"智能分派模型 {summary['version']}：训练 {summary['train_size']} 条，{summary['classes']} 个类别，"
        f"留出准确率 {ev.get('accuracy', '—')}")
    streets = list(cases.exclude(area__isnull=True).values_list("area_code", flat=True).distinct())
    street_codes = sorted({code[:9] for code in streets})
    from grassroots.areas.models import Area

    for i, street in enumerate(Area.objects.filter(code__in=street_codes).order_by("code")):
        policy = StreetSettings.Policy.UNCATEGORISED if i == 0 else StreetSettings.Policy.OFF
        street_settings_update(street=street, actor=actor, policy=policy, default_threshold=0.6, thresholds={})
    waiting = cases.filter(status__in=[Case.Status.REPORTED, Case.Status.ACCEPTED, Case.Status.RETURNED]).order_by(
        "-created_at")[:WAITING]
    suggested = sum(1 for case in waiting if suggest_for_waiting(case))
    corrected = _corrections(waiting, actor=actor)
    # Messages that arrive "just now", like ones answered long ago (closed, so not duplicates of open cases).
    examples = list(closed.filter(created_at__lt=end - timedelta(days=90)).exclude(area__isnull=True)
                    .order_by("created_at").values_list("title", "body", "area_id")[:NEW_MESSAGES * 7:7])
    auto = 0
    with time_machine.travel(end - timedelta(minutes=NEW_MESSAGES * 3 + 5), tick=False) as traveller:
        for n, (title, body, area_id) in enumerate(examples):
            traveller.shift(timedelta(minutes=3))
            case, _created = case_receive(title=title, body=body, channel=Channel.RESIDENT_WEB,
                                          area=Area.objects.get(pk=area_id), intake_key=f"demo-routing-{n}")
            auto += case.status == Case.Status.DISPATCHED
    log(f"智能分派：{suggested} 件待办诉求给出建议，{corrected} 件由派单人员改用第2条建议（记为纠正），"
        f"{len(examples)} 件新诉求中 {auto} 件自动分类派单")
    return {"suggested": suggested, "corrected": corrected, "new": len(examples), "auto": auto}


def _corrections(waiting, *, actor) -> int:
    """A dispatcher who knows better: on a few waiting cases the second suggestion is applied, so the
    routing page lists corrections and the next training learns from them."""
    from django.core.exceptions import ValidationError

    from grassroots.cases.errors import CaseError
    from grassroots.routing.models import RoutingSuggestion
    from grassroots.routing.services import suggestion_apply

    done = 0
    for case in waiting:
        if done == CORRECTIONS:
            break
        suggestion = RoutingSuggestion.objects.filter(case=case).first()
        if suggestion is None or len(suggestion.items) < 2:
            continue
        case.refresh_from_db()
        try:
            suggestion_apply(case=case, rank=2, actor=actor)
        except (ValidationError, CaseError):
            continue
        done += 1
    return done
