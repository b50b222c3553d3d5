"""What a promotion points at: a rising problem or a cluster, found again on the server from its
coordinates (never from case ids a browser sends), with the street it belongs to and its cases.
Shared by the page and the API."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError

from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.models import Case, Category

from . import rising, stats
from .clusters import cases_of, cluster_get
from .selectors import managed_streets

STREET_LEN = CODE_LENGTHS[Level.STREET]


@dataclass
class Source:
    kind: str  # MonthlyProblem.Source
    key: str
    street: Area
    title: str
    category: Category | None
    cases: list[Case]
    residents: int
    data: dict = field(default_factory=dict)
    week: date | None = None


def _week(text: str) -> date:
    try:
        return stats.week_parse(text)
    except ValueError as exc:
        raise ValidationError({"week": [str(exc)]}) from None


def _residents(cases: list[Case]) -> int:
    people = {c.reporter_id and f"p{c.reporter_id}" or c.reporter_user_id and f"u{c.reporter_user_id}"
              or c.contact_phone_index and f"t{c.contact_phone_index}" or f"c{c.pk}" for c in cases}
    return len(people) + sum(c.likes for c in cases)


def source_find(user, *, source: str, week: str, area: str = "", category: str = "", key: str = "") -> Source:
    """The hot problem the user wants to promote, or ValidationError (Chinese, by field).

    rising: ``area`` (a street, community or grid code), ``category`` (the counted category's id),
    ``week``; cluster: ``key`` and ``week`` (and the ``area`` filter the list was shown with).
    An area outside the user's scope raises ``rising.OutOfScope``."""
    monday = _week(week)
    streets = {s.code: s for s in managed_streets(user)}
    if not streets:
        raise ValidationError({"street": ["只有街道受理/派单的工作人员可以立项每月一题"]})
    place = rising.area_get(user, area) if area else None  # OutOfScope: the callers answer 404
    if source == "rising":
        if place is None or place.level not in rising.LEVELS:
            raise ValidationError({"area": ["请指定街道、社区或网格"]})
        try:
            cat = Category.objects.get(pk=int(category))
        except (ValueError, TypeError, Category.DoesNotExist):
            raise ValidationError({"category": ["类别不存在"]}) from None
        series = rising.series_for(user, area=place, category_id=cat.pk, week=monday)
        if not series.score.rising:
            raise ValidationError({"source": [f"{stats.week_label(monday)} “{place.name}”的“{cat.name}”没有明显上升，"
                                              "不能立项（请从上升问题列表中选择）"]})
        street = streets.get(place.code[:STREET_LEN])
        if street is None:
            raise ValidationError({"street": ["您不能在这个街道立项每月一题"]})
        cases = list(cases_of(user, series.case_ids))
        title = f"{place.name}{cat.name}问题集中"
        return Source(kind="rising", key=f"rising:{place.code}:{cat.pk}:{stats.week_label(monday)}",
                      street=street, title=title, category=cat, cases=cases, residents=_residents(cases),
                      data={"area": place.code, "category": cat.code, "week": stats.week_label(monday),
                            "count": series.score.count, "baseline": series.score.baseline,
                            "p_value": series.score.p_value}, week=monday)
    if source == "cluster":
        cluster = cluster_get(user, week=monday, area=place, key=key)
        if cluster is None:
            raise ValidationError({"source": ["没有找到这个多发问题（列表可能已更新），请回到多发问题列表重新选择"]})
        cases = list(cases_of(user, cluster.case_ids))
        by_street = Counter(c.area_code[:STREET_LEN] for c in cases if c.area_code[:STREET_LEN] in streets)
        if not by_street:
            raise ValidationError({"street": ["您不能在这个多发问题所在的街道立项每月一题"]})
        street = streets[by_street.most_common(1)[0][0]]
        cases = [c for c in cases if c.area_code.startswith(street.code)]
        category = Category.objects.filter(pk=cluster.category_id).first() if cluster.category_id else None
        return Source(kind="cluster", key=cluster.key, street=street, title=cluster.title[:100], category=category,
                      cases=cases, residents=_residents(cases),
                      data={"week": stats.week_label(monday), "grids": cluster.grids, "cases": len(cluster.case_ids),
                            "likes": cluster.likes, "reporters": cluster.reporters}, week=monday)
    raise ValidationError({"source": ["请从上升问题或多发问题列表中立项"]})
