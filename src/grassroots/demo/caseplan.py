"""A year of cases over the demo district, as plain rows: a pure function of (plan, n, end date).

``build_case_rows(plan, n=6000, end=date(2026, 12, 1))`` returns :class:`CaseRow`s sorted by the
time they are reported; ``casework.load_cases`` walks each one through the case services. What is
decided here (no database):

* **when** — 365 days ending on ``end``: more in the cold (Dec–Jan) and the rainy heat (Jun–Aug),
  fewer at the Spring Festival (Feb) and National Day (Oct), fewer at weekends, a slow growth as the
  platform gets known; a few storm days in summer and cold snaps in winter with bursts of flooding
  and heating reports. Hours follow the channel (patrols and walk-ins in office hours).
* **where** — a grid weighted by its buildings; a tenth of the grids are busier old compounds, a few
  are low-lying (flooding) or at the end of a heating line (cold flats): hot spots for later work.
  The demo account's grid and community are busier, so their pages have work.
* **what** — a template (``texts.real_templates`` for residents' letters, ``local_texts`` for the
  everyday and seasonal matters and for patrol / woodpecker findings), its category and urgency.
* **how it goes** — channel, reporter, anonymity, the fate (normal, rejected, merged duplicate,
  parked, whistled, returned, extended), the first and second rating, and the *pace*: the share of
  the time limit at which the reply comes, drawn from the real reply delays (``texts.real_reply_days``
  × 0.26 / 9.5 days: the grassroots loop is faster than a provincial message board; about one case
  in eight still ends up late and is escalated by the deadline rules).

The pinned rows (``pinned_rows``) give each demo account something to do at ``end``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from grassroots.worktime import calendar

from .accounts import account_places
from .local_texts import local_templates
from .plan import Plan, rng_for
from .texts import COMPLEX, EMERGENCY, GENERAL, Template, real_reply_days, real_templates

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_CASES = 6000
DAYS = 365
PACE_SCALE = 0.26 / 9.5  # real delay (days) → share of a general 7-working-day limit (~9.5 days)

CHANNELS = {"resident_web": 0.32, "hotline": 0.30, "patrol": 0.14, "woodpecker": 0.08, "walk_in": 0.11,
            "open311": 0.03, "api": 0.02}
FINDING_CHANNELS = {"patrol", "woodpecker"}
SYSTEM_SOURCES = {"hotline": "12345", "open311": "十堰市民通", "api": "湖北政务服务网"}
MONTH_FACTOR = {1: 1.15, 2: 0.8, 3: 0.95, 4: 0.95, 5: 1.0, 6: 1.1, 7: 1.25, 8: 1.2, 9: 1.0, 10: 0.85,
                11: 1.0, 12: 1.15}
PEAK = {"heat": (12, 1, 2), "flood": (7, 8), "frost": (1,), "power": (7, 8)}
REJECT_PRONE = ("劳动和社会保障", "商贸旅游", "教育文体")

NORMAL, REJECT, MERGE, PARK, WHISTLE, RETURN, EXTEND = ("normal", "reject", "merge", "park", "whistle",
                                                       "return", "extend")
SATISFIED, BASIC, UNSATISFIED, UNRATED = "satisfied", "basic", "unsatisfied", ""
MEMBER = "@member"  # CaseRow.unit: dispatch to the demo's Party member personally (党员接单)


@dataclass
class CaseRow:
    index: int
    at: datetime  # reported at (aware, Asia/Shanghai)
    template: Template
    grid: str  # grid code (the place the texts name)
    building: str  # building code, or ""
    channel: str
    urgency: str
    reporter: int | None  # index into plan.persons (a resident, or a volunteer for woodpeckers)
    anonymous: bool
    fate: str
    rating: str  # the first rating ("": closed unrated)
    second_rating: str  # after a 不满意 and the redo
    pace: float  # the reply comes at this share of the time limit (> 1: late)
    merge_of: int | None = None  # index of the case a duplicate is merged into
    tier: str = ""  # forced tier (pinned rows); "" = by the 分级响应 rules
    unit: str = ""  # pinned rows: dispatch to this unit (name), or MEMBER
    stop: str = ""  # pinned rows: stop right after this action
    who: str = ""  # "resident": reported by the demo resident account
    placeless: bool = False  # a hotline call that names no place the system can locate: the district owns it


def _hour(rng: random.Random, channel: str) -> time:
    if channel in ("patrol", "walk_in"):
        minute = rng.choice([rng.randint(8 * 60 + 40, 11 * 60 + 50), rng.randint(14 * 60 + 10, 17 * 60 + 20)])
    elif channel == "resident_web":
        minute = int(rng.choice([rng.gauss(10, 1.5), rng.gauss(15, 1.5), rng.gauss(20.5, 1.3)]) * 60)
    elif channel == "woodpecker":
        minute = int(rng.uniform(8, 20) * 60)
    else:
        minute = int(rng.choice([rng.gauss(10, 2), rng.gauss(15.5, 2), rng.uniform(0, 24)]) * 60)
    minute = min(max(minute, 0), 24 * 60 - 1)
    return time(minute // 60, minute % 60, rng.randint(0, 59))


def _working(day: date) -> bool:
    try:
        return calendar.is_working_day(day)
    except calendar.CalendarMissing:
        return day.weekday() < 5


def _days(end: date, rng: random.Random) -> tuple[list[date], list[float], set[date], set[date]]:
    days = [end - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    summer = [d for d in days if d.month in (6, 7, 8)]
    winter = [d for d in days if d.month in (12, 1)]
    storms = set(rng.sample(summer, min(6, len(summer))))
    snaps = set(rng.sample(winter, min(4, len(winter))))
    weights = []
    for i, d in enumerate(days):
        w = MONTH_FACTOR[d.month] * (1.0 if _working(d) else 0.7) * (0.8 + 0.4 * i / DAYS)
        w *= 2.5 if d in storms else 1.8 if d in snaps else 1.0
        weights.append(w)
    return days, weights, storms, snaps


def _grids(plan: Plan, rng: random.Random) -> tuple[list[str], list[float], set[str], set[str]]:
    buildings: dict[str, int] = {}
    for a in plan.areas:
        if a.level == "building":
            buildings[a.parent] = buildings.get(a.parent, 0) + 1
    grids = [a for a in plan.areas if a.level == "grid"]
    codes = [g.code for g in grids]
    places = account_places(plan)
    old = {g.code for g in grids if "东风" in g.name or "生活区" in g.name or "宿舍" in g.name}
    busy = set(rng.sample(codes, max(1, len(codes) // 10))) | old
    flood = set(rng.sample(codes, min(6, len(codes))))
    heat = set(rng.sample(sorted(old) or codes, min(6, len(old) or len(codes)))) | {places["grid"]}
    weights = []
    for code in codes:
        w = 1.0 + buildings.get(code, 0)
        w *= 1.8 if code in busy else 1.0
        w *= 4.0 if code == places["grid"] else 1.6 if code.startswith(places["community"]) else 1.0
        weights.append(w)
    return codes, weights, flood, heat


def _season(t: Template, month: int) -> float:
    if not t.months:
        return 1.0
    if month not in t.months:
        return 0.0
    return 3.0 if month in PEAK.get(family(t), ()) else 1.5


def family(t: Template) -> str:
    """``flood`` for ``local:flood-gate``; "" for the real messages."""
    return t.key.split(":")[1].split("-")[0] if t.key.startswith("local:") else ""


def _template_weight(t: Template, month: int, day: date, hot: dict) -> float:
    w = _season(t, month)
    if family(t) == "flood":
        w *= 10.0 if day in hot["storms"] else 1.0
    elif family(t) in ("heat", "frost"):
        w *= 5.0 if day in hot["snaps"] else 1.0
    return w


def _hot_grid(rng: random.Random, t: Template, grid: str, hot: dict) -> str:
    """Flooding happens mostly in the low-lying grids, cold flats at the end of the heating lines."""
    pool = {"flood": hot["flood"], "heat": hot["heat"], "frost": hot["heat"]}.get(family(t))
    if pool and rng.random() < 0.55:
        return rng.choice(sorted(pool))
    return grid


def _pick_template(rng: random.Random, channel: str, month: int, day: date, hot: dict) -> Template:
    local = local_templates()
    if channel in FINDING_CHANNELS:
        pool = [t for t in local if t.finding] + [t for t in local if not t.finding and t.path[0] == "城乡建设"]
    elif rng.random() < 0.62:
        return rng.choice(real_templates())
    else:
        pool = [t for t in local if not t.finding]
    weights = [_template_weight(t, month, day, hot) * (2.0 if t.finding else 1.0) for t in pool]
    return rng.choices(pool, weights=weights)[0]


def _pace(rng: random.Random) -> float:
    return max(0.03, min(2.5, rng.choice(real_reply_days()) * PACE_SCALE * rng.uniform(0.8, 1.2)))


def _ratings(rng: random.Random, pace: float, channel: str) -> tuple[str, str]:
    if channel == "patrol":
        return UNRATED, UNRATED  # a finding of the grid itself: the dispatcher closes it
    weights = [55, 25, 12, 8] if pace > 1 else [80, 11, 4, 5]
    first = rng.choices([SATISFIED, BASIC, UNSATISFIED, UNRATED], weights=weights)[0]
    second = rng.choices([SATISFIED, BASIC, UNSATISFIED], weights=[45, 40, 15])[0] if first == UNSATISFIED else ""
    return first, second


def _fate(rng: random.Random, t: Template, channel: str, urgency: str) -> str:
    r = rng.random()
    reject = 0.09 if t.path[0] in REJECT_PRONE and t.key.startswith(("labeled", "reply", "votes")) else 0.012
    if channel in FINDING_CHANNELS:
        reject = 0.0
    for fate, share in ((REJECT, reject), (PARK, 0.10 if urgency == COMPLEX else 0.006), (WHISTLE, 0.03),
                        (RETURN, 0.06), (EXTEND, 0.12 if urgency == COMPLEX else 0.03)):
        if r < share:
            return fate
        r -= share
    return NORMAL


def build_case_rows(plan: Plan, n: int = DEFAULT_CASES, end: date | None = None) -> list[CaseRow]:
    """``n`` cases (the pinned rows for the demo accounts included) reported in the 365 days
    ending on ``end``, sorted by time; duplicates that get merged count towards ``n``."""
    if n <= 0:
        return []
    end = end or date.today()
    rng = rng_for(plan.seed, f"cases:{n}:{end.isoformat()}")
    days, day_weights, storms, snaps = _days(end, rng)
    grid_codes, grid_weights, flood, heat = _grids(plan, rng)
    hot = {"flood": flood, "heat": heat, "storms": storms, "snaps": snaps}
    places = account_places(plan)
    pinned = pinned_rows(plan, end) if places["grid"] in set(grid_codes) else []
    pinned = pinned[: max(0, n // 4)]
    residents = _people_by_grid(plan)
    volunteers = _volunteers_by_community(plan)
    buildings: dict[str, list[str]] = {}
    for a in plan.areas:
        if a.level == "building":
            buildings.setdefault(a.parent, []).append(a.code)

    budget = n - len(pinned)
    originals = round(budget / 1.03)
    drawn = Counter(rng.choices(range(DAYS), weights=day_weights, k=originals))
    rows: list[CaseRow] = []
    for i, day in enumerate(days):
        for _ in range(drawn[i]):
            channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
            grid = rng.choices(grid_codes, weights=grid_weights)[0]
            template = _pick_template(rng, channel, day.month, day, hot)
            grid = _hot_grid(rng, template, grid, hot)
            urgency = template.urgency
            if urgency == GENERAL and rng.random() < 0.04:
                urgency = COMPLEX
            at = datetime.combine(day, _hour(rng, channel), tzinfo=TZ)
            reporter = _reporter(rng, channel, grid, residents, volunteers)
            pace = _pace(rng) * (0.4 if urgency == EMERGENCY else 1.0)
            first, second = _ratings(rng, pace, channel)
            rows.append(CaseRow(
                index=0, at=at, template=template, grid=grid,
                building=rng.choice(buildings[grid]) if buildings.get(grid) else "",
                placeless=channel == "hotline" and rng.random() < 0.06,
                channel=channel, urgency=urgency, reporter=reporter,
                anonymous=channel in ("resident_web", "hotline") and rng.random() < 0.12,
                fate=_fate(rng, template, channel, urgency), rating=first, second_rating=second, pace=pace))
    rows.sort(key=lambda r: r.at)
    last = datetime.combine(end, time(23, 59), tzinfo=TZ)
    rows.extend(_duplicates(rows, budget - len(rows), rng, residents, last))
    rows.extend(pinned)
    rows.sort(key=lambda r: (r.at, r.grid, r.template.key))
    for i, row in enumerate(rows):
        row.index = i
    by_id = {id(r): r.index for r in rows}
    for row in rows:
        if isinstance(row.merge_of, CaseRow):
            row.merge_of = by_id[id(row.merge_of)]
    return rows


def _duplicates(rows: list[CaseRow], count: int, rng: random.Random, residents, last: datetime) -> list[CaseRow]:
    """Second reports of a matter already reported (another channel, hours later): merged."""
    candidates = [r for r in rows if not r.placeless and r.fate == NORMAL and r.channel != "patrol"]
    out = []
    for original in rng.sample(candidates, min(max(0, count), len(candidates))):
        channel = rng.choice(["hotline", "resident_web", "walk_in"])
        out.append(CaseRow(
            index=0, at=min(last, original.at + timedelta(hours=rng.uniform(0.5, 30))), template=original.template,
            grid=original.grid, building=original.building, channel=channel, urgency=original.urgency,
            reporter=_reporter(rng, channel, original.grid, residents, {}), anonymous=False, fate=MERGE,
            rating=UNRATED, second_rating=UNRATED, pace=1.0, merge_of=original))  # type: ignore[arg-type]
    return out


def _people_by_grid(plan: Plan) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in plan.residents:
        out.setdefault(r.household[:15], []).append(r.person)
    return out


def _volunteers_by_community(plan: Plan) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for v in plan.volunteers:
        out.setdefault(v.area[:12], []).append(v.person)
    return out


def _reporter(rng: random.Random, channel: str, grid: str, residents, volunteers) -> int | None:
    if channel == "patrol":
        return None
    if channel == "woodpecker":
        pool = volunteers.get(grid[:12]) or residents.get(grid)
    else:
        pool = residents.get(grid)
    return rng.choice(pool) if pool else None


# --- the demo accounts' own work ---------------------------------------------------------------------


def pinned_rows(plan: Plan, end: date) -> list[CaseRow]:
    """Cases that leave each demo account something to do at ``end``: reported up to 200 days
    before 08:00 of that day, so that they are all in the past when the demo is loaded in office hours."""
    places = account_places(plan)
    grid, community = places["grid"], places["community"]
    building = f"{grid}001"
    local = {t.key.split(":", 1)[1]: t for t in local_templates()}
    household_people = [r.person for r in plan.residents if r.household == places["household"]]
    resident = household_people[0] if household_people else None
    anchor = datetime.combine(end, time(8, 0), tzinfo=TZ)
    rng = rng_for(plan.seed, "pinned")
    out: list[CaseRow] = []

    def row(key: str, days_ago: float, *, channel="resident_web", stop="", tier="", unit="", fate=NORMAL,
            rating=SATISFIED, who="", pace=0.4, urgency=None, place=grid):
        t = local[key]
        jitter = timedelta(hours=rng.uniform(0.2, 11)) if days_ago >= 1 else timedelta(minutes=rng.uniform(0, 30))
        out.append(CaseRow(index=0, at=anchor - timedelta(days=days_ago) - jitter, template=t, grid=place,
                           building=building if place == grid else "", channel=channel,
                           urgency=urgency or t.urgency, reporter=resident if who else None, anonymous=False,
                           fate=fate, rating=rating, second_rating="", pace=pace, tier=tier, unit=unit,
                           stop=stop, who=who))

    dept = places["unit"]
    # the resident's own cases: one closed long ago, one closed 基本满意, one waiting for their rating
    if resident is not None:
        row("stair-light", 200, who="resident")
        row("water-yellow", 70, who="resident", rating=BASIC)
        row("lift-broken", 6, who="resident", stop="verify", pace=0.2)
        row("parking", 0.6, who="resident", stop="report")
    # the grid's inbox: new cases, accepted ones to handle on the spot, one in hand to reply
    for i, key in enumerate(("garbage", "dog-waste", "stair-light")):
        row(key, 0.2 + 0.3 * i, channel="hotline", stop="report", tier="grid")
    for i, key in enumerate(("corridor-junk", "fire-lane")):
        row(key, 1.2 + i, channel="patrol", stop="accept", tier="grid")
    row("ac-drip", 2.5, stop="start", tier="grid")
    # the community's board: new community matters, cases a unit sent back
    for i, key in enumerate(("subsistence", "elder-alone", "sscard")):
        row(key, 0.3 + 0.4 * i, channel="walk_in", stop="report", tier="community")
    for i, key in enumerate(("roof-leak", "lift-install")):
        row(key, 3 + i, stop="return", tier="community", unit=dept, fate=RETURN)
    # the department: dispatched cases to take, taken ones to reply
    for i, key in enumerate(("roof-leak", "lift-install", "fee-rise")):
        row(key, 1 + 0.5 * i, channel="hotline", stop="dispatch", tier="community", unit=dept)
    for i, key in enumerate(("tiles", "sunroom")):
        row(key, 3 + i, channel="hotline", stop="take", tier="community", unit=dept)
    # the Party member (点单-派单-接单): an older case done, one to take, one in hand to reply
    row("elder-alone", 40, stop="", tier="community", unit=MEMBER, place=grid)
    row("elder-alone", 0.8, stop="dispatch", tier="community", unit=MEMBER)
    row("subsistence", 2.5, stop="take", tier="community", unit=MEMBER)
    # the street: matters for the street to dispatch
    row("dance-noise", 0.5, channel="hotline", stop="report", tier="street", place=f"{community}002")
    row("bbq-smoke", 1.5, channel="resident_web", stop="accept", tier="street", place=f"{community}002")
    return [r for r in out if r.at.date() <= end]
