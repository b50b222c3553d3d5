"""Helpers for the hot-problem tests: cases of a category placed in a grid and dated in a given
ISO week (the services stamp "now"; the tests move ``created_at`` afterwards, as a year of history
would have it), and a clean cache (the clusters are cached per user)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

import grassroots.routing
from grassroots.accounts.models import Role
from grassroots.cases.models import Case, Category, Channel
from grassroots.cases.services import case_create
from grassroots.hotspots import stats
from tests.factories import make_user

VOTES = Path(grassroots.routing.__file__).resolve().parent / "data" / "messages_with_votes_sample.jsonl"


def voted_messages() -> list[dict]:
    with VOTES.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def labeled_messages() -> list[dict]:
    with (VOTES.parent / "messages_labeled_sample.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def this_week() -> date:
    return stats.week_monday(timezone.localdate())


def category(parent_name: str = "住房保障与房地产") -> Category:
    """A third-level category under the named second-level one."""
    return Category.objects.filter(level=3, parent__name=parent_name).order_by("code").first()


def add_cases(tree, grid: str, week: date, n: int, *, cat: Category | None = None, title: str = "楼道灯不亮",
              body: str = "3栋2单元楼道灯坏了一周，晚上看不清。", **extra) -> list[Case]:
    """``n`` cases in ``grid`` reported during the week starting ``week`` (a Monday)."""
    cat = cat or category()
    out = []
    for i in range(n):
        case = case_create(title=title, body=body, channel=Channel.RESIDENT_WEB, area=tree.grid(grid),
                           category=cat, **extra)
        moment = timezone.make_aware(datetime.combine(week + timedelta(days=i % 5), time(9 + i % 8)))
        moment = min(moment, timezone.now() - timedelta(seconds=i + 1))  # this week's cases: not after now
        Case.objects.filter(pk=case.pk).update(created_at=moment)
        out.append(case)
    return out


def steady(tree, grid: str, weeks: int, per_week: int, *, end: date | None = None, **kw) -> None:
    """``per_week`` cases in each of the ``weeks`` weeks before ``end`` (default: this week)."""
    end = end or this_week()
    for monday in stats.weeks_back(end, weeks):
        add_cases(tree, grid, monday, per_week, **kw)


@pytest.fixture
def street_admin_2(tree):
    return make_user("street_admin_2", Role.STREET_ADMIN, area=tree.streets[1])
