"""Hot problems in the demo: a surge of one problem in a few grids in the last weeks, the same
complaint from many places (the real voted messages as templates, with their likes), and the
street's problem of the month in progress.

* **Surge**: yellow, smelly tap water (城乡建设 › 城市建设和市政管理 › 自来水供应) in three grids of
  the demo street's second community — a few reports two weeks ago, many last week and this week —
  so the rising-problems page shows it at the grids and the community, whatever the day of the load.
* **Cluster**: the board's night-stall and kitchen-smoke complaints (``votes:3601xx``, with their
  real likes), each re-told by residents of three grids of the demo street and its neighbour over
  the last three weeks, through the message-board channel (``api``).
* **每月一题**: the street account promotes the water surge, with the district's water company as
  lead unit, starts it and reports progress.

Skipped for a demo of fewer than ``MIN_HISTORY`` cases (no baseline to rise above). Cases are
received through ``case_receive`` at their own moment (the frozen clock moves, as in
``casework.py``); the promotion through ``hotspots.services``. Deterministic for a given plan and end.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from time import monotonic

import time_machine
from django.utils import timezone

from .accounts import account_places
from .texts import real_templates, render

WATER = ("城乡建设", "城市建设和市政管理", "自来水供应")
WATER_TEXTS = [
    ("自来水发黄有异味", "这几天家里自来水一打开就是黄色的，还有一股铁锈味，烧开了也不敢喝。"),
    ("{estate}自来水浑浊发黄", "{estate}{building}从前天开始自来水浑浊发黄，放很久也不清，请尽快查一下管网。"),
    ("水龙头流出黄水", "早上接的水是黄的，邻居家也一样，家里有老人小孩，不知道能不能用。"),
    ("自来水有铁锈味，担心水质", "{estate}最近自来水有明显铁锈味，希望供水公司来检测水质并说明原因。"),
    ("小区停水后来水发黄", "{estate}前几天停水检修，来水以后一直发黄，物业说不归他们管。"),
]
# (weeks before the end's week, cases in each of the three grids)
SURGE = [(2, (1, 1, 0)), (1, (6, 5, 4)), (0, (5, 4, 3))]
CLUSTER_KEYS = ("votes:360100", "votes:360101", "votes:360102", "votes:360103", "votes:360104",
                "votes:360105", "votes:360106", "votes:360107", "votes:360108", "votes:360109")
MIN_HISTORY = 1000  # cases of the year below which the step is skipped
ROADS = ("车城路", "人民路", "朝阳路", "公园路", "汉江路")


def _likes() -> dict[str, int]:
    import json

    from .texts import DATA

    with (DATA / "messages_with_votes_sample.jsonl").open(encoding="utf-8") as fh:
        return {f"votes:{row['id']}": int(row.get("likes") or 0) for row in map(json.loads, fh)}


def _places(plan, grid, rng: random.Random) -> dict[str, str]:
    return {"district": plan.district_name, "city": "十堰市", "province": "湖北省", "estate": grid.name,
            "estate2": grid.name, "road": rng.choice(ROADS), "road2": rng.choice(ROADS), "road3": rng.choice(ROADS),
            "building": f"{rng.randint(1, 12)}栋", "street": grid.parent.parent.name,
            "community": grid.parent.name, "year": "2026"}


def _moment(rng: random.Random, start: datetime, stop: datetime) -> datetime:
    """A moment in [start, stop] (``stop`` after ``start``), a minute clear of ``stop`` where the window
    allows it."""
    seconds = int((stop - start).total_seconds())
    return start + timedelta(seconds=rng.randint(0, seconds - 60 if seconds > 120 else seconds))


def load_hotspots(plan, *, end: datetime | None = None, log=None) -> dict:
    """Write the demo's hot problems (see the module docstring); returns what was written."""
    from grassroots.accounts.models import User
    from grassroots.areas.models import Area
    from grassroots.cases.models import Case, Category, Channel
    from grassroots.cases.services import case_receive
    from grassroots.hotspots import stats
    from grassroots.hotspots.services import monthly_problem_act, monthly_problem_promote
    from grassroots.hotspots.sources import source_find
    from grassroots.orgs.models import Unit

    log = log or (lambda msg: None)
    if Case.objects.filter(district_code=plan.district_code).count() < MIN_HISTORY:
        return {}  # a surge needs a baseline: a small demo (tests, --cases 200) has no hot problems
    began = monotonic()
    end = end or timezone.now()
    rng = random.Random(f"grassroots-demo:{plan.seed}:hotspots")
    street_code = account_places(plan)["street"]
    communities = list(Area.objects.filter(code__startswith=street_code, level="community").order_by("code"))
    if len(communities) < 2:
        return {}
    grids = list(Area.objects.filter(code__startswith=communities[1].code, level="grid")
                 .select_related("parent__parent").order_by("code")[:3])
    water = next((c for c in Category.objects.filter(name=WATER[2]) if tuple(c.path_names()) == WATER), None)
    this_monday = stats.week_monday(timezone.localtime(end).date())
    written = {"surge": 0, "cluster": 0}
    with time_machine.travel(end, tick=False) as traveller:
        moments = []
        for weeks_ago, per_grid in SURGE:
            monday = this_monday - timedelta(weeks=weeks_ago)
            start = timezone.make_aware(datetime.combine(monday, time(7)))
            stop = min(end, start + timedelta(days=6, hours=14))
            if stop <= start:  # this week, loaded before 07:00 on its Monday: its share from midnight on
                start = timezone.make_aware(datetime.combine(monday, time(0)))
            if stop <= start:
                continue
            for grid, n in zip(grids, per_grid, strict=False):
                moments += [(_moment(rng, start, stop), "surge", grid, None) for _ in range(n)]
        templates = {t.key: t for t in real_templates() if t.key in CLUSTER_KEYS}
        likes = _likes()
        others = list(Area.objects.filter(code__startswith=street_code[:6], level="grid")
                      .exclude(code__startswith=communities[1].code).select_related("parent__parent").order_by("code"))
        nearby = [g for g in others if g.code.startswith(street_code)][:12] + others[-6:]
        start = end - timedelta(days=20)
        for key in CLUSTER_KEYS:
            if key in templates:
                for grid in rng.sample(nearby, 3) if len(nearby) >= 3 else nearby:
                    moments.append((_moment(rng, start, end), "cluster", grid, templates[key]))
        for n, (at, kind, grid, template) in enumerate(sorted(moments, key=lambda m: m[0])):
            traveller.move_to(at)
            places = _places(plan, grid, rng)
            if kind == "surge":
                title, body = (render(x, places) for x in rng.choice(WATER_TEXTS))
                case, _ = case_receive(title=title, body=body, channel=Channel.HOTLINE, area=grid, category=water,
                                       contact_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                                       external_source="12345", external_id=f"demo-water-{n}")
            else:
                title, body = render(template.title, places), render(template.body, places)
                category = Category.objects.filter(name=template.path[-1], parent__name=template.path[-2]).first()
                case, _ = case_receive(title=title[:200], body=body[:5000], channel=Channel.API, area=grid,
                                       category=category, external_source="留言板",
                                       external_id=f"demo-board-{template.key}-{grid.code}",
                                       likes=likes.get(template.key, 0))
            written[kind] += 1
        traveller.move_to(end - timedelta(minutes=30))
        street_user = User.objects.filter(username="street").first()
        unit = Unit.objects.filter(district_code=plan.district_code, kind="utility", name__contains="水").first() \
            or Unit.objects.filter(district_code=plan.district_code, kind="department").first()
        week = stats.week_label(this_monday - timedelta(weeks=1))
        if street_user and unit and water and grids:
            try:
                source = source_find(street_user, source="rising", week=week, area=grids[0].parent.code,
                                     category=str(water.parent_id))
            except Exception as exc:  # noqa: BLE001 — the demo goes on without its problem of the month
                log(f"每月一题未立项：{exc}")
            else:
                problem, _ = monthly_problem_promote(
                    actor=street_user, street=source.street, title=f"{grids[0].parent.name}自来水发黄问题",
                    lead_unit=unit, plan="1. 供水公司三日内对片区管网放水冲洗并取样检测；\n2. 社区逐户告知检测结果，"
                    "检测合格前设临时供水点；\n3. 排查老旧铸铁管，列入明年改造计划。",
                    deadline=timezone.localdate() + timedelta(days=25), source=source.kind, source_key=source.key,
                    source_data=source.data, category=source.category, cases=source.cases,
                    residents=source.residents)
                traveller.move_to(end - timedelta(minutes=20))
                monthly_problem_act(problem=problem, action="start", actor=street_user,
                                    note="已召集供水公司、社区和物业召开协调会，明确分工")
                traveller.move_to(end - timedelta(minutes=10))
                monthly_problem_act(problem=problem, action="progress", actor=street_user,
                                    note="供水公司已完成两处主管放水冲洗，取样3份送检，临时供水点已设在社区服务站")
                written["monthly"] = problem.pk
    log(f"热点问题：自来水发黄 {written['surge']} 件，多网格油烟噪音 {written['cluster']} 件，"
        f"每月一题 {'1 项' if written.get('monthly') else '未立项'}，用时 {monotonic() - began:.1f} 秒")
    return written
