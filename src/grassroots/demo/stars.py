"""The demo district's 党支部星级评定, made through the services: last year's scheme computed from the
demo data in January, every branch's inspector criteria scored (most branches well, some weakly),
submitted and published by the district administrator; this year's scheme computed at the end of the
demo's year with about two branches in three scored by the inspectors, still in draft.

Automatic scores come from what the demo holds for the year; the demo's data covers the twelve months
before its end, so last year's automatic scores are lower than this year's (the table's "较上年"
column shows the rise).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from .plan import rng_for


def _points(rng, max_points: int, strength: float) -> Decimal:
    share = min(1.0, max(0.3, rng.gauss(strength, 0.12)))
    return (Decimal(str(round(max_points * share * 2) / 2))).quantize(Decimal("0.1"))


def load_stars(plan, *, end: datetime, log) -> dict:
    from grassroots.accounts.models import User
    from grassroots.stars import services as s
    from grassroots.stars.models import INSPECTOR, StarRating

    actor = User.objects.filter(username="district").first() or User.objects.filter(username="admin").first()
    if actor is None:
        return {}
    rng = rng_for(plan.seed, "stars")
    dc = plan.district_code
    this_year = timezone.localtime(end).year
    counts = {}
    for year, moment, share_scored, publish in (
            (this_year - 1, timezone.make_aware(datetime(this_year, 1, 15, 10)), 1.0, True),
            (this_year, end, 0.65, False)):
        with time_machine.travel(min(moment, end), tick=False):
            scheme = s.scheme_ensure(district_code=dc, year=year, actor=actor)
            n = s.star_ratings_compute_all(scheme=scheme, actor=actor)
            criteria = list(scheme.criteria.filter(source=INSPECTOR))
            scored = 0
            for rating in StarRating.objects.filter(scheme=scheme, current=True).order_by("area_code", "org_id"):
                if rng.random() > share_scored:
                    continue
                strength = rng.choice((0.95, 0.9, 0.85, 0.8, 0.7, 0.6))
                for c in criteria:
                    s.star_inspector_score(rating=rating, criterion=c, points=_points(rng, c.max_points, strength),
                                           note=rng.choice(("", "资料齐全", "记录规范", "需加强", "阵地常态开放")),
                                           actor=actor)
                scored += 1
            if publish:
                s.star_rating_submit(scheme=scheme, actor=actor)
                s.star_rating_publish(scheme=scheme, actor=actor)
        counts[str(year)] = {"branches": n, "scored": scored, "published": publish}
        log(f"星级评定 {year} 年度：党支部 {n} 个，考评评分 {scored} 个" + ("，已发布" if publish else "，评定中"))
    return counts
